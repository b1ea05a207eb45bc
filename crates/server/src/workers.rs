//! Background workers: the reconcilers that drive tenants toward what their domains
//! call for, and the refreshers that keep each tenant's reputation current. Several run
//! per process and any number of processes share their queues in PostgreSQL.

use std::time::Duration;

use posthawk_domain::use_cases::{PassReport, ReputationTracker, TenantLifecycle};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Starts `count` reconciler loops that run until `shutdown` turns true.
pub fn spawn_reconcilers(
    lifecycle: &TenantLifecycle,
    count: usize,
    poll: Duration,
    shutdown: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    (0..count)
        .map(|worker| {
            let lifecycle = lifecycle.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(reconcile_until_shutdown(worker, lifecycle, poll, shutdown))
        })
        .collect()
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
        let idle = match lifecycle.run_once().await {
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
            tokio::select! {
                () = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

/// Starts `count` reputation refresh loops that run until `shutdown` turns true.
pub fn spawn_refreshers(
    tracker: &ReputationTracker,
    count: usize,
    poll: Duration,
    shutdown: &watch::Receiver<bool>,
) -> Vec<JoinHandle<()>> {
    (0..count)
        .map(|worker| {
            let tracker = tracker.clone();
            let shutdown = shutdown.clone();
            tokio::spawn(refresh_until_shutdown(worker, tracker, poll, shutdown))
        })
        .collect()
}

async fn refresh_until_shutdown(
    worker: usize,
    tracker: ReputationTracker,
    poll: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = poll;
    while !*shutdown.borrow() {
        let pause = match tracker.run_once().await {
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
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}
