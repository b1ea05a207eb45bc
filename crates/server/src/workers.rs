//! Background workers: the reconcilers that drive tenants toward what their domains
//! call for. Several run per process and any number of processes share the queue in
//! PostgreSQL.

use std::time::Duration;

use posthawk_domain::use_cases::{PassReport, TenantLifecycle};
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
