//! Reputation refresh and event-destination backfill at scale (issue 5): the real
//! application, built in-process the way the end-to-end tests build it, on a database of
//! its own (created, migrated, and dropped at the end), talking to an in-process SES
//! emulator through `--ses-endpoint-url`, with N provisioned tenants (default 10,000)
//! spread evenly over the served regions (default `us-east-1,eu-north-1`).
//!
//! * Seeding, not measured: each tenant, its configuration set and their association are
//!   created in the emulator through `SesAdapter` (no rate limit), then the matching
//!   workspaces, domains and tenants are inserted in PostgreSQL with SQL as provisioning
//!   leaves them two days later: `ready`, `configuration_set_associated`, the ARN SES
//!   gave, `ENABLED` since provisioning, last checked an hour ago, and due now. No event
//!   destination yet: the first backfill creates them.
//! * `refresh`: the application starts with `--ses-max-calls-per-second` (default 50)
//!   and its refresh workers find every tenant due. Measures the time until each tenant
//!   has been refreshed once (its status read and its next refresh scheduled at the quiet
//!   interval, 1 h here, so none is refreshed twice) against the floor the limit sets:
//!   the SES calls the sweep made (GetReputationEntity, BatchGetMetricData,
//!   ListRecommendations; from the emulator's call counts, 429s left out) divided by the
//!   limit per region, the regions in parallel.
//! * `backfill 1` / `backfill 2`: `POST /tenants/backfill-event-destinations` with an
//!   admin token, twice: the first run creates every configuration set's SNS event
//!   destination (an update answered NotFound, then a create), the second updates them.
//!   Same floor, with the backfill's calls.
//!
//! The emulator plays SES's rate (`--rate`, default 50 calls/s per region): it answers
//! 429 above `rate` x regions calls per second, because its throttle is one sliding
//! one-second window for the whole account, not one per region (see
//! `posthawk_ses_emulator::Fault::Throttle`). With one region (`--regions us-east-1`) it
//! models SES's per-region rate exactly; with two it checks their sum. Every call is
//! also held `--latency-ms` (default 20 ms). Reported: the 429s the emulator answered
//! (per attempt, SDK retries included), the calls that still failed as throttled after
//! the SDK's retries (`ses_calls_total{outcome="throttled"}` on the service's `/metrics`),
//! and the refreshes that did (`reputation_refreshes_total{outcome="throttled"}`: such a
//! tenant is retried 30 s later, so it shows as extra time too). Exits with code 1
//! unless every tenant ends refreshed and every configuration set ends with its event
//! destination.
//!
//! ```sh
//! cargo run --release -p posthawk-tenants --example bench_reputation
//! cargo run --release -p posthawk-tenants --example bench_reputation -- --regions us-east-1
//! cargo run --release -p posthawk-tenants --example bench_reputation -- --ses-max-calls-per-second 45
//! cargo run --release -p posthawk-tenants --example bench_reputation -- --help
//! ```
//!
//! Needs the local PostgreSQL (`TEST_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). `RUST_LOG` filters the service's logs
//! on stderr (default `error`). Results: `docs/benchmarks.md`.

#![allow(
    clippy::print_stdout,
    reason = "a benchmark: its report is printed on stdout"
)]

mod common;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use chrono::{DateTime, Utc};
use clap::Parser;
use common::{Logging, SECRET, secs};
use diesel_async::RunQueryDsl as _;
use futures::{StreamExt as _, TryStreamExt as _};
use posthawk_domain::ports::{TenantAdmin as _, TenantResource};
use posthawk_domain::{ConfigurationSetName, Region, ServedRegions, TenantName, WorkspaceId};
use posthawk_http::auth::TokenIssuer;
use posthawk_postgres::PgPool;
use posthawk_postgres::testing::TestDatabase;
use posthawk_ses::{SesAdapter, SesConfig};
use posthawk_ses_emulator::{Emulator, EmulatorConfig, EmulatorState, Fault};
use serde_json::{Value, json};

/// The refresh interval of a quiet tenant during the run: longer than the run, so each
/// tenant is refreshed exactly once.
const QUIET_INTERVAL: &str = "1h";
/// A tenant counts as refreshed once its next refresh is further away than this: a claim
/// pushes it 5 minutes ahead (the claim lease), a throttled refresh 15-45 s, a failed one
/// about 2 minutes (the active interval), a successful quiet one 54-66 minutes.
const REFRESHED_BEYOND: &str = "10 minutes";
/// How often the database is polled for refreshed tenants.
const POLL: Duration = Duration::from_millis(250);
/// How often progress is printed on stderr.
const PROGRESS_EVERY: Duration = Duration::from_secs(30);

#[derive(Parser)]
#[command(
    about = "Reputation refresh and event-destination backfill of many tenants under an SES \
             rate limit, against an in-process application and SES emulator"
)]
struct Cli {
    /// Provisioned tenants (one workspace each), spread evenly over the regions.
    #[arg(long, default_value_t = 10_000)]
    tenants: usize,
    /// Served regions, comma-separated.
    #[arg(long, default_value = "us-east-1,eu-north-1", value_parser = ServedRegions::parse_list)]
    regions: ServedRegions,
    /// SES's rate per region: the emulator answers 429 above it (times the regions: its
    /// throttle is account-wide).
    #[arg(long, default_value_t = 50)]
    rate: u32,
    /// The service's own limit per region (its `--ses-max-calls-per-second`); the floor
    /// is computed from it.
    #[arg(long, default_value_t = 50)]
    ses_max_calls_per_second: u32,
    /// Emulated SES latency on every call, in milliseconds.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Refresh workers.
    #[arg(long, default_value_t = 2)]
    refresh_workers: usize,
    /// Tenants a refresh worker claims per pass.
    #[arg(long, default_value_t = 200)]
    refresh_batch: usize,
    /// Tenants a refresh worker refreshes at once.
    #[arg(long, default_value_t = 32)]
    refresh_concurrency: usize,
    /// Configuration sets the backfill updates at once.
    #[arg(long, default_value_t = 32)]
    backfill_concurrency: usize,
    /// Tenants created in the emulator at once while seeding.
    #[arg(long, default_value_t = 64)]
    seed_concurrency: usize,
    /// How long each phase may take before the run gives up.
    #[arg(long, default_value = "30m", value_parser = humantime::parse_duration)]
    timeout: Duration,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let logging = common::install_logging();
    run(&cli, &logging).await
}

async fn run(cli: &Cli, logging: &Logging) -> anyhow::Result<()> {
    ensure!(
        cli.tenants > 0 && cli.rate > 0 && cli.ses_max_calls_per_second > 0,
        "tenants and rates must be positive"
    );
    let regions: Vec<Region> = cli.regions.iter().cloned().collect();
    let region_count = u32::try_from(regions.len())?;

    // Setup: `TestDatabase::new` panics when PostgreSQL cannot be reached.
    let db = TestDatabase::new().await;
    let pool = db.pool();
    let emulator = Emulator::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        EmulatorConfig {
            tenant_quota: cli.tenants.max(EmulatorConfig::default().tenant_quota),
            ..EmulatorConfig::default()
        },
    )
    .context("starting the SES emulator")?;
    let endpoint = emulator.endpoint_url();
    let ses = emulator.state();
    let seeding = Instant::now();
    let tenants = seed_ses(&endpoint, &cli.regions, cli.tenants, cli.seed_concurrency).await?;
    seed_database(&pool, &regions, &tenants).await?;
    eprintln!(
        "seeded {} tenants in {} in {}",
        tenants.len(),
        regions_list(&regions),
        secs(seeding.elapsed())
    );
    ses.inject_fault("*", Fault::throttle(cli.rate * region_count))?;
    if cli.latency_ms > 0 {
        ses.inject_fault("*", Fault::latency(Duration::from_millis(cli.latency_ms)))?;
    }
    logging.counters.reset();
    let client = reqwest::Client::builder().timeout(cli.timeout).build()?;
    let before = Snapshot::take(&ses, logging, &client, None).await?;

    // Refresh: the clock starts before the application, whose refreshers start at once.
    let started = Instant::now();
    let since = Utc::now();
    let flags = serve_flags(cli, db.url(), &endpoint, &regions);
    let app = common::spawn_app(&flags.iter().map(String::as_str).collect::<Vec<_>>()).await?;
    let progress = wait_for_refresh(&pool, cli, since, started).await?;
    let wall = started.elapsed();
    let after = Snapshot::take(&ses, logging, &client, Some(&app)).await?;
    let refreshes = |outcome| {
        after
            .metrics
            .sum("reputation_refreshes_total", &[("outcome", outcome)])
    };
    let refresh = Refresh {
        phase: Phase::between(wall, &before, &after),
        refreshed: progress.refreshed,
        most_refreshed_at: progress.most_refreshed_at,
        refreshed_total: refreshes("refreshed"),
        throttled_total: refreshes("throttled"),
        failed_total: refreshes("failed"),
    };

    // Backfill, twice: creates the event destinations, then updates them.
    let admin = TokenIssuer::hs256(SECRET, None, None).mint(
        WorkspaceId::from_uuid(uuid::Uuid::new_v4()),
        true,
        cli.timeout,
    )?;
    let mut backfills = Vec::new();
    let mut before = after;
    for _ in 0..2 {
        let started = Instant::now();
        let report = backfill(&client, &app, &admin).await?;
        let wall = started.elapsed();
        let after = Snapshot::take(&ses, logging, &client, Some(&app)).await?;
        backfills.push(Backfill {
            report,
            phase: Phase::between(wall, &before, &after),
        });
        before = after;
    }
    let with_destination = configuration_sets_with_destination(&ses, &regions);

    print_report(cli, &regions, &refresh, &backfills, with_destination);
    // The application has no stop handle: silence its workers before the database goes.
    logging.silence();
    emulator.stop().await;
    drop(db);

    let tenants = cli.tenants as u64;
    ensure!(
        refresh.refreshed == tenants,
        "{} tenants were not refreshed",
        tenants.saturating_sub(refresh.refreshed)
    );
    ensure!(
        with_destination == cli.tenants,
        "{} configuration sets have no event destination",
        cli.tenants.saturating_sub(with_destination)
    );
    Ok(())
}

/// The refresh phase.
struct Refresh {
    phase: Phase,
    /// Tenants refreshed by the end.
    refreshed: u64,
    /// When 99% of the tenants were.
    most_refreshed_at: Option<Duration>,
    /// The service's `reputation_refreshes_total`, by outcome.
    refreshed_total: u64,
    throttled_total: u64,
    failed_total: u64,
}

/// One backfill run.
struct Backfill {
    report: BackfillReport,
    phase: Phase,
}

fn print_report(
    cli: &Cli,
    regions: &[Region],
    refresh: &Refresh,
    backfills: &[Backfill],
    with_destination: usize,
) {
    let region_count = regions.len();
    println!(
        "reputation: {} tenants over {}; service limit {} SES calls/s per region; emulator \
         throttle {}/s account-wide ({}/s x {region_count}), {} ms latency; refresh {} \
         workers x batch {} x concurrency {}, quiet interval {QUIET_INTERVAL}; backfill \
         concurrency {}",
        cli.tenants,
        regions_list(regions),
        cli.ses_max_calls_per_second,
        cli.rate * u32::try_from(region_count).unwrap_or(u32::MAX),
        cli.rate,
        cli.latency_ms,
        cli.refresh_workers,
        cli.refresh_batch,
        cli.refresh_concurrency,
        cli.backfill_concurrency,
    );
    // The floor: the limit per region, the regions in parallel.
    let rate = f64::from(cli.ses_max_calls_per_second.min(cli.rate)) * region_count as f64;
    println!(
        "{:<20} {:>9} {:>9} {:>6} {:>9} {:>7} {:>7}  result",
        "phase", "wall", "admitted", "429s", "floor", "x floor", "escaped"
    );
    refresh.phase.print_row(
        "refresh",
        rate,
        &format!(
            "{} of {} refreshed (99% after {}); refreshes throttled {}, failed {}",
            refresh.refreshed,
            cli.tenants,
            refresh
                .most_refreshed_at
                .map_or_else(|| "-".to_owned(), secs),
            refresh.throttled_total,
            refresh.failed_total,
        ),
    );
    for (run, backfill) in backfills.iter().enumerate() {
        let label = if run == 0 {
            "backfill 1 (create)"
        } else {
            "backfill 2 (update)"
        };
        backfill.phase.print_row(
            label,
            rate,
            &format!(
                "tenants_updated {}, errors {}",
                backfill.report.tenants_updated, backfill.report.errors
            ),
        );
    }
    println!(
        "  admitted: SES calls of the phase the emulator served; 429s: attempts it \
         throttled (the SDK retries them); floor: admitted / ({} per s x {region_count} \
         region(s)); escaped: calls that still failed as throttled after the SDK's retries",
        cli.ses_max_calls_per_second.min(cli.rate),
    );
    refresh.phase.print_details("refresh");
    for (run, backfill) in backfills.iter().enumerate() {
        backfill
            .phase
            .print_details(&format!("backfill {}", run + 1));
    }
    println!(
        "  reputation_refreshes_total: refreshed {}, throttled {}, failed {}",
        refresh.refreshed_total, refresh.throttled_total, refresh.failed_total
    );
    println!(
        "  configuration sets with the event destination after the backfills: \
         {with_destination} of {}",
        cli.tenants
    );
}

// ---------------------------------------------------------------------------------------
// Seeding

/// A tenant as provisioning leaves it in SES.
struct Seeded {
    workspace: WorkspaceId,
    region: Region,
    name: TenantName,
    arn: String,
}

/// Creates `count` tenants in SES, round-robin over the regions, each with its
/// configuration set associated: VDM is enabled in each region first, as provisioning
/// does.
async fn seed_ses(
    endpoint: &str,
    regions: &ServedRegions,
    count: usize,
    concurrency: usize,
) -> anyhow::Result<Vec<Seeded>> {
    let ses = SesAdapter::new(SesConfig::local(endpoint), regions).await;
    for region in regions.iter() {
        ses.enable_vdm(region).await?;
    }
    let ses = &ses;
    let regions: Vec<&Region> = regions.iter().collect();
    futures::stream::iter(regions.into_iter().cycle().take(count))
        .map(|region| async move {
            let workspace = WorkspaceId::from_uuid(uuid::Uuid::new_v4());
            let name = TenantName::for_workspace(workspace);
            let configuration_set = ConfigurationSetName::for_tenant(&name);
            let tenant = ses.create_tenant(region, &name, workspace).await?;
            ses.create_configuration_set(region, &configuration_set, workspace)
                .await?;
            ses.associate(
                region,
                &tenant,
                &TenantResource::ConfigurationSet(configuration_set),
            )
            .await?;
            Ok(Seeded {
                workspace,
                region: region.clone(),
                name,
                arn: tenant.arn,
            })
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await
}

/// Inserts the tenants' rows in one statement: each workspace with one active domain and
/// its ready tenant, ENABLED since it was provisioned two days ago (its one status
/// change), last checked an hour ago, due now; and the regions, VDM enabled.
const SEED_SQL: &str = "
WITH seed AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
        AS s(workspace uuid, region text, name text, arn text, domain text)
), new_workspaces AS (
    INSERT INTO workspaces (id, created_at)
    SELECT workspace, now() - interval '2 days' FROM seed
), new_domains AS (
    INSERT INTO domains (id, workspace_id, name, region, state, created_at)
    SELECT gen_random_uuid(), workspace, domain, region, 'active', now() - interval '2 days'
    FROM seed
), new_tenants AS (
    INSERT INTO tenants (workspace_id, region, name, configuration_set_name, arn,
                         provisioning_state, provisioning_step, needs_work, sending_status,
                         last_checked_at, next_refresh_at, created_at, updated_at)
    SELECT workspace, region, name, name, arn,
           'ready', 'configuration_set_associated', false, 'ENABLED',
           now() - interval '1 hour', now(), now() - interval '2 days', now() - interval '1 hour'
    FROM seed
    RETURNING id, created_at
)
INSERT INTO tenant_status_changes (tenant_id, from_status, to_status, observed_at)
SELECT id, NULL, 'ENABLED', created_at FROM new_tenants";

async fn seed_database(
    pool: &PgPool,
    regions: &[Region],
    tenants: &[Seeded],
) -> anyhow::Result<()> {
    let rows: Vec<Value> = tenants
        .iter()
        .enumerate()
        .map(|(i, tenant)| {
            json!({
                "workspace": tenant.workspace.to_string(),
                "region": tenant.region.as_str(),
                "name": tenant.name.as_str(),
                "arn": tenant.arn,
                "domain": format!("mail{i}.bench.example"),
            })
        })
        .collect();
    let mut conn = pool.get().await?;
    diesel::sql_query(SEED_SQL)
        .bind::<diesel::sql_types::Text, _>(Value::Array(rows).to_string())
        .execute(&mut *conn)
        .await
        .context("inserting the tenants")?;
    for region in regions {
        diesel::sql_query(
            "INSERT INTO regions (region, vdm_enabled_at) VALUES ($1, now() - interval '2 days')",
        )
        .bind::<diesel::sql_types::Text, _>(region.as_str())
        .execute(&mut *conn)
        .await
        .context("inserting the regions")?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The phases

/// The application's `serve` flags.
fn serve_flags(cli: &Cli, database_url: &str, endpoint: &str, regions: &[Region]) -> Vec<String> {
    [
        ("--http-addr", "127.0.0.1:0".to_owned()),
        ("--http-workers", "2".to_owned()),
        ("--database-url", database_url.to_owned()),
        ("--jwt-secret", SECRET.to_owned()),
        ("--ses-endpoint-url", endpoint.to_owned()),
        ("--ses-regions", regions_list(regions)),
        (
            "--ses-max-calls-per-second",
            cli.ses_max_calls_per_second.to_string(),
        ),
        ("--reconciler-workers", "1".to_owned()),
        ("--refresh-workers", cli.refresh_workers.to_string()),
        ("--refresh-batch", cli.refresh_batch.to_string()),
        ("--refresh-concurrency", cli.refresh_concurrency.to_string()),
        ("--refresh-quiet-interval", QUIET_INTERVAL.to_owned()),
        (
            "--backfill-concurrency",
            cli.backfill_concurrency.to_string(),
        ),
    ]
    .into_iter()
    .flat_map(|(flag, value)| [flag.to_owned(), value])
    .collect()
}

/// How far the refresh got.
struct RefreshProgress {
    /// Tenants refreshed when the wait ended.
    refreshed: u64,
    /// When 99% of the tenants were refreshed.
    most_refreshed_at: Option<Duration>,
}

/// Waits until every tenant has been refreshed since `since`, or the timeout.
async fn wait_for_refresh(
    pool: &PgPool,
    cli: &Cli,
    since: DateTime<Utc>,
    started: Instant,
) -> anyhow::Result<RefreshProgress> {
    let query = format!(
        "SELECT count(*) FROM tenants WHERE last_checked_at >= '{}' \
         AND next_refresh_at > now() + interval '{REFRESHED_BEYOND}'",
        since.to_rfc3339()
    );
    let tenants = cli.tenants as u64;
    let mut most_refreshed_at = None;
    let mut next_progress = PROGRESS_EVERY;
    loop {
        let refreshed = u64::try_from(common::count(pool, &query).await?)?;
        if most_refreshed_at.is_none() && refreshed * 100 >= tenants * 99 {
            most_refreshed_at = Some(started.elapsed());
        }
        if refreshed >= tenants || started.elapsed() > cli.timeout {
            return Ok(RefreshProgress {
                refreshed,
                most_refreshed_at,
            });
        }
        if started.elapsed() >= next_progress {
            eprintln!(
                "refresh: {refreshed} of {tenants} after {}",
                secs(started.elapsed())
            );
            next_progress += PROGRESS_EVERY;
        }
        tokio::time::sleep(POLL).await;
    }
}

/// What `POST /tenants/backfill-event-destinations` answered.
#[derive(serde::Deserialize)]
struct BackfillReport {
    tenants_updated: u64,
    errors: u64,
}

async fn backfill(
    client: &reqwest::Client,
    app: &str,
    admin_token: &str,
) -> anyhow::Result<BackfillReport> {
    let response = client
        .post(format!("{app}/tenants/backfill-event-destinations"))
        .bearer_auth(admin_token)
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    ensure!(
        status.is_success(),
        "the backfill answered {status}: {body}"
    );
    Ok(serde_json::from_value(body["data"].clone())?)
}

/// Configuration sets in the emulator that have an event destination.
fn configuration_sets_with_destination(ses: &EmulatorState, regions: &[Region]) -> usize {
    regions
        .iter()
        .map(|region| {
            ses.inventory(region.as_str())
                .configuration_sets
                .iter()
                .filter(|set| !set.event_destinations.is_empty())
                .count()
        })
        .sum()
}

// ---------------------------------------------------------------------------------------
// Measuring

/// Counts at one moment: the emulator's calls and 429s by operation, and the service's
/// metrics.
struct Snapshot {
    calls: BTreeMap<String, u64>,
    throttled: BTreeMap<String, u64>,
    metrics: Metrics,
}

impl Snapshot {
    /// `app` is the service's base URL, `None` before it runs (no metric yet).
    async fn take(
        ses: &EmulatorState,
        logging: &Logging,
        client: &reqwest::Client,
        app: Option<&str>,
    ) -> anyhow::Result<Self> {
        let metrics = match app {
            Some(app) => Metrics::scrape(client, app).await?,
            None => Metrics::default(),
        };
        Ok(Self {
            calls: ses.call_counts(),
            throttled: logging.counters.throttled(),
            metrics,
        })
    }
}

/// What one phase did.
struct Phase {
    wall: Duration,
    /// Calls the emulator counted, by operation (429s included).
    calls: BTreeMap<String, u64>,
    /// 429s the emulator answered, by operation.
    throttled: BTreeMap<String, u64>,
    /// Calls that waited for the service's limiter, by region.
    limiter_turns: BTreeMap<String, u64>,
    /// Calls that failed as throttled after the SDK's retries.
    escaped: u64,
}

impl Phase {
    fn between(wall: Duration, before: &Snapshot, after: &Snapshot) -> Self {
        let delta = |after: &BTreeMap<String, u64>, before: &BTreeMap<String, u64>| {
            after
                .iter()
                .map(|(key, count)| {
                    let earlier = before.get(key).copied().unwrap_or(0);
                    (key.clone(), count.saturating_sub(earlier))
                })
                .filter(|(_, count)| *count > 0)
                .collect()
        };
        Self {
            wall,
            calls: delta(&after.calls, &before.calls),
            throttled: delta(&after.throttled, &before.throttled),
            limiter_turns: delta(
                &after
                    .metrics
                    .by_label("ses_rate_limit_wait_seconds_count", "region"),
                &before
                    .metrics
                    .by_label("ses_rate_limit_wait_seconds_count", "region"),
            ),
            escaped: after
                .metrics
                .sum("ses_calls_total", &[("outcome", "throttled")])
                .saturating_sub(
                    before
                        .metrics
                        .sum("ses_calls_total", &[("outcome", "throttled")]),
                ),
        }
    }

    /// Calls the emulator admitted: they count against its rate, 429s do not.
    fn admitted(&self) -> u64 {
        let throttled: u64 = self.throttled.values().sum();
        self.calls.values().sum::<u64>().saturating_sub(throttled)
    }

    /// The wall time `rate` calls per second (all regions together) would need.
    fn floor(&self, rate: f64) -> Duration {
        Duration::from_secs_f64(self.admitted() as f64 / rate)
    }

    fn print_row(&self, label: &str, rate: f64, result: &str) {
        let floor = self.floor(rate);
        println!(
            "{label:<20} {:>9} {:>9} {:>6} {:>9} {:>7.3} {:>7}  {result}",
            secs(self.wall),
            self.admitted(),
            self.throttled.values().sum::<u64>(),
            secs(floor),
            self.wall.as_secs_f64() / floor.as_secs_f64(),
            self.escaped,
        );
    }

    fn print_details(&self, label: &str) {
        println!(
            "  {label}: calls by operation {:?}; 429s {:?}; limiter turns by region {:?}; \
             {:.1} calls/s admitted",
            self.calls,
            self.throttled,
            self.limiter_turns,
            self.admitted() as f64 / self.wall.as_secs_f64(),
        );
    }
}

/// The service's `/metrics` (Prometheus text), sample by sample.
#[derive(Default)]
struct Metrics(Vec<Sample>);

struct Sample {
    name: String,
    /// The text between the braces, e.g. `operation="GetTenant",outcome="ok"`.
    labels: String,
    value: f64,
}

impl Metrics {
    async fn scrape(client: &reqwest::Client, app: &str) -> anyhow::Result<Self> {
        let response = client.get(format!("{app}/metrics")).send().await?;
        ensure!(
            response.status().is_success(),
            "/metrics answered {}",
            response.status()
        );
        Ok(Self::parse(&response.text().await?))
    }

    fn parse(text: &str) -> Self {
        let samples = text
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let (series, value) = line.rsplit_once(' ')?;
                let (name, labels) = match series.split_once('{') {
                    Some((name, labels)) => (name, labels.strip_suffix('}')?),
                    None => (series, ""),
                };
                Some(Sample {
                    name: name.to_owned(),
                    labels: labels.to_owned(),
                    value: value.parse().ok()?,
                })
            })
            .collect();
        Self(samples)
    }

    /// The sum of `name`'s samples that carry each of `labels` (label values here never
    /// contain quotes, so matching `key="value"` in the label text is exact enough).
    fn sum(&self, name: &str, labels: &[(&str, &str)]) -> u64 {
        let total: f64 = self
            .0
            .iter()
            .filter(|sample| sample.name == name)
            .filter(|sample| {
                labels
                    .iter()
                    .all(|(key, value)| sample.labels.contains(&format!("{key}=\"{value}\"")))
            })
            .map(|sample| sample.value)
            .sum();
        total as u64
    }

    /// `name`'s samples by the value of their label `key`.
    fn by_label(&self, name: &str, key: &str) -> BTreeMap<String, u64> {
        let prefix = format!("{key}=\"");
        self.0
            .iter()
            .filter(|sample| sample.name == name)
            .filter_map(|sample| {
                let (_, rest) = sample.labels.split_once(&prefix)?;
                let (value, _) = rest.split_once('"')?;
                Some((value.to_owned(), sample.value as u64))
            })
            .collect()
    }
}

fn regions_list(regions: &[Region]) -> String {
    regions
        .iter()
        .map(Region::as_str)
        .collect::<Vec<_>>()
        .join(",")
}
