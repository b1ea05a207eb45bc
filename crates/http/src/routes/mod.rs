//! The route table: which handler answers which method and path, the state handlers
//! share, and the JSON answers for everything no handler takes (unknown paths, wrong
//! methods, unreadable paths, queries and bodies).

pub(crate) mod domains;
pub(crate) mod emails;
pub(crate) mod health;
pub(crate) mod tenants;

use std::sync::Arc;

use actix_web::{HttpResponse, Resource, web};
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
}

/// Mounts the API on an app: `App::new().configure(configure(state.clone()))`.
///
/// Besides the routes it installs the app's default service (a JSON 404) and the
/// extractor error handlers (JSON 400/413/415), so the app must not set its own default
/// service.
pub fn configure(state: ApiState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |config| {
        let ApiState {
            queries,
            domains,
            sending,
            backfill,
            verifier,
            readiness,
        } = state;
        config
            .app_data(web::Data::new(queries))
            .app_data(web::Data::new(domains))
            .app_data(web::Data::new(sending))
            .app_data(web::Data::new(backfill))
            .app_data(web::Data::from(verifier))
            .app_data(web::Data::from(readiness))
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
