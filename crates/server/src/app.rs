//! Building the application from its configuration: a function tests call with port 0
//! to run a server of their own.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer};
use anyhow::Context as _;
use posthawk_domain::use_cases::ReputationQueries;
use posthawk_http::auth::JwtVerifier;
use posthawk_http::{ApiState, Readiness};
use posthawk_postgres::PgStore;

use crate::config::ServeConfig;

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Prepares the database (creating and migrating it), binds the listener and wires
    /// the adapters into the use cases.
    ///
    /// # Errors
    /// When the database cannot be prepared, the address cannot be bound, or the
    /// configuration is unusable.
    pub async fn build(config: ServeConfig) -> anyhow::Result<Self> {
        let database = &config.database;
        posthawk_postgres::ensure_database_exists(&database.database_url).await?;
        posthawk_postgres::run_migrations(&database.database_url).await?;
        let pool = posthawk_postgres::connect(&database.database_url, database.pool())?;
        let store = Arc::new(PgStore::new(pool));

        let queries = ReputationQueries::new(store.clone(), store.clone(), config.ses_regions);
        let verifier = JwtVerifier::new(&config.jwt.auth()?)?;
        let state = ApiState {
            queries,
            verifier: Arc::new(verifier),
            readiness: Arc::new(DatabaseReadiness(store)),
        };

        let listener = TcpListener::bind(config.http_addr)
            .with_context(|| format!("binding {}", config.http_addr))?;
        let port = listener.local_addr()?.port();
        let mut server =
            HttpServer::new(move || App::new().configure(posthawk_http::configure(state.clone())))
                .shutdown_timeout(10);
        if let Some(workers) = config.http_workers {
            server = server.workers(workers);
        }
        let server = server.listen(listener)?.run();
        tracing::info!(address = %config.http_addr, port, "listening");
        Ok(Self { port, server })
    }

    /// The bound port (useful when configured with port 0).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGINT or SIGTERM, then drains in-flight requests.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Ready when PostgreSQL answers.
struct DatabaseReadiness(Arc<PgStore>);

#[async_trait::async_trait]
impl Readiness for DatabaseReadiness {
    async fn check(&self) -> anyhow::Result<()> {
        self.0.ping().await
    }
}
