//! Background workers: the reconcilers that drive tenants toward what their domains
//! call for, and the refreshers that keep each tenant's reputation current. Several run
//! per process and any number of processes share their queues in PostgreSQL. Each pass
//! is counted in `reconciler_passes_total` / `reputation_refreshes_total`. One more task
//! keeps the metrics recorder tidy, and one keeps the status cache coherent.

use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusHandle;
use posthawk_domain::use_cases::{PassReport, ReputationTracker, SweepReport, TenantLifecycle};
use posthawk_postgres::{StatusCache, follow_status_changes};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Counter: reconciler passes by `outcome`: `idle` (nothing due), `reconciled`,
/// `failed` (the tenant's attempt failed and is retried later) or `queue_unreachable`.
const RECONCILER_PASSES: &str = "reconciler_passes_total";
/// Counter: tenant reputation refreshes by `outcome`: `refreshed`, `throttled` or
/// `failed`.
const REPUTATION_REFRESHES: &str = "reputation_refreshes_total";

/// Registers the descriptions of the workers' metrics with the installed recorder.
pub fn describe_metrics() {
    metrics::describe_counter!(
        RECONCILER_PASSES,
        "Reconciler passes, by outcome (idle, reconciled, failed, queue_unreachable)."
    );
    metrics::describe_counter!(
        REPUTATION_REFRESHES,
        "Tenant reputation refreshes, by outcome (refreshed, throttled, failed)."
    );
}

/// Starts `count` tasks running `work(worker_number, shutdown)`.
fn spawn_each<Work, Loop>(
    count: usize,
    shutdown: &watch::Receiver<bool>,
    work: Work,
) -> Vec<JoinHandle<()>>
where
    Work: Fn(usize, watch::Receiver<bool>) -> Loop,
    Loop: Future<Output = ()> + Send + 'static,
{
    (0..count)
        .map(|worker| tokio::spawn(work(worker, shutdown.clone())))
        .collect()
}

/// Sleeps for `pause`, or less if shutdown is asked for meanwhile.
async fn pause_unless_stopped(pause: Duration, shutdown: &mut watch::Receiver<bool>) {
    tokio::select! {
        () = tokio::time::sleep(pause) => {}
        _ = shutdown.changed() => {}
    }
}

/// Starts `count` reconciler loops that run until `shutdown` turns true.
pub fn spawn_reconcilers(
    lifecycle: &TenantLifecycle,
    count: usize,
    poll: Duration,
    shutdown: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    spawn_each(count, shutdown, |worker, shutdown| {
        reconcile_until_shutdown(worker, lifecycle.clone(), poll, shutdown)
    })
}

async fn reconcile_until_shutdown(
    worker: usize,
    lifecycle: TenantLifecycle,
    poll: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    while !*shutdown.borrow() {
        // A pass in progress finishes before shutdown is noticed: its progress is
        // recorded step by step, so stopping between passes loses nothing.
        let pass = lifecycle.run_once().await;
        metrics::counter!(RECONCILER_PASSES, "outcome" => pass_outcome(&pass)).increment(1);
        let idle = match pass {
            Ok(PassReport::Idle) => true,
            Ok(PassReport::Reconciled {
                tenant,
                outcome,
                done,
            }) => {
                tracing::info!(
                    worker,
                    tenant = tenant.0,
                    ?outcome,
                    done,
                    "tenant reconciled"
                );
                false
            }
            // Already logged with its cause by the lifecycle.
            Ok(PassReport::Failed { .. }) => false,
            Err(error) => {
                tracing::error!(worker, error = ?error, "reconciler could not reach its queue");
                true
            }
        };
        if idle {
            pause_unless_stopped(poll, &mut shutdown).await;
        }
    }
}

fn pass_outcome<E>(pass: &Result<PassReport, E>) -> &'static str {
    match pass {
        Ok(PassReport::Idle) => "idle",
        Ok(PassReport::Reconciled { .. }) => "reconciled",
        Ok(PassReport::Failed { .. }) => "failed",
        Err(_) => "queue_unreachable",
    }
}

/// Starts the task that keeps `cache` coherent with PostgreSQL (`LISTEN/NOTIFY`) until
/// `shutdown` turns true.
pub fn spawn_status_listener(
    database_url: String,
    cache: Arc<StatusCache>,
    shutdown: &watch::Receiver<bool>,
) -> JoinHandle<()> {
    let mut shutdown = shutdown.clone();
    tokio::spawn(async move {
        let stop = async move {
            // An error means the sender is gone: the application is stopping too.
            let _ = shutdown.wait_for(|stop| *stop).await;
        };
        follow_status_changes(&database_url, &cache, stop).await;
    })
}

/// Starts `count` reputation refresh loops that run until `shutdown` turns true.
pub fn spawn_refreshers(
    tracker: &ReputationTracker,
    count: usize,
    poll: Duration,
    shutdown: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    spawn_each(count, shutdown, |worker, shutdown| {
        refresh_until_shutdown(worker, tracker.clone(), poll, shutdown)
    })
}

async fn refresh_until_shutdown(
    worker: usize,
    tracker: ReputationTracker,
    poll: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = poll;
    while !*shutdown.borrow() {
        let sweep = tracker.run_once().await;
        if let Ok(report) = &sweep {
            record_refreshes(report);
        }
        let pause = match sweep {
            Ok(report) if report.throttled > 0 => {
                // SES pushed back despite the rate limit (other clients share the
                // account's quota): slow down, doubling up to a minute.
                backoff = (backoff * 2).min(Duration::from_secs(60));
                tracing::warn!(worker, throttled = report.throttled, pause = ?backoff, "SES throttled reputation refreshes");
                Some(backoff)
            }
            Ok(report) => {
                backoff = poll;
                if report.refreshed + report.failed > 0 {
                    tracing::debug!(worker, ?report, "reputation refresh pass");
                    None
                } else {
                    Some(poll)
                }
            }
            Err(error) => {
                tracing::error!(worker, error = ?error, "refresher could not reach its schedule");
                Some(poll)
            }
        };
        if let Some(pause) = pause {
            pause_unless_stopped(pause, &mut shutdown).await;
        }
    }
}

fn record_refreshes(report: &SweepReport) {
    for (outcome, count) in [
        ("refreshed", report.refreshed),
        ("throttled", report.throttled),
        ("failed", report.failed),
    ] {
        metrics::counter!(REPUTATION_REFRESHES, "outcome" => outcome).increment(u64::from(count));
    }
}

/// Starts the task that drains the recorder's histogram samples into their buckets every
/// few seconds, so memory stays flat between scrapes, until `shutdown` turns true.
pub fn spawn_metrics_upkeep(
    metrics: PrometheusHandle,
    shutdown: &watch::Receiver<bool>,
) -> JoinHandle<()> {
    let mut shutdown = shutdown.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(5));
        loop {
            tokio::select! {
                _ = every.tick() => metrics.run_upkeep(),
                // Shutdown, or the application is gone.
                _ = shutdown.wait_for(|stop| *stop) => break,
            }
        }
    })
}
