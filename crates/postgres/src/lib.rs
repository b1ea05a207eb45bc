//! PostgreSQL adapter: the domain's store ports on diesel-async, the connection pool,
//! and the embedded migrations.
//!
//! [`PgStore`] implements [`DomainStore`](posthawk_domain::ports::DomainStore),
//! [`TenantStore`](posthawk_domain::ports::TenantStore),
//! [`FindingStore`](posthawk_domain::ports::FindingStore),
//! [`ProvisioningStore`](posthawk_domain::ports::ProvisioningStore) and
//! [`RefreshStore`](posthawk_domain::ports::RefreshStore); diesel and pool errors become
//! [`StoreError`](posthawk_domain::ports::StoreError) here and nowhere else.

mod domains;
mod error;
mod findings;
mod migrations;
mod pool;
mod provisioning;
mod refresh;
mod schema;
mod tenants;
#[cfg(feature = "testing")]
pub mod testing;

pub use migrations::{MigrationError, ensure_database_exists, run_migrations};
pub use pool::{PgPool, PoolConfig, PoolSetupError, connect};

/// The PostgreSQL implementation of the domain's stores.
#[derive(Clone)]
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    /// A store on `pool`.
    #[must_use]
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
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
