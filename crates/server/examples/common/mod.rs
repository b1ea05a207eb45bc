//! What the benchmark examples share: the application built in-process from serve flags,
//! a log layer that counts what the emulator and the service report only in their logs
//! (the 429s the emulator answered), a row count on the benchmark's database, and the
//! statistics and formatting of the reports.

#![allow(
    dead_code,
    reason = "each example (a crate of its own) uses only part of this module"
)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use clap::Parser;
use diesel_async::RunQueryDsl as _;
use posthawk_postgres::PgPool;
use posthawk_tenants::app::Application;
use posthawk_tenants::config::ServeConfig;
use tracing_subscriber::filter::{EnvFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::reload;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{Layer as _, Registry};

/// The HS256 secret the applications verify tokens with, and the examples mint them with.
pub const SECRET: &str = "bench-secret-bench-secret-bench-secret-0123";

// ---------------------------------------------------------------------------------------
// The system under test

/// Wraps `ServeConfig` to parse it from flags, as the binary does.
#[derive(Parser)]
struct ServeCli {
    #[command(flatten)]
    serve: ServeConfig,
}

/// Builds an application from `serve` flags (as the binary would parse them) and runs it
/// in the background until the runtime ends; returns its base URL. Give it
/// `--http-addr 127.0.0.1:0`.
pub async fn spawn_app(flags: &[&str]) -> anyhow::Result<String> {
    let argv = std::iter::once("bench").chain(flags.iter().copied());
    let config = ServeCli::try_parse_from(argv)?.serve;
    let app = Application::build(config).await?;
    let url = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    Ok(url)
}

/// A `SELECT count(*) ...` on the benchmark's database.
pub async fn count(pool: &PgPool, query: &str) -> anyhow::Result<i64> {
    let mut conn = pool.get().await?;
    let count = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
        "({query})"
    )))
    .get_result(&mut *conn)
    .await?;
    Ok(count)
}

// ---------------------------------------------------------------------------------------
// Counting from the logs

/// What the emulator and the service report only in their logs: the calls the emulator
/// throttled (its `SES call` debug event with a `TooManyRequests` verdict), by operation,
/// and the provisioning passes that failed (the lifecycle's `tenant reconciliation
/// failed`).
#[derive(Debug, Default)]
pub struct Counters {
    throttled: Mutex<BTreeMap<String, u64>>,
    pub failed_passes: AtomicU64,
}

impl Counters {
    pub fn reset(&self) {
        self.throttled_by_operation().clear();
        self.failed_passes.store(0, Ordering::Relaxed);
    }

    /// The 429s the emulator answered since the last reset, by operation.
    pub fn throttled(&self) -> BTreeMap<String, u64> {
        self.throttled_by_operation().clone()
    }

    fn throttled_by_operation(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, u64>> {
        // A panic while counting leaves a usable map.
        self.throttled
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

struct CountingLayer(Arc<Counters>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for CountingLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        if fields.verdict.contains("TooManyRequests") {
            *self
                .0
                .throttled_by_operation()
                .entry(fields.operation)
                .or_default() += 1;
        } else if fields.message == "tenant reconciliation failed" {
            self.0.failed_passes.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[derive(Default)]
struct Fields {
    message: String,
    operation: String,
    verdict: String,
}

impl tracing::field::Visit for Fields {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        if field.name() == "operation" {
            value.clone_into(&mut self.operation);
        }
    }

    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        match field.name() {
            "message" => self.message = format!("{value:?}"),
            "verdict" => self.verdict = format!("{value:?}"),
            _ => {}
        }
    }
}

/// Logs to stderr filtered by `RUST_LOG` (default `error`), and the counting layer on the
/// events it needs.
pub fn install_logging() -> Logging {
    let counters = Arc::new(Counters::default());
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("error"));
    let (filter, silence) = reload::Layer::new(filter);
    let counted = Targets::new()
        .with_target("posthawk_ses_emulator::faults", tracing::Level::DEBUG)
        .with_target(
            "posthawk_domain::use_cases::lifecycle",
            tracing::Level::WARN,
        );
    Registry::default()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_filter(filter),
        )
        .with(CountingLayer(counters.clone()).with_filter(counted))
        .init();
    Logging { counters, silence }
}

/// The counters, and the handle that turns the log off once a scenario is over (the
/// applications have no stop handle: their workers would log errors about the dropped
/// database until the process exits).
pub struct Logging {
    pub counters: Arc<Counters>,
    silence: reload::Handle<EnvFilter, Registry>,
}

impl Logging {
    pub fn silence(&self) {
        // Fails only when the subscriber is gone, in which case nothing logs anyway.
        let _ = self
            .silence
            .modify(|filter| *filter = EnvFilter::new("off"));
    }
}

// ---------------------------------------------------------------------------------------
// Statistics and formatting

/// The `quantile` (0-1, nearest rank) of `key` over `items`; zero when empty.
pub fn percentile<T>(items: &[T], key: impl Fn(&T) -> Duration, quantile: f64) -> Duration {
    let mut values: Vec<Duration> = items.iter().map(key).collect();
    values.sort_unstable();
    nearest_rank(&values, quantile).unwrap_or_default()
}

pub fn percentile_u64<T>(items: &[T], key: impl Fn(&T) -> u64, quantile: f64) -> u64 {
    let mut values: Vec<u64> = items.iter().map(key).collect();
    values.sort_unstable();
    nearest_rank(&values, quantile).unwrap_or_default()
}

fn nearest_rank<T: Copy>(sorted: &[T], quantile: f64) -> Option<T> {
    let rank = (quantile * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len().max(1)) - 1).copied()
}

pub fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

pub fn secs(duration: Duration) -> String {
    format!("{:.2} s", duration.as_secs_f64())
}
