//! Structured logs (JSON lines by default, human-readable with `LOG_FORMAT=pretty`) and
//! the process's Prometheus metrics recorder.

use std::sync::OnceLock;

use metrics_exporter_prometheus::PrometheusHandle;
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. `RUST_LOG` filters (default `info`). Logs go to
/// stderr so that commands such as `token` keep stdout for their output.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let pretty = std::env::var("LOG_FORMAT").is_ok_and(|format| format == "pretty");
    // `try_init` fails only when a subscriber is already set (as in tests): keep it.
    let _ = if pretty {
        builder.try_init()
    } else {
        builder.json().flatten_event(true).try_init()
    };
}

/// The process's metrics recorder, installed as the global one on the first call
/// (with the descriptions of every metric the service records); later calls, as when a
/// test process builds many applications, get the same handle.
///
/// # Errors
/// When another global recorder was installed first (the attempt is not repeated).
pub fn install_metrics() -> anyhow::Result<PrometheusHandle> {
    static INSTALLED: OnceLock<Result<PrometheusHandle, String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            let recorder =
                posthawk_http::observability::prometheus_recorder().map_err(|e| e.to_string())?;
            let handle = recorder.handle();
            metrics::set_global_recorder(recorder).map_err(|e| e.to_string())?;
            posthawk_http::observability::describe_metrics();
            posthawk_ses::describe_metrics();
            posthawk_postgres::describe_metrics();
            crate::workers::describe_metrics();
            Ok(handle)
        })
        .clone()
        .map_err(|error| anyhow::anyhow!("installing the metrics recorder: {error}"))
}
