//! `posthawk-tenants`: the binary. Reads configuration, sets up logging, and runs one
//! subcommand; everything else lives in the library crates.

use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use posthawk_domain::WorkspaceId;
use posthawk_http::auth::TokenIssuer;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};
use posthawk_domain::use_cases::{DriftAudit, EventDestinationBackfill};
use posthawk_tenants::app::{self, Application};
use posthawk_tenants::config::{DatabaseConfig, JwtConfig, ServeConfig};
use posthawk_tenants::telemetry;

/// Per-workspace SES tenants and their reputation.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the HTTP API (creating and migrating the database first).
    Serve(Box<ServeConfig>),
    /// Creates the database if missing and applies pending migrations.
    Migrate(DatabaseConfig),
    /// Mints a token with the configured HS256 secret and prints it alone on stdout.
    /// Re-applies the region's SNS event destination on every tenant's configuration set
    /// (idempotent), with a progress bar; prints `{"tenants_updated": n, "errors": m}`.
    BackfillEventDestinations(Box<ServeConfig>),
    /// Compares PostgreSQL with what SES holds for every tenant and prints the drift:
    /// missing tenants, configuration sets, associations or event destinations, and
    /// `ph-` tenants in SES that no workspace owns. Without `--dry-run` it also repairs
    /// them: drifted tenants are queued for provisioning again (the reconciler of a
    /// running `serve` finishes them), orphans are deleted.
    Reconcile {
        /// Only report.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        config: Box<ServeConfig>,
    },
    /// Runs the SES v2 emulator alone (for other local services, or for `SES_ENDPOINT_URL`).
    Emulator {
        /// Address to listen on.
        #[arg(long, env = "EMULATOR_ADDR", default_value = "127.0.0.1:4566")]
        addr: std::net::SocketAddr,
        /// The account id in every ARN.
        #[arg(long, env = "SES_EMULATOR_ACCOUNT_ID", default_value = "123456789012")]
        account_id: String,
        /// Tenants per region before CreateTenant answers LimitExceededException.
        #[arg(long, default_value_t = 10_000)]
        tenant_quota: usize,
    },
    Token {
        /// The workspace the token speaks for.
        #[arg(long)]
        workspace: WorkspaceId,
        /// Adds the platform-operator role.
        #[arg(long)]
        admin: bool,
        /// Lifetime, such as `1h`, `30m` or `7d`.
        #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
        ttl: Duration,
        #[command(flatten)]
        jwt: JwtConfig,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init();
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(error = ?error, "fatal");
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(config) => {
            Application::build(*config)
                .await?
                .run_until_stopped()
                .await?
        }
        Command::Migrate(database) => {
            posthawk_postgres::ensure_database_exists(&database.database_url).await?;
            posthawk_postgres::run_migrations(&database.database_url).await?;
        }
        Command::BackfillEventDestinations(config) => backfill(*config).await?,
        Command::Reconcile { dry_run, config } => reconcile(*config, dry_run).await?,
        Command::Emulator {
            addr,
            account_id,
            tenant_quota,
        } => {
            let config = posthawk_ses_emulator::EmulatorConfig {
                account_id,
                tenant_quota,
            };
            posthawk_ses_emulator::Emulator::serve_until(addr, config, shutdown_signal()).await?;
        }
        Command::Token {
            workspace,
            admin,
            ttl,
            jwt,
        } => {
            let issuer = TokenIssuer::hs256(
                jwt.hs256_secret()?,
                jwt.jwt_issuer.clone(),
                jwt.jwt_audience.clone(),
            );
            let token = issuer.mint(workspace, admin, ttl)?;
            #[expect(clippy::print_stdout, reason = "the token is this command's output")]
            {
                println!("{token}");
            }
        }
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(signal) => signal,
                Err(error) => {
                    tracing::warn!(error = ?error, "cannot listen for SIGTERM");
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

async fn backfill(config: ServeConfig) -> anyhow::Result<()> {
    let environment = config.jwt.environment;
    let topics = config.ses.event_topics(&config.ses_regions, environment)?;
    let store = Arc::new(app::open_store(&config.database).await?);
    let (ses, _) = app::connect_ses(&config, false).await?;
    let backfill = EventDestinationBackfill::new(
        store,
        Arc::new(ses),
        topics,
        config.tracking.backfill_concurrency,
    );
    let bar = ProgressBar::new(0).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} configuration sets ({eta} left)")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let report = backfill
        .run(&|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish();
    let summary = serde_json::json!({
        "tenants_updated": report.tenants_updated,
        "errors": report.errors,
    });
    #[expect(clippy::print_stdout, reason = "the summary is this command's output")]
    {
        println!("{summary}");
    }
    if report.errors > 0 {
        anyhow::bail!(
            "{} configuration sets could not be updated; see the log",
            report.errors
        );
    }
    Ok(())
}

async fn reconcile(config: ServeConfig, dry_run: bool) -> anyhow::Result<()> {
    let topics = config
        .ses
        .event_topics(&config.ses_regions, config.jwt.environment)?;
    let store = Arc::new(app::open_store(&config.database).await?);
    let (ses, _) = app::connect_ses(&config, false).await?;
    let audit = DriftAudit::new(
        store.clone(),
        store,
        Arc::new(ses),
        topics,
        config.ses_regions.clone(),
    );
    let report = audit.run(dry_run).await?;
    #[expect(
        clippy::print_stdout,
        reason = "the drift report is this command's output"
    )]
    {
        for drift in &report.drift {
            println!("{drift}");
        }
        let verb = if dry_run { "found (dry run)" } else { "found" };
        println!(
            "{} drift {verb}; {} repaired, {} repairs failed",
            report.drift.len(),
            report.repaired,
            report.repair_errors
        );
    }
    if report.repair_errors > 0 {
        anyhow::bail!("{} repairs failed; see the log", report.repair_errors);
    }
    Ok(())
}
