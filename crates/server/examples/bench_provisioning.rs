//! Provisioning benchmarks (issue 4): the real application, built in-process the way the
//! end-to-end tests build it, on a database of its own (created, migrated, and dropped at
//! the end), talking to an in-process SES emulator through `--ses-endpoint-url`, driven
//! over HTTP with minted tokens.
//!
//! * `single` — how long one workspace's first domain takes to provision with emulated
//!   SES latency on every call (default 20 ms): from `POST /domains` until
//!   `GET /domains` shows it `active`, against the sequential-call floor (the SES calls
//!   the provisioning made, from the emulator's call counts, times the latency). Each run
//!   uses a fresh workspace and starts once SES has been quiet for a while (the previous
//!   tenant's first reputation refresh is over); the first also pays
//!   `PutAccountVdmAttributes` once for the region, so it is reported apart.
//! * `burst` — N workspaces (default 1,000) each add one domain at once (bounded client
//!   concurrency, default 64 in flight) while the emulator throttles SES to 50 calls/s
//!   and the service's own limiter (`--ses-max-calls-per-second`) is given 50/s split
//!   across the replicas. Measures the time until every domain is active against the
//!   floor (provisioning's SES calls admitted / 50 per s; the reputation refresher's
//!   reads of the new tenants share the rate and are counted apart), counts the 429s the
//!   emulator answered, and fails (exit code 1) unless every domain ends `active` with
//!   no tenant left failing.
//!
//! ```sh
//! cargo run --release -p posthawk-tenants --example bench_provisioning -- single
//! cargo run --release -p posthawk-tenants --example bench_provisioning -- burst
//! cargo run --release -p posthawk-tenants --example bench_provisioning -- burst --replicas 3
//! cargo run --release -p posthawk-tenants --example bench_provisioning -- help burst
//! ```
//!
//! Needs the local PostgreSQL (`TEST_DATABASE_URL`, default
//! `postgres://postgres@127.0.0.1:5432/postgres`). Only `us-east-1` is served, so the
//! service's per-region limiter and the emulator's account-wide throttle see the same
//! calls. `RUST_LOG` filters the service's logs on stderr (default `error`: the failed
//! attempts are counted, not printed). Results: `docs/benchmarks.md`.

#![allow(
    clippy::print_stdout,
    reason = "a benchmark: its report is printed on stdout"
)]

mod common;

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use clap::{Args, Parser, Subcommand};
use common::{Logging, SECRET, ms, percentile, percentile_u64, secs};
use futures::StreamExt as _;
use posthawk_domain::WorkspaceId;
use posthawk_http::auth::TokenIssuer;
use posthawk_postgres::PgPool;
use posthawk_postgres::testing::TestDatabase;
use posthawk_ses_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Fault};
use serde_json::{Value, json};

const REGION: &str = "us-east-1";
const TOKEN_TTL: Duration = Duration::from_secs(3600);

/// The SES operations provisioning a tenant and its domains calls. Other calls (the
/// reputation refresher reading a tenant once it is ready) are counted apart.
const PROVISIONING_OPERATIONS: [&str; 8] = [
    "PutAccountVdmAttributes",
    "CreateTenant",
    "GetTenant",
    "CreateConfigurationSet",
    "UpdateConfigurationSetEventDestination",
    "CreateConfigurationSetEventDestination",
    "CreateEmailIdentity",
    "CreateTenantResourceAssociation",
];

/// How long SES must see no call before a `single` run starts: longer than the
/// refresher's poll, so the previous tenant's first refresh is over and does not compete
/// with the run for the service's rate limit.
const QUIET: Duration = Duration::from_millis(1500);

#[derive(Parser)]
#[command(about = "Provisioning benchmarks against an in-process application and SES emulator")]
struct Cli {
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Subcommand)]
enum Scenario {
    /// One workspace's first domain at a time, with SES latency on every call.
    Single(SingleArgs),
    /// Many workspaces' first domains at once, under an SES rate limit.
    Burst(BurstArgs),
}

#[derive(Args)]
struct SingleArgs {
    /// Workspaces provisioned one after the other.
    #[arg(long, default_value_t = 20)]
    runs: usize,
    /// Emulated SES latency on every call, in milliseconds.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// The service's own SES call limit per region (the service's default is 20).
    #[arg(long, default_value_t = 20)]
    ses_max_calls_per_second: u32,
}

#[derive(Args)]
struct BurstArgs {
    /// Workspaces, each adding one domain.
    #[arg(long, default_value_t = 1000)]
    workspaces: usize,
    /// `POST /domains` requests in flight at once.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// SES's rate for the account: the emulator answers 429 above it, and the replicas'
    /// limiters share it (each gets `rate / replicas`, rounded down).
    #[arg(long, default_value_t = 50)]
    rate: u32,
    /// Applications on the one database and the one emulator.
    #[arg(long, default_value_t = 1)]
    replicas: u32,
    /// Each replica's own SES call limit, instead of `rate / replicas`.
    #[arg(long)]
    ses_max_calls_per_second: Option<u32>,
    /// Emulated SES latency on every call, in milliseconds.
    #[arg(long, default_value_t = 20)]
    latency_ms: u64,
    /// Reconciler workers per replica.
    #[arg(long, default_value_t = 4)]
    reconciler_workers: usize,
    /// How often an idle reconciler looks for due work.
    #[arg(long, default_value = "1s")]
    reconciler_poll: String,
    /// How long to wait for every domain to become active before giving up.
    #[arg(long, default_value = "15m", value_parser = humantime::parse_duration)]
    timeout: Duration,
    /// A further `serve` flag for every replica, e.g. `--serve-flag=--ses-max-attempts=1`
    /// (repeatable).
    #[arg(long = "serve-flag", allow_hyphen_values = true)]
    serve_flags: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let logging = common::install_logging();
    match cli.scenario {
        Scenario::Single(args) => single(args, &logging).await,
        Scenario::Burst(args) => burst(args, &logging).await,
    }
}

// ---------------------------------------------------------------------------------------
// Scenarios

async fn single(args: SingleArgs, logging: &Logging) -> anyhow::Result<()> {
    let latency = Duration::from_millis(args.latency_ms);
    let bench = Bench::start(
        1,
        &[
            "--ses-max-calls-per-second",
            &args.ses_max_calls_per_second.to_string(),
        ],
    )
    .await?;
    let ses = bench.emulator.state();
    ses.inject_fault("*", Fault::latency(latency))?;

    let mut runs = Vec::with_capacity(args.runs);
    for run in 0..args.runs {
        bench.wait_until_quiet().await;
        let workspace = WorkspaceId::from_uuid(uuid::Uuid::new_v4());
        let calls_before = bench.provisioning_calls();
        let started = Instant::now();
        let (status, body) = bench
            .add_domain(0, workspace, &format!("mail.single{run}.example"))
            .await?;
        let post = started.elapsed();
        ensure!(status == 201, "POST /domains answered {status}: {body}");
        // Provisioning runs inside the POST; a reconciler may have taken the tenant
        // first, in which case the domain turns active a little later.
        loop {
            if bench.all_active(workspace).await? {
                break;
            }
            ensure!(
                started.elapsed() < Duration::from_secs(30),
                "run {run}: not active after 30 s"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let active = started.elapsed();
        let calls = bench.provisioning_calls() - calls_before;
        runs.push(SingleRun {
            calls,
            floor: latency * u32::try_from(calls)?,
            post,
            active,
        });
    }

    println!(
        "single: {} workspaces one after the other (SES quiet for {} ms before each), \
         {} ms SES latency on every call, service limit {} SES calls/s",
        args.runs,
        QUIET.as_millis(),
        args.latency_ms,
        args.ses_max_calls_per_second
    );
    println!(
        "{:<22} {:>9} {:>9} {:>9} {:>13} {:>11}",
        "", "SES calls", "floor", "POST", "until active", "over floor"
    );
    if let Some((first, rest)) = runs.split_first() {
        first.print_row("first (pays VDM)");
        if !rest.is_empty() {
            for (label, quantile) in [("others p50", 0.5), ("others p90", 0.9)] {
                let at = |key: fn(&SingleRun) -> Duration| percentile(rest, key, quantile);
                println!(
                    "{label:<22} {:>9} {:>9} {:>9} {:>13} {:>11}",
                    percentile_u64(rest, |r| r.calls, quantile),
                    ms(at(|r| r.floor)),
                    ms(at(|r| r.post)),
                    ms(at(|r| r.active)),
                    ms(at(|r| r.active.saturating_sub(r.floor))),
                );
            }
            let worst = rest.iter().max_by_key(|r| r.active);
            if let Some(worst) = worst {
                worst.print_row("others max");
            }
        }
    }
    println!("  calls by operation: {:?}", ses.call_counts());
    logging.silence();
    bench.finish().await;
    Ok(())
}

struct SingleRun {
    calls: u64,
    floor: Duration,
    post: Duration,
    active: Duration,
}

impl SingleRun {
    fn print_row(&self, label: &str) {
        println!(
            "{label:<22} {:>9} {:>9} {:>9} {:>13} {:>11}",
            self.calls,
            ms(self.floor),
            ms(self.post),
            ms(self.active),
            ms(self.active.saturating_sub(self.floor)),
        );
    }
}

async fn burst(args: BurstArgs, logging: &Logging) -> anyhow::Result<()> {
    let counters = &logging.counters;
    ensure!(args.replicas >= 1, "at least one replica");
    let per_replica = args
        .ses_max_calls_per_second
        .unwrap_or((args.rate / args.replicas).max(1));
    let (per_replica_flag, workers_flag) =
        (per_replica.to_string(), args.reconciler_workers.to_string());
    let mut flags = vec![
        "--ses-max-calls-per-second",
        &per_replica_flag,
        "--reconciler-workers",
        &workers_flag,
        "--reconciler-poll",
        &args.reconciler_poll,
    ];
    flags.extend(args.serve_flags.iter().map(String::as_str));
    let bench = Bench::start(args.replicas, &flags).await?;
    let ses = bench.emulator.state();
    ses.inject_fault("*", Fault::throttle(args.rate))?;
    if args.latency_ms > 0 {
        ses.inject_fault("*", Fault::latency(Duration::from_millis(args.latency_ms)))?;
    }
    let workspaces: Vec<WorkspaceId> = (0..args.workspaces)
        .map(|_| WorkspaceId::from_uuid(uuid::Uuid::new_v4()))
        .collect();
    let replicas = bench.apps.len();
    counters.reset();

    let started = Instant::now();
    let posts: Vec<anyhow::Result<(u16, Value, Duration)>> =
        futures::stream::iter(workspaces.iter().enumerate())
            .map(|(i, workspace)| {
                let bench = &bench;
                async move {
                    let sent = Instant::now();
                    let (status, body) = bench
                        .add_domain(i % replicas, *workspace, &format!("mail.burst{i}.example"))
                        .await?;
                    Ok((status, body, sent.elapsed()))
                }
            })
            .buffer_unordered(args.concurrency)
            .collect()
            .await;
    let posts_done = started.elapsed();

    let mut post_latencies = Vec::with_capacity(posts.len());
    let mut refused = 0_usize;
    let mut pending_after_post = 0_usize;
    for post in posts {
        let (status, body, latency) = post?;
        post_latencies.push(latency);
        if status != 201 {
            refused += 1;
            if refused <= 3 {
                eprintln!("POST /domains answered {status}: {body}");
            }
        } else if body["data"]["status"] != "active" {
            pending_after_post += 1;
        }
    }

    // Every domain active, per the database (cheap to poll), then per the API.
    let all_active_at = loop {
        let left = bench
            .count("SELECT count(*) FROM domains WHERE state <> 'active'")
            .await?;
        if left == 0 {
            break Some(started.elapsed());
        }
        if started.elapsed() > args.timeout {
            break None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let not_active_in_api = bench
        .count_not_active(&workspaces, args.concurrency)
        .await?;
    let not_ready = bench
        .count("SELECT count(*) FROM tenants WHERE provisioning_state <> 'ready' OR needs_work")
        .await?;
    let with_error = bench
        .count("SELECT count(*) FROM tenants WHERE last_error IS NOT NULL")
        .await?;
    let inventory = ses.inventory(REGION);

    let calls = ses.call_counts();
    let throttled = counters.throttled();
    let provisioning = CallTally::of(&calls, &throttled, true);
    let others = CallTally::of(&calls, &throttled, false);
    let rate = f64::from(args.rate);
    let floor = Duration::from_secs_f64(provisioning.admitted() as f64 / rate);
    let floor_all =
        Duration::from_secs_f64((provisioning.admitted() + others.admitted()) as f64 / rate);

    println!(
        "burst: {} workspaces x 1 domain, {} in flight, {} replica(s) at {}/s each, \
         emulator throttle {}/s, {} ms latency, {} reconciler workers/replica (poll {})",
        args.workspaces,
        args.concurrency,
        args.replicas,
        per_replica,
        args.rate,
        args.latency_ms,
        args.reconciler_workers,
        args.reconciler_poll,
    );
    if !args.serve_flags.is_empty() {
        println!("  serve flags: {}", args.serve_flags.join(" "));
    }
    let row = |label: &str, value: String| println!("  {label:<44} {value}");
    row("all POSTs answered after", secs(posts_done));
    row(
        "all domains active after",
        all_active_at.map_or_else(|| format!("not within {}", secs(args.timeout)), secs),
    );
    row("floor: provisioning calls admitted / rate", secs(floor));
    if let Some(at) = all_active_at {
        row(
            "  ratio to the floor",
            format!("{:.2}", at.as_secs_f64() / floor.as_secs_f64()),
        );
    }
    row("floor with the refresher's calls", secs(floor_all));
    row(
        "POST latency p50 / p99 / max",
        format!(
            "{} / {} / {}",
            secs(percentile(&post_latencies, |d| *d, 0.5)),
            secs(percentile(&post_latencies, |d| *d, 0.99)),
            secs(post_latencies.iter().copied().max().unwrap_or_default()),
        ),
    );
    row(
        "provisioning calls made / 429 / admitted",
        provisioning.to_string(),
    );
    row(
        "  admitted per workspace",
        format!(
            "{:.2}",
            provisioning.admitted() as f64 / args.workspaces as f64
        ),
    );
    row(
        "other (refresh) calls made / 429 / admitted",
        others.to_string(),
    );
    row(
        "failed provisioning passes (retried later)",
        counters.failed_passes.load(Ordering::Relaxed).to_string(),
    );
    row(
        "domains not yet active when POST answered",
        pending_after_post.to_string(),
    );
    row("POSTs refused (non-201)", refused.to_string());
    row(
        "domains not active at the end (API)",
        not_active_in_api.to_string(),
    );
    row("tenants not ready at the end", not_ready.to_string());
    row(
        "tenants with a last_error at the end",
        with_error.to_string(),
    );
    row(
        "SES inventory: tenants / config sets / identities",
        format!(
            "{} / {} / {}",
            inventory.tenants.len(),
            inventory.configuration_sets.len(),
            inventory.identities.len()
        ),
    );
    println!("  calls by operation: {calls:?}");
    println!("  429s by operation: {throttled:?}");
    logging.silence();
    bench.finish().await;

    ensure!(refused == 0, "{refused} POSTs were refused");
    ensure!(all_active_at.is_some(), "not every domain became active");
    ensure!(
        not_active_in_api == 0 && not_ready == 0 && with_error == 0,
        "failures left: {not_active_in_api} domains not active, {not_ready} tenants not \
         ready, {with_error} with an error"
    );
    ensure!(
        inventory.tenants.len() == args.workspaces && inventory.identities.len() == args.workspaces,
        "SES does not hold one tenant and one identity per workspace"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The system under test

/// Applications on one database and one emulator, and a client for them.
struct Bench {
    /// Base URLs of the replicas.
    apps: Vec<String>,
    emulator: EmulatorHandle,
    client: reqwest::Client,
    issuer: TokenIssuer,
    pool: PgPool,
    /// Dropped last: drops the database (connections included).
    db: TestDatabase,
}

impl Bench {
    /// Setup: a fresh database (`TestDatabase::new` panics when PostgreSQL cannot be
    /// reached), an emulator on a free port, and `replicas` applications on both, with
    /// `extra` serve flags.
    async fn start(replicas: u32, extra: &[&str]) -> anyhow::Result<Self> {
        let db = TestDatabase::new().await;
        let emulator = Emulator::start(
            SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            EmulatorConfig::default(),
        )
        .context("starting the SES emulator")?;
        let endpoint = emulator.endpoint_url();
        let mut apps = Vec::new();
        for _ in 0..replicas {
            let mut flags = vec![
                "--http-addr",
                "127.0.0.1:0",
                "--http-workers",
                "2",
                "--database-url",
                db.url(),
                "--jwt-secret",
                SECRET,
                "--ses-endpoint-url",
                &endpoint,
                "--ses-regions",
                REGION,
            ];
            flags.extend_from_slice(extra);
            apps.push(common::spawn_app(&flags).await?);
        }
        Ok(Self {
            apps,
            emulator,
            client: reqwest::Client::new(),
            issuer: TokenIssuer::hs256(SECRET, None, None),
            pool: db.pool(),
            db,
        })
    }

    /// Stops the emulator; the applications stop with the runtime, the database when
    /// `self` is dropped.
    async fn finish(self) {
        let Self { emulator, db, .. } = self;
        emulator.stop().await;
        drop(db);
    }

    fn token(&self, workspace: WorkspaceId) -> anyhow::Result<String> {
        Ok(self.issuer.mint(workspace, false, TOKEN_TTL)?)
    }

    /// `POST /domains` on replica `app`: the status code and the body.
    async fn add_domain(
        &self,
        app: usize,
        workspace: WorkspaceId,
        name: &str,
    ) -> anyhow::Result<(u16, Value)> {
        let response = self
            .client
            .post(format!("{}/domains", self.apps[app]))
            .bearer_auth(self.token(workspace)?)
            .json(&json!({"name": name, "region": REGION}))
            .send()
            .await?;
        Ok((response.status().as_u16(), response.json().await?))
    }

    /// Whether `GET /domains` shows every domain of `workspace` active (and at least one).
    async fn all_active(&self, workspace: WorkspaceId) -> anyhow::Result<bool> {
        let response = self
            .client
            .get(format!("{}/domains", self.apps[0]))
            .bearer_auth(self.token(workspace)?)
            .send()
            .await?;
        let status = response.status();
        let body: Value = response.json().await?;
        ensure!(
            status.is_success(),
            "GET /domains answered {status}: {body}"
        );
        let domains = body["data"].as_array().context("a list of domains")?;
        Ok(!domains.is_empty() && domains.iter().all(|d| d["status"] == "active"))
    }

    /// How many of `workspaces` do not show all their domains active over the API.
    async fn count_not_active(
        &self,
        workspaces: &[WorkspaceId],
        concurrency: usize,
    ) -> anyhow::Result<usize> {
        let checks: Vec<anyhow::Result<bool>> = futures::stream::iter(workspaces)
            .map(|workspace| self.all_active(*workspace))
            .buffer_unordered(concurrency)
            .collect()
            .await;
        let mut not_active = 0;
        for check in checks {
            if !check? {
                not_active += 1;
            }
        }
        Ok(not_active)
    }

    /// A `SELECT count(*) ...` on the benchmark's database.
    async fn count(&self, query: &str) -> anyhow::Result<i64> {
        common::count(&self.pool, query).await
    }

    /// Every SES call the emulator has counted, failed ones included.
    fn total_calls(&self) -> u64 {
        self.emulator.state().call_counts().values().sum()
    }

    /// The calls of [`PROVISIONING_OPERATIONS`] the emulator has counted.
    fn provisioning_calls(&self) -> u64 {
        let counts = self.emulator.state().call_counts();
        PROVISIONING_OPERATIONS
            .iter()
            .filter_map(|operation| counts.get(*operation))
            .sum()
    }

    /// Waits until SES has seen no call for [`QUIET`].
    async fn wait_until_quiet(&self) {
        loop {
            let before = self.total_calls();
            tokio::time::sleep(QUIET).await;
            if self.total_calls() == before {
                return;
            }
        }
    }
}

/// SES calls of one kind (provisioning or not): made, and answered 429.
struct CallTally {
    made: u64,
    throttled: u64,
}

impl CallTally {
    fn of(
        calls: &BTreeMap<String, u64>,
        throttled: &BTreeMap<String, u64>,
        provisioning: bool,
    ) -> Self {
        let sum = |counts: &BTreeMap<String, u64>| {
            counts
                .iter()
                .filter(|(operation, _)| {
                    PROVISIONING_OPERATIONS.contains(&operation.as_str()) == provisioning
                })
                .map(|(_, count)| count)
                .sum()
        };
        Self {
            made: sum(calls),
            throttled: sum(throttled),
        }
    }

    fn admitted(&self) -> u64 {
        self.made.saturating_sub(self.throttled)
    }
}

impl std::fmt::Display for CallTally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} / {} / {}",
            self.made,
            self.throttled,
            self.admitted()
        )
    }
}
