//! Prometheus metrics of the HTTP API: the recorder every crate of the service records
//! into (through the `metrics` facade), and the middleware that times each request by
//! route pattern, method and status. `GET /metrics` renders them (`routes/prometheus.rs`).
//! The crate documentation shows the wiring.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use metrics_exporter_prometheus::{BuildError, PrometheusBuilder, PrometheusRecorder};

/// Histogram: request latency by `route` (the pattern, or `unmatched`), `method` and
/// `status`, in seconds.
pub const HTTP_REQUEST_DURATION: &str = "http_request_duration_seconds";

/// The `route` of requests no route matched (404s): one label value for all of them, as
/// the raw path would give every scanner's probe a series of its own.
pub const UNMATCHED: &str = "unmatched";

/// The upper bounds of every histogram's buckets, in seconds: from 1 ms (a cached read)
/// to 30 s (a long wait for the SES rate limit during a sweep).
pub const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// The recorder the service's metrics go to, with [`LATENCY_BUCKETS`] for every
/// histogram (rendered as Prometheus histograms, not summaries).
///
/// The server installs one per process (`metrics::set_global_recorder`) and hands its
/// [`handle`](PrometheusRecorder::handle) to [`ApiState`](crate::ApiState); tests can use
/// one as a local recorder (`metrics::set_default_local_recorder`). Nothing drains its
/// histograms in the background: call `run_upkeep` on the handle now and then (a scrape
/// does it too).
///
/// # Errors
/// Never with these buckets; the builder's checks stay visible.
pub fn prometheus_recorder() -> Result<PrometheusRecorder, BuildError> {
    Ok(PrometheusBuilder::new()
        .set_buckets(LATENCY_BUCKETS)?
        .build_recorder())
}

/// Registers the descriptions of the HTTP metrics (the `# HELP` lines) with the
/// installed recorder; call once, after installing it.
pub fn describe_metrics() {
    metrics::describe_histogram!(
        HTTP_REQUEST_DURATION,
        metrics::Unit::Seconds,
        "HTTP request latency, by route pattern, method and status."
    );
}

/// Middleware (`App::new().wrap(from_fn(record_request_metrics))`): times every request
/// into [`HTTP_REQUEST_DURATION`], labelled with the route pattern that matched it
/// (`/tenants/{region}/findings`, never the raw path), the method (`other` for methods
/// outside the standard nine) and the status (of the error too, when a service fails).
///
/// # Errors
/// Those of the wrapped service, unchanged.
pub async fn record_request_metrics(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .match_pattern()
        .unwrap_or_else(|| UNMATCHED.to_owned());
    let response = next.call(request).await;
    let status = match &response {
        Ok(response) => response.status(),
        Err(error) => error.as_response_error().status_code(),
    };
    metrics::histogram!(
        HTTP_REQUEST_DURATION,
        "route" => route,
        "method" => method,
        "status" => status.as_str().to_owned(),
    )
    .record(started.elapsed());
    response
}

/// The method as a label value: clients may send any token as a method, so only the
/// standard ones get a value of their own.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_standard_methods_get_a_label_of_their_own() {
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        let invented = Method::from_bytes(b"PROPFIND-1234").unwrap();
        assert_eq!(method_label(&invented), "other");
    }
}
