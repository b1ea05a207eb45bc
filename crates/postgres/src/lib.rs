//! PostgreSQL adapter: the domain's store ports on diesel-async, the connection pool,
//! and the embedded migrations.
//!
//! [`PgStore`] implements [`DomainStore`](posthawk_domain::ports::DomainStore),
//! [`TenantStore`](posthawk_domain::ports::TenantStore),
//! [`FindingStore`](posthawk_domain::ports::FindingStore),
//! [`ProvisioningStore`](posthawk_domain::ports::ProvisioningStore) and
//! [`RefreshStore`](posthawk_domain::ports::RefreshStore); diesel and pool errors become
//! [`StoreError`](posthawk_domain::ports::StoreError) here and nowhere else.
//!
//! The status read can be served from a [`StatusCache`] that `LISTEN/NOTIFY` keeps
//! coherent ([`status_cache`]): attach one with [`PgStore::with_status_cache`] and run
//! [`follow_status_changes`] beside it.

mod domains;
mod error;
mod findings;
mod migrations;
mod pool;
mod provisioning;
mod refresh;
mod schema;
pub mod status_cache;
mod tenants;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use posthawk_domain::WorkspaceId;

pub use migrations::{MigrationError, ensure_database_exists, run_migrations};
pub use pool::{PgPool, PoolConfig, PoolSetupError, connect};
pub use status_cache::{StatusCache, StatusCacheConfig, follow_status_changes};

/// Registers the descriptions of this crate's metrics with the installed recorder.
pub fn describe_metrics() {
    status_cache::describe_metrics();
}

/// The PostgreSQL implementation of the domain's stores.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
    status_cache: Option<Arc<StatusCache>>,
}

impl PgStore {
    /// A store on `pool`.
    #[must_use]
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            status_cache: None,
        }
    }

    /// Serves the status read from `cache` when it can, and evicts from it what this
    /// store's own writes change. The cache is bypassed until
    /// [`follow_status_changes`] runs for it.
    #[must_use]
    pub fn with_status_cache(self, cache: Arc<StatusCache>) -> Self {
        Self {
            status_cache: Some(cache),
            ..self
        }
    }

    /// Called after a committed write that may change `workspace`'s status read.
    fn status_changed(&self, workspace: WorkspaceId) {
        if let Some(cache) = &self.status_cache {
            cache.invalidate(workspace);
        }
    }

    /// Checks that the database answers, for readiness probes.
    ///
    /// # Errors
    /// The pool or query error when it does not.
    pub async fn ping(&self) -> anyhow::Result<()> {
        use diesel_async::RunQueryDsl;
        let mut conn = self.pool.get().await?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await?;
        Ok(())
    }
}
