//! Building the application from its configuration: a function tests call with port 0
//! to run a server of their own, and the pieces the one-off commands share with it.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer};
use anyhow::{Context as _, bail};
use chrono::Utc;
use posthawk_domain::SendingStatus;
use posthawk_domain::ports::{ProvisioningStore as _, RefreshStore as _, SystemClock};
use posthawk_domain::use_cases::{
    DomainService, EventDestinationBackfill, LifecycleConfig, ReputationQueries, ReputationTracker,
    SendingService, TenantLifecycle,
};
use posthawk_http::auth::JwtVerifier;
use posthawk_http::observability::record_request_metrics;
use posthawk_http::{ApiState, GaugeSource, Readiness};
use posthawk_postgres::{PgStore, StatusCache};
use posthawk_ses::{SesAdapter, SesConfig};
use posthawk_ses_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{DatabaseConfig, ServeConfig, SesTarget};
use crate::{telemetry, workers};

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    status_cache: Option<Arc<StatusCache>>,
    server: Server,
    workers: Vec<JoinHandle<()>>,
    stop_workers: watch::Sender<bool>,
    emulator: Option<EmulatorHandle>,
}

impl Application {
    /// Installs the process's metrics recorder (once per process), prepares the database
    /// (creating and migrating it), starts the built-in SES emulator when no SES is
    /// configured, wires the adapters into the use cases, binds the listener and starts
    /// the background workers.
    ///
    /// # Errors
    /// When the configuration is unusable (checked before anything starts), another
    /// metrics recorder is installed, the database cannot be prepared, or an address
    /// cannot be bound.
    pub async fn build(config: ServeConfig) -> anyhow::Result<Self> {
        // Configuration errors first, before anything is created or started.
        let environment = config.jwt.environment;
        let regions = config.ses_regions.clone();
        let verifier = Arc::new(JwtVerifier::new(&config.jwt.auth()?)?);
        let event_topics = config.ses.event_topics(&regions, environment)?;
        let metrics = telemetry::install_metrics()?;

        let status_cache = config.status_cache().map(|c| Arc::new(StatusCache::new(c)));
        let mut store = open_store(&config.database).await?;
        if let Some(cache) = &status_cache {
            store = store.with_status_cache(cache.clone());
        }
        let store = Arc::new(store);
        let (ses, emulator) = connect_ses(&config, true).await?;
        let ses = Arc::new(ses);
        let clock = Arc::new(SystemClock);

        let lifecycle = TenantLifecycle::new(
            store.clone(),
            ses.clone(),
            clock.clone(),
            LifecycleConfig {
                event_topics: event_topics.clone(),
                lease: config.ses.reconciler_lease,
                ..LifecycleConfig::default()
            },
        );
        let tracker = ReputationTracker::new(
            store.clone(),
            store.clone(),
            store.clone(),
            ses.clone(),
            clock,
            config.tracking.tracking(),
        );
        let state = ApiState {
            queries: ReputationQueries::new(store.clone(), store.clone(), regions.clone()),
            domains: DomainService::new(store.clone(), store.clone(), lifecycle.clone(), regions),
            sending: SendingService::new(store.clone(), store.clone(), ses.clone()),
            backfill: EventDestinationBackfill::new(
                store.clone(),
                ses,
                event_topics,
                config.tracking.backfill_concurrency,
            ),
            verifier,
            readiness: Arc::new(DatabaseReadiness(store.clone())),
            metrics: metrics.clone(),
            gauges: Arc::new(DatabaseGauges(store)),
        };

        let listener = TcpListener::bind(config.http_addr)
            .with_context(|| format!("binding {}", config.http_addr))?;
        let port = listener.local_addr()?.port();
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(record_request_metrics))
                .configure(posthawk_http::configure(state.clone()))
        })
        .shutdown_timeout(10)
        .workers(
            config
                .http_workers
                .unwrap_or_else(crate::config::default_http_workers),
        );
        let server = server.listen(listener)?.run();

        let (stop_workers, stopped) = watch::channel(false);
        let mut workers = workers::spawn_reconcilers(
            &lifecycle,
            config.ses.reconciler_workers,
            config.ses.reconciler_poll,
            &stopped,
        );
        workers.extend(workers::spawn_refreshers(
            &tracker,
            config.tracking.refresh_workers,
            config.tracking.refresh_poll,
            &stopped,
        ));
        workers.push(workers::spawn_metrics_upkeep(metrics, &stopped));
        if let Some(cache) = &status_cache {
            workers.push(workers::spawn_status_listener(
                config.database.database_url.clone(),
                cache.clone(),
                &stopped,
            ));
        }
        tracing::info!(address = %config.http_addr, port, "listening");
        Ok(Self {
            port,
            status_cache,
            server,
            workers,
            stop_workers,
            emulator,
        })
    }

    /// The bound port (useful when configured with port 0).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The status cache, unless turned off: whether it is in use right now
    /// ([`StatusCache::is_live`]) is what tests and diagnostics want from it.
    #[must_use]
    pub fn status_cache(&self) -> Option<&Arc<StatusCache>> {
        self.status_cache.as_ref()
    }

    /// The built-in SES emulator, when this application started one.
    #[must_use]
    pub fn emulator(&self) -> Option<&EmulatorHandle> {
        self.emulator.as_ref()
    }

    /// Serves until SIGINT or SIGTERM, drains in-flight requests, lets the workers
    /// finish their current pass, then stops the built-in emulator.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        let _ = self.stop_workers.send(true);
        for worker in self.workers {
            if let Err(error) = worker.await {
                tracing::error!(error = ?error, "a background worker panicked");
            }
        }
        if let Some(emulator) = self.emulator {
            emulator.stop().await;
        }
        served
    }
}

/// The database, created and migrated if needed, behind a pool.
///
/// # Errors
/// When the database cannot be reached, created or migrated.
pub async fn open_store(database: &DatabaseConfig) -> anyhow::Result<PgStore> {
    posthawk_postgres::ensure_database_exists(&database.database_url).await?;
    posthawk_postgres::run_migrations(&database.database_url).await?;
    let pool = posthawk_postgres::connect(&database.database_url, database.pool())?;
    Ok(PgStore::new(pool))
}

/// The SES adapter the configuration calls for. With no SES configured in local mode,
/// starts the built-in emulator when `allow_embedded` (a one-off command has nothing
/// to do against an empty emulator, so it refuses instead).
///
/// # Errors
/// When the emulator cannot start, or no SES is configured and `allow_embedded` is off.
pub async fn connect_ses(
    config: &ServeConfig,
    allow_embedded: bool,
) -> anyhow::Result<(SesAdapter, Option<EmulatorHandle>)> {
    let settings = &config.ses;
    let (base, emulator) = match settings.target(config.jwt.environment) {
        SesTarget::Embedded if allow_embedded => {
            let emulator = Emulator::start(
                SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                EmulatorConfig {
                    account_id: settings.ses_emulator_account_id.clone(),
                    ..EmulatorConfig::default()
                },
            )
            .context("starting the built-in SES emulator")?;
            tracing::info!(endpoint = %emulator.endpoint_url(), "using the built-in SES emulator");
            (SesConfig::local(emulator.endpoint_url()), Some(emulator))
        }
        SesTarget::Embedded => {
            bail!("no SES is configured: set SES_ENDPOINT_URL or AWS credentials")
        }
        SesTarget::Endpoint(url) => {
            tracing::info!(endpoint = %url, "using a custom SES endpoint");
            (SesConfig::local(url), None)
        }
        SesTarget::Aws => (SesConfig::default(), None),
    };
    let ses_config = SesConfig {
        operation_timeout: settings.ses_operation_timeout,
        attempt_timeout: settings.ses_attempt_timeout,
        max_attempts: settings.ses_max_attempts,
        retry_mode: settings.ses_retry_mode.into(),
        max_calls_per_second: Some(settings.ses_max_calls_per_second),
        ..base
    };
    Ok((
        SesAdapter::new(ses_config, &config.ses_regions).await,
        emulator,
    ))
}

/// Ready when PostgreSQL answers.
struct DatabaseReadiness(Arc<PgStore>);

#[async_trait::async_trait]
impl Readiness for DatabaseReadiness {
    async fn check(&self) -> anyhow::Result<()> {
        self.0.ping().await
    }
}

/// The gauges of `GET /metrics`, read from PostgreSQL at scrape time.
struct DatabaseGauges(Arc<PgStore>);

#[async_trait::async_trait]
impl GaugeSource for DatabaseGauges {
    async fn refresh_lag(&self) -> anyhow::Result<Duration> {
        Ok(self.0.refresh_lag(Utc::now()).await?)
    }

    async fn tenants_by_status(&self) -> anyhow::Result<HashMap<SendingStatus, u64>> {
        Ok(self.0.tenant_counts_by_status().await?)
    }

    async fn reconciler_backlog(&self) -> anyhow::Result<u64> {
        Ok(self.0.backlog().await?)
    }
}
