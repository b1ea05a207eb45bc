//! The event-destination backfill: re-applying the region's SNS event destination on
//! every tenant's configuration set, after the topic changed or to repair a partial
//! provisioning. Idempotent: a second run puts the same destination again.

use std::collections::HashMap;
use std::sync::Arc;

use futures::StreamExt as _;

use crate::Region;
use crate::ports::{StoreError, TenantAdmin, TenantRecord, TenantStore};
use crate::use_cases::error_chain;

/// The outcome, as the admin endpoint reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BackfillReport {
    /// Configuration sets whose event destination was put.
    pub tenants_updated: u64,
    /// Configuration sets that failed (each logged with its tenant and cause).
    pub errors: u64,
}

/// Why the backfill could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    /// The store is down; try again later.
    #[error("tenants are unavailable right now")]
    Unavailable(#[source] StoreError),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for BackfillError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error),
            other => Self::Unexpected(other.into()),
        }
    }
}

/// Re-applies event destinations across all tenants.
#[derive(Clone)]
pub struct EventDestinationBackfill {
    tenants: Arc<dyn TenantStore>,
    ses: Arc<dyn TenantAdmin>,
    topics: Arc<HashMap<Region, String>>,
    concurrency: usize,
}

impl EventDestinationBackfill {
    /// Puts each region's topic from `topics`, `concurrency` configuration sets at a time
    /// (the SES adapter's rate limit applies on top).
    #[must_use]
    pub fn new(
        tenants: Arc<dyn TenantStore>,
        ses: Arc<dyn TenantAdmin>,
        topics: HashMap<Region, String>,
        concurrency: usize,
    ) -> Self {
        Self {
            tenants,
            ses,
            topics: Arc::new(topics),
            concurrency: concurrency.max(1),
        }
    }

    /// Runs the backfill; `on_progress(done, total)` is called after each tenant.
    ///
    /// # Errors
    /// [`BackfillError`] when the tenants cannot be listed; failures of single tenants
    /// are counted in [`BackfillReport::errors`] instead.
    pub async fn run(
        &self,
        on_progress: &(dyn Fn(u64, u64) + Send + Sync),
    ) -> Result<BackfillReport, BackfillError> {
        let tenants = self.tenants.tenants_with_configuration_set().await?;
        let total = tenants.len() as u64;
        let mut report = BackfillReport::default();
        let mut results = futures::stream::iter(tenants)
            .map(|tenant| async move { self.put(&tenant).await })
            .buffer_unordered(self.concurrency);
        while let Some(updated) = results.next().await {
            if updated {
                report.tenants_updated += 1;
            } else {
                report.errors += 1;
            }
            on_progress(report.tenants_updated + report.errors, total);
        }
        tracing::info!(
            tenants_updated = report.tenants_updated,
            errors = report.errors,
            "event destination backfill finished"
        );
        Ok(report)
    }

    async fn put(&self, tenant: &TenantRecord) -> bool {
        let Some(topic) = self.topics.get(&tenant.region) else {
            tracing::error!(
                tenant = %tenant.name,
                region = %tenant.region,
                "no SNS event topic is configured for the tenant's region"
            );
            return false;
        };
        match self
            .ses
            .put_event_destination(&tenant.region, &tenant.configuration_set, topic)
            .await
        {
            Ok(()) => true,
            Err(error) => {
                tracing::warn!(
                    tenant = %tenant.name,
                    region = %tenant.region,
                    error = %error_chain(&error),
                    "could not put the event destination"
                );
                false
            }
        }
    }
}
