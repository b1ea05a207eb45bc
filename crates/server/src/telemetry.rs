//! Structured logs: JSON lines by default, human-readable with `LOG_FORMAT=pretty`.

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
