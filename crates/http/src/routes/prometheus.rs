//! `GET /metrics`: everything the service recorded, plus the gauges read from the
//! database at scrape time, in the Prometheus text exposition format (no envelope, no
//! authentication).

use actix_web::{HttpResponse, web};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use posthawk_domain::SendingStatus;

use crate::routes::GaugeSource;

/// The content type of the text exposition format.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Gauge: how far behind schedule the most overdue reputation refresh is, in seconds.
const REFRESH_LAG: &str = "tenant_refresh_lag_seconds";
/// Gauge: tenants by the `sending_status` they show.
const TENANTS: &str = "tenants";
/// Gauge: tenants due for reconciler work.
const RECONCILER_BACKLOG: &str = "reconciler_backlog";

/// Prometheus metrics
///
/// The service's metrics in the Prometheus text exposition format (version 0.0.4), not
/// in the JSON envelope. No authentication: expose it to the scraper only. Besides what
/// the process recorded (`http_request_duration_seconds`, `ses_calls_total`,
/// `ses_call_duration_seconds`, `ses_rate_limit_wait_seconds`,
/// `reconciler_passes_total`, `reputation_refreshes_total`), it reads
/// `tenant_refresh_lag_seconds`, `tenants{sending_status}` and `reconciler_backlog` from
/// the database at each scrape; these are shared by all replicas, so aggregate them
/// with `max`, not `sum`. A gauge whose query fails is left out of that scrape.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "observability",
    responses((status = 200, description = "The metrics.", body = String,
        content_type = "text/plain",
        example = "# TYPE tenants gauge\ntenants{sending_status=\"ENABLED\"} 1\n"))
)]
pub(crate) async fn metrics(
    recorded: web::Data<PrometheusHandle>,
    gauges: web::Data<dyn GaugeSource>,
) -> HttpResponse {
    let read = read_gauges(gauges.get_ref()).await;
    let mut text = recorded.render();
    text.push_str(&read);
    HttpResponse::Ok().content_type(TEXT_FORMAT).body(text)
}

/// The database gauges, queried concurrently and rendered in a recorder of this scrape's
/// own: a gauge whose query failed is then absent from the scrape (Prometheus marks it
/// stale) instead of repeating a value that is no longer true.
async fn read_gauges(source: &dyn GaugeSource) -> String {
    let (lag, tenants, backlog) = futures::join!(
        source.refresh_lag(),
        source.tenants_by_status(),
        source.reconciler_backlog()
    );
    let scrape = PrometheusBuilder::new().build_recorder();
    metrics::with_local_recorder(&scrape, || {
        match lag {
            Ok(lag) => {
                metrics::describe_gauge!(
                    REFRESH_LAG,
                    metrics::Unit::Seconds,
                    "How far behind schedule the most overdue reputation refresh is."
                );
                metrics::gauge!(REFRESH_LAG).set(lag);
            }
            Err(error) => left_out(REFRESH_LAG, &error),
        }
        match tenants {
            Ok(counts) => {
                metrics::describe_gauge!(TENANTS, "Tenants, by the sending status they show.");
                for status in SendingStatus::ALL {
                    let count = counts.get(&status).copied().unwrap_or(0);
                    metrics::gauge!(TENANTS, "sending_status" => status.as_str()).set(count as f64);
                }
            }
            Err(error) => left_out(TENANTS, &error),
        }
        match backlog {
            Ok(backlog) => {
                metrics::describe_gauge!(RECONCILER_BACKLOG, "Tenants due for reconciler work.");
                metrics::gauge!(RECONCILER_BACKLOG).set(backlog as f64);
            }
            Err(error) => left_out(RECONCILER_BACKLOG, &error),
        }
    });
    scrape.handle().render()
}

fn left_out(gauge: &'static str, error: &anyhow::Error) {
    tracing::error!(gauge, error = ?error, "a gauge could not be read; it is left out of this scrape");
}
