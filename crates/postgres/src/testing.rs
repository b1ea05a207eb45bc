//! A throwaway database per test: created and migrated on [`TestDatabase::new`],
//! dropped (with any open connections) when the value is dropped.
//!
//! The server comes from `TEST_DATABASE_URL` (any database on it; default
//! `postgres://postgres@127.0.0.1:5432/postgres`).

#![allow(
    clippy::expect_used,
    clippy::panic,
    reason = "test support: failing loudly is the point"
)]

use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
use posthawk_domain::WorkspaceId;
use url::Url;

use crate::migrations::{quote_identifier, split_database_url};
use crate::{PgPool, PgStore, PoolConfig, connect, run_migrations};

const DEFAULT_SERVER_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A migrated database that exists for as long as this value.
pub struct TestDatabase {
    name: String,
    url: String,
    admin_url: String,
}

impl TestDatabase {
    /// Creates and migrates a database with a fresh random name.
    ///
    /// # Panics
    /// When PostgreSQL cannot be reached or the migrations fail.
    pub async fn new() -> Self {
        let server =
            std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_SERVER_URL.into());
        let name = format!("ph_test_{}", uuid::Uuid::new_v4().simple());
        let mut url = Url::parse(&server).expect("TEST_DATABASE_URL is a URL");
        url.set_path(&format!("/{name}"));
        let url = url.to_string();
        let (admin_url, _) = split_database_url(&url).expect("a usable server URL");

        let mut admin = AsyncPgConnection::establish(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin_url} is not reachable: {e}"));
        diesel::sql_query(format!("CREATE DATABASE {}", quote_identifier(&name)))
            .execute(&mut admin)
            .await
            .expect("create the test database");
        run_migrations(&url)
            .await
            .expect("migrate the test database");
        Self {
            name,
            url,
            admin_url,
        }
    }

    /// The database's URL.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A small pool on the database.
    #[must_use]
    pub fn pool(&self) -> PgPool {
        connect(
            &self.url,
            PoolConfig {
                max_size: 4,
                ..PoolConfig::default()
            },
        )
        .expect("pool")
    }

    /// A store on a fresh pool.
    #[must_use]
    pub fn store(&self) -> PgStore {
        PgStore::new(self.pool())
    }

    /// Adds an active domain to `workspace` in `region` behind the status cache's back:
    /// in a session with `session_replication_role = replica`, where the triggers that
    /// announce changes do not fire. A cached read that does not count it came from the
    /// cache.
    ///
    /// # Panics
    /// When the insert fails.
    pub async fn add_domain_unannounced(&self, workspace: WorkspaceId, region: &str) {
        let mut conn = AsyncPgConnection::establish(&self.url)
            .await
            .expect("connect to the test database");
        diesel::sql_query("SET session_replication_role = replica")
            .execute(&mut conn)
            .await
            .expect("turn the triggers off");
        diesel::sql_query(
            "INSERT INTO domains (id, workspace_id, name, region, state) \
             VALUES (gen_random_uuid(), $1, gen_random_uuid() || '.example.net', $2, 'active')",
        )
        .bind::<diesel::sql_types::Uuid, _>(workspace.as_uuid())
        .bind::<diesel::sql_types::Text, _>(region)
        .execute(&mut conn)
        .await
        .expect("insert the domain");
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop may run inside or outside a runtime: do the async work on a thread of its
        // own, with a runtime of its own.
        let admin_url = self.admin_url.clone();
        let statement = format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote_identifier(&self.name)
        );
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let mut admin = AsyncPgConnection::establish(&admin_url).await?;
                diesel::sql_query(statement).execute(&mut admin).await?;
                anyhow::Ok(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: test database {} was not dropped", self.name);
        }
    }
}
