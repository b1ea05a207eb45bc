//! The route table: which handler answers which method and path, the state handlers
//! share, and the JSON answers for everything no handler takes (unknown paths, wrong
//! methods, unreadable paths, queries and bodies).

pub(crate) mod domains;
pub(crate) mod emails;
pub(crate) mod health;
pub(crate) mod prometheus;
pub(crate) mod tenants;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix_web::{HttpResponse, Resource, web};
use metrics_exporter_prometheus::PrometheusHandle;
use posthawk_domain::SendingStatus;
use posthawk_domain::use_cases::{
    DomainService, EventDestinationBackfill, ReputationQueries, SendingService,
};

use crate::auth::JwtVerifier;
use crate::error::ApiError;
use crate::openapi;

/// The largest JSON request body accepted; larger ones get 413 `payload_too_large`.
pub const JSON_BODY_LIMIT: usize = 64 * 1024;

/// Whether the service can do its work right now (for `GET /readyz`). The server
/// implements it with a database ping; it should bound its own time (a pool checkout
/// timeout), as a probe that hangs helps no one.
#[async_trait::async_trait]
pub trait Readiness: Send + Sync {
    /// `Ok` when ready.
    ///
    /// # Errors
    /// Why not, for the log; the client sees only 503 `service_unavailable`.
    async fn check(&self) -> anyhow::Result<()>;
}

/// The gauges `GET /metrics` reads at scrape time (the server implements it over
/// PostgreSQL). Each is read on its own: one whose query fails is logged and left out of
/// that scrape, and the others are served. Like [`Readiness`], each read should bound its
/// own time (a pool checkout timeout).
#[async_trait::async_trait]
pub trait GaugeSource: Send + Sync {
    /// How far behind schedule the most overdue reputation refresh is (zero when none
    /// is overdue).
    ///
    /// # Errors
    /// Why it could not be read, for the log.
    async fn refresh_lag(&self) -> anyhow::Result<Duration>;

    /// How many tenants show each sending status; a status left out counts zero.
    ///
    /// # Errors
    /// Why they could not be counted, for the log.
    async fn tenants_by_status(&self) -> anyhow::Result<HashMap<SendingStatus, u64>>;

    /// How many tenants are due for reconciler work.
    ///
    /// # Errors
    /// Why it could not be counted, for the log.
    async fn reconciler_backlog(&self) -> anyhow::Result<u64>;
}

/// What the handlers need, built once by the server and cloned into each worker.
#[derive(Clone)]
pub struct ApiState {
    /// The reputation read side: tenant statuses and findings.
    pub queries: ReputationQueries,
    /// The workspace's sending domains, which drive its tenants' lifecycle.
    pub domains: DomainService,
    /// Sending through the workspace's tenants.
    pub sending: SendingService,
    /// The operators' event-destination backfill.
    pub backfill: EventDestinationBackfill,
    /// Bearer-token verification.
    pub verifier: Arc<JwtVerifier>,
    /// The readiness probe.
    pub readiness: Arc<dyn Readiness>,
    /// The handle of the installed metrics recorder (see
    /// [`prometheus_recorder`](crate::observability::prometheus_recorder)), rendered by
    /// `GET /metrics`.
    pub metrics: PrometheusHandle,
    /// The gauges `GET /metrics` reads at scrape time.
    pub gauges: Arc<dyn GaugeSource>,
}

/// Mounts the API on an app: `App::new().configure(configure(state.clone()))`.
///
/// Besides the routes it installs the app's default service (a JSON 404) and the
/// extractor error handlers (JSON 400/413/415), so the app must not set its own default
/// service. Request metrics need the middleware on the app as well:
/// `.wrap(from_fn(`[`record_request_metrics`](crate::observability::record_request_metrics)`))`.
pub fn configure(state: ApiState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        let ApiState {
            queries,
            domains,
            sending,
            backfill,
            verifier,
            readiness,
            metrics,
            gauges,
        } = state;
        config
            .app_data(web::Data::new(queries))
            .app_data(web::Data::new(domains))
            .app_data(web::Data::new(sending))
            .app_data(web::Data::new(backfill))
            .app_data(web::Data::from(verifier))
            .app_data(web::Data::from(readiness))
            .app_data(web::Data::new(metrics))
            .app_data(web::Data::from(gauges))
            .app_data(
                web::JsonConfig::default()
                    .limit(JSON_BODY_LIMIT)
                    .error_handler(|error, _| ApiError::from(error).into()),
            )
            .app_data(
                web::PathConfig::default().error_handler(|error, _| ApiError::from(error).into()),
            )
            .app_data(
                web::QueryConfig::default().error_handler(|error, _| ApiError::from(error).into()),
            )
            .service(resource("/healthz").route(web::get().to(health::healthz)))
            .service(resource("/readyz").route(web::get().to(health::readyz)))
            .service(resource("/openapi.json").route(web::get().to(openapi::serve)))
            .service(resource("/metrics").route(web::get().to(prometheus::metrics)))
            .service(resource("/tenants/status").route(web::get().to(tenants::tenant_status)))
            .service(
                resource("/tenants/backfill-event-destinations")
                    .route(web::post().to(tenants::backfill_event_destinations)),
            )
            .service(
                resource("/tenants/{region}/findings").route(web::get().to(tenants::open_findings)),
            )
            .service(
                resource("/domains")
                    .route(web::get().to(domains::list_domains))
                    .route(web::post().to(domains::add_domain)),
            )
            .service(resource("/domains/{id}").route(web::delete().to(domains::remove_domain)))
            .service(resource("/emails").route(web::post().to(emails::send_email)))
            .default_service(web::to(not_found));
    }
}

/// A resource whose other methods get the JSON 405. Register each path once, with all
/// its methods as routes on the one resource.
fn resource(path: &str) -> Resource {
    web::resource(path).default_service(web::to(method_not_allowed))
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed)
}
