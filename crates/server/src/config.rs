//! Configuration: every setting from an environment variable (or the matching flag),
//! with defaults that run the service on a laptop.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use posthawk_domain::use_cases::TrackingConfig;
use posthawk_domain::{RateRule, Region, ServedRegions};
use posthawk_http::auth::{AuthConfig, JwtAlgorithm, JwtKey};
use posthawk_postgres::{PoolConfig, StatusCacheConfig};
use posthawk_ses::SesRetryMode;

/// The development JWT secret, accepted only in local mode.
pub const LOCAL_JWT_SECRET: &str = "posthawk-local-development-secret-not-for-production";

/// Where the service runs: decides which unsafe defaults are acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Environment {
    /// A developer machine: built-in JWT secret and the in-process SES emulator allowed.
    Local,
    /// Anything shared: every secret must be configured.
    Production,
}

/// Settings shared by every subcommand that touches the database.
#[derive(Debug, Clone, Args)]
pub struct DatabaseConfig {
    /// PostgreSQL URL; the database is created if missing.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/posthawk_tenants",
        hide_env_values = true
    )]
    pub database_url: String,

    /// Connections in the pool.
    #[arg(long, env = "DATABASE_POOL_SIZE", default_value_t = 16)]
    pub database_pool_size: usize,

    /// How long a request waits for a pooled connection before answering 503.
    #[arg(long, env = "DATABASE_POOL_WAIT", default_value = "2s", value_parser = humantime::parse_duration)]
    pub database_pool_wait: Duration,
}

impl DatabaseConfig {
    /// The pool settings.
    #[must_use]
    pub fn pool(&self) -> PoolConfig {
        PoolConfig {
            max_size: self.database_pool_size,
            wait_timeout: self.database_pool_wait,
            ..PoolConfig::default()
        }
    }
}

/// How tokens are verified and minted.
#[derive(Debug, Clone, Args)]
pub struct JwtConfig {
    /// Local or production; production refuses the built-in development secret.
    #[arg(
        long = "env",
        env = "POSTHAWK_ENV",
        value_enum,
        default_value = "local"
    )]
    pub environment: Environment,

    /// HS256 shared secret (default in local mode only: a built-in development secret).
    #[arg(long, env = "JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// Signature algorithm, pinned: tokens signed any other way are refused.
    #[arg(long, env = "JWT_ALGORITHM", value_enum, default_value = "hs256")]
    pub jwt_algorithm: Algorithm,

    /// PEM file with the public key, for RS256 or ES256.
    #[arg(long, env = "JWT_PUBLIC_KEY_FILE")]
    pub jwt_public_key_file: Option<PathBuf>,

    /// Required `iss` claim, when set.
    #[arg(long, env = "JWT_ISSUER")]
    pub jwt_issuer: Option<String>,

    /// Required `aud` claim, when set.
    #[arg(long, env = "JWT_AUDIENCE")]
    pub jwt_audience: Option<String>,

    /// Clock skew tolerated on `exp`.
    #[arg(long, env = "JWT_LEEWAY", default_value = "30s", value_parser = humantime::parse_duration)]
    pub jwt_leeway: Duration,
}

/// The algorithms a deployment can pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Algorithm {
    /// HMAC with SHA-256 and a shared secret.
    Hs256,
    /// RSA PKCS#1 v1.5 with SHA-256, verified with a public key.
    Rs256,
    /// ECDSA P-256 with SHA-256, verified with a public key.
    Es256,
}

impl JwtConfig {
    /// The HS256 secret to use: the configured one, or the development one in local mode.
    ///
    /// # Errors
    /// Outside local mode when no secret, or the development secret, is configured.
    pub fn hs256_secret(&self) -> anyhow::Result<String> {
        match (&self.jwt_secret, self.environment) {
            (Some(secret), Environment::Production) if secret == LOCAL_JWT_SECRET => {
                bail!("JWT_SECRET is the built-in development secret; set a real one in production")
            }
            (Some(secret), _) if secret.len() < 32 => {
                bail!("JWT_SECRET must be at least 32 bytes")
            }
            (Some(secret), _) => Ok(secret.clone()),
            (None, Environment::Local) => Ok(LOCAL_JWT_SECRET.to_owned()),
            (None, Environment::Production) => bail!("JWT_SECRET must be set in production"),
        }
    }

    /// The verifier's settings.
    ///
    /// # Errors
    /// A missing secret or key file, or the development secret outside local mode.
    pub fn auth(&self) -> anyhow::Result<AuthConfig> {
        let (algorithm, key) = match self.jwt_algorithm {
            Algorithm::Hs256 => (JwtAlgorithm::Hs256, JwtKey::Secret(self.hs256_secret()?)),
            Algorithm::Rs256 => (
                JwtAlgorithm::Rs256,
                JwtKey::PublicKeyPem(self.public_key()?),
            ),
            Algorithm::Es256 => (
                JwtAlgorithm::Es256,
                JwtKey::PublicKeyPem(self.public_key()?),
            ),
        };
        Ok(AuthConfig {
            algorithm,
            key,
            issuer: self.jwt_issuer.clone(),
            audience: self.jwt_audience.clone(),
            leeway: self.jwt_leeway,
        })
    }

    fn public_key(&self) -> anyhow::Result<String> {
        let path = self
            .jwt_public_key_file
            .as_ref()
            .context("JWT_PUBLIC_KEY_FILE must be set for RS256 and ES256")?;
        std::fs::read_to_string(path)
            .with_context(|| format!("reading JWT_PUBLIC_KEY_FILE {}", path.display()))
    }
}

/// How SES is reached, and the reconciler that provisions tenants there.
#[derive(Debug, Clone, Args)]
pub struct SesSettings {
    /// A custom SES endpoint (an emulator started separately, a VPC endpoint). Without it
    /// and without AWS credentials in the environment, local mode starts the built-in
    /// emulator in-process.
    #[arg(long, env = "SES_ENDPOINT_URL")]
    pub ses_endpoint_url: Option<String>,

    /// The SNS topic per region for configuration set events, as
    /// `us-east-1=arn:aws:sns:...,eu-north-1=arn:aws:sns:...`. Local mode defaults to a
    /// `posthawk-ses-events` topic in the emulator's account.
    #[arg(long, env = "SES_EVENT_TOPICS")]
    pub ses_event_topics: Option<String>,

    /// The account id of the built-in emulator.
    #[arg(long, env = "SES_EMULATOR_ACCOUNT_ID", default_value = "123456789012")]
    pub ses_emulator_account_id: String,

    /// Budget for one SES call, retries included.
    #[arg(long, env = "SES_OPERATION_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration)]
    pub ses_operation_timeout: Duration,

    /// Budget for one attempt of an SES call.
    #[arg(long, env = "SES_ATTEMPT_TIMEOUT", default_value = "3s", value_parser = humantime::parse_duration)]
    pub ses_attempt_timeout: Duration,

    /// Attempts per SES call, the first included.
    #[arg(long, env = "SES_MAX_ATTEMPTS", default_value_t = 3)]
    pub ses_max_attempts: u32,

    /// The SDK's retry mode: `adaptive` also slows every call after SES throttles.
    #[arg(long, env = "SES_RETRY_MODE", value_enum, default_value = "adaptive")]
    pub ses_retry_mode: RetryMode,

    /// SES calls per second per region this process makes at most; further calls wait.
    /// Size it so that all replicas together stay under the account's SES API rate.
    #[arg(long, env = "SES_MAX_CALLS_PER_SECOND", default_value_t = 20)]
    pub ses_max_calls_per_second: u32,

    /// Concurrent reconciler workers in this process.
    #[arg(long, env = "RECONCILER_WORKERS", default_value_t = 4)]
    pub reconciler_workers: usize,

    /// How often an idle reconciler worker looks for due work.
    #[arg(long, env = "RECONCILER_POLL", default_value = "1s", value_parser = humantime::parse_duration)]
    pub reconciler_poll: Duration,

    /// How long a worker holds a tenant before another replica may take it over.
    #[arg(long, env = "RECONCILER_LEASE", default_value = "2m", value_parser = humantime::parse_duration)]
    pub reconciler_lease: Duration,
}

/// How often each tenant's reputation is refreshed, and the rate rule.
#[derive(Debug, Clone, Args)]
pub struct TrackingSettings {
    /// Between refreshes of a quiet tenant.
    #[arg(long, env = "REFRESH_QUIET_INTERVAL", default_value = "15m", value_parser = humantime::parse_duration)]
    pub refresh_quiet_interval: Duration,

    /// Between refreshes of a tenant with open findings or a status change in the last hour.
    #[arg(long, env = "REFRESH_ACTIVE_INTERVAL", default_value = "2m", value_parser = humantime::parse_duration)]
    pub refresh_active_interval: Duration,

    /// Refresh workers in this process (each refreshes a batch at a time).
    #[arg(long, env = "REFRESH_WORKERS", default_value_t = 1)]
    pub refresh_workers: usize,

    /// Tenants a refresh worker claims per pass.
    #[arg(long, env = "REFRESH_BATCH", default_value_t = 100)]
    pub refresh_batch: usize,

    /// Tenants refreshed at once within a pass.
    #[arg(long, env = "REFRESH_CONCURRENCY", default_value_t = 8)]
    pub refresh_concurrency: usize,

    /// How often an idle refresh worker looks for due tenants.
    #[arg(long, env = "REFRESH_POLL", default_value = "1s", value_parser = humantime::parse_duration)]
    pub refresh_poll: Duration,

    /// The metrics window bounce and complaint rates are computed over.
    #[arg(long, env = "RATE_WINDOW", default_value = "24h", value_parser = humantime::parse_duration)]
    pub rate_window: Duration,

    /// Sends needed in the window before rates become findings.
    #[arg(long, env = "RATE_MINIMUM_SENDS", default_value_t = 200)]
    pub rate_minimum_sends: u64,

    /// Fraction of a threshold from which a rate is a WARNING.
    #[arg(long, env = "RATE_WARNING_FRACTION", default_value_t = 0.6)]
    pub rate_warning_fraction: f64,

    /// Configuration sets updated at once by the event-destination backfill.
    #[arg(long, env = "BACKFILL_CONCURRENCY", default_value_t = 8)]
    pub backfill_concurrency: usize,
}

impl TrackingSettings {
    /// The domain's tracking settings.
    #[must_use]
    pub fn tracking(&self) -> TrackingConfig {
        TrackingConfig {
            quiet_interval: self.refresh_quiet_interval,
            active_interval: self.refresh_active_interval,
            metrics_window: self.rate_window,
            rate_rule: RateRule {
                minimum_sends: self.rate_minimum_sends,
                warning_fraction: self.rate_warning_fraction,
                ..RateRule::default()
            },
            batch_size: self.refresh_batch,
            concurrency: self.refresh_concurrency,
            ..TrackingConfig::default()
        }
    }
}

/// Where SES calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SesTarget {
    /// The built-in emulator, started in-process on a loopback port.
    Embedded,
    /// A configured endpoint.
    Endpoint(String),
    /// Real SES, with the AWS default credential chain.
    Aws,
}

/// Variables that mean "AWS credentials are configured".
const AWS_CREDENTIAL_VARS: [&str; 5] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
];

impl SesSettings {
    /// Where SES calls go in `environment`.
    #[must_use]
    pub fn target(&self, environment: Environment) -> SesTarget {
        let aws_configured = AWS_CREDENTIAL_VARS
            .iter()
            .any(|var| std::env::var_os(var).is_some());
        match (&self.ses_endpoint_url, environment, aws_configured) {
            (Some(url), _, _) => SesTarget::Endpoint(url.clone()),
            (None, Environment::Local, false) => SesTarget::Embedded,
            (None, _, _) => SesTarget::Aws,
        }
    }

    /// The event topic of every served region.
    ///
    /// # Errors
    /// A malformed list, or (outside local mode) a served region without a topic.
    pub fn event_topics(
        &self,
        regions: &ServedRegions,
        environment: Environment,
    ) -> anyhow::Result<HashMap<Region, String>> {
        let mut topics = HashMap::new();
        for entry in self
            .ses_event_topics
            .iter()
            .flat_map(|list| list.split(','))
        {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            let (region, arn) = entry
                .split_once('=')
                .with_context(|| format!("SES_EVENT_TOPICS entry {entry:?} is not region=arn"))?;
            let region = Region::parse(region.trim())?;
            if !arn.trim().starts_with("arn:") {
                bail!("SES_EVENT_TOPICS entry for {region} is not an ARN");
            }
            topics.insert(region, arn.trim().to_owned());
        }
        for region in regions.iter() {
            if topics.contains_key(region) {
                continue;
            }
            if environment == Environment::Production {
                bail!("SES_EVENT_TOPICS has no SNS topic for served region {region}");
            }
            let local = format!(
                "arn:aws:sns:{region}:{}:posthawk-ses-events",
                self.ses_emulator_account_id
            );
            topics.insert(region.clone(), local);
        }
        Ok(topics)
    }
}

impl ServeConfig {
    /// The status cache's settings, `None` when it is turned off.
    #[must_use]
    pub fn status_cache(&self) -> Option<StatusCacheConfig> {
        (!self.status_cache_ttl.is_zero() && self.status_cache_capacity > 0).then_some(
            StatusCacheConfig {
                ttl: self.status_cache_ttl,
                capacity: self.status_cache_capacity,
            },
        )
    }
}

/// The SDK's retry modes, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RetryMode {
    /// Exponential backoff with jitter.
    Standard,
    /// Standard, plus a client-side rate limiter that backs off after throttling.
    Adaptive,
}

impl From<RetryMode> for SesRetryMode {
    fn from(mode: RetryMode) -> Self {
        match mode {
            RetryMode::Standard => Self::Standard,
            RetryMode::Adaptive => Self::Adaptive,
        }
    }
}

/// Everything `serve` needs.
#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, env = "HTTP_ADDR", default_value = "127.0.0.1:8080")]
    pub http_addr: SocketAddr,

    /// HTTP worker threads (default: one per core but one, and at least one: the main
    /// runtime, which drives the database connections, keeps a core).
    #[arg(long, env = "HTTP_WORKERS")]
    pub http_workers: Option<usize>,

    /// How long a workspace's statuses may be served from this process's cache when no
    /// change to them is announced (changes evict at once, see docs/architecture.md);
    /// `0s` turns the cache off.
    #[arg(long, env = "STATUS_CACHE_TTL", default_value = "30s", value_parser = humantime::parse_duration)]
    pub status_cache_ttl: Duration,

    /// Workspaces the status cache holds at most.
    #[arg(long, env = "STATUS_CACHE_CAPACITY", default_value_t = 50_000)]
    pub status_cache_capacity: usize,

    /// Comma-separated SES regions this deployment serves.
    #[arg(long, env = "SES_REGIONS", default_value = "us-east-1,eu-north-1", value_parser = parse_regions)]
    pub ses_regions: ServedRegions,

    #[command(flatten)]
    pub database: DatabaseConfig,

    #[command(flatten)]
    pub jwt: JwtConfig,

    #[command(flatten)]
    pub ses: SesSettings,

    #[command(flatten)]
    pub tracking: TrackingSettings,
}

fn parse_regions(text: &str) -> Result<ServedRegions, String> {
    ServedRegions::parse_list(text).map_err(|error| error.to_string())
}

/// One HTTP worker per core but one, and at least one. The main runtime needs a core as
/// well: it drives every database connection and runs the background workers. On 2 cores
/// with the load generator beside the service, two workers kept both cores busy serving
/// cached reads, and a cache miss then waited up to a third of a second for the
/// database's and the runtime's threads to be scheduled; with one worker no request
/// stalled (docs/benchmarks.md).
#[must_use]
pub fn default_http_workers() -> usize {
    std::thread::available_parallelism().map_or(1, |cores| cores.get().saturating_sub(1).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        jwt: JwtConfig,
    }

    fn jwt(args: &[&str]) -> JwtConfig {
        let mut argv = vec!["test"];
        argv.extend_from_slice(args);
        Cli::try_parse_from(argv).unwrap().jwt
    }

    #[test]
    fn local_mode_falls_back_to_the_development_secret() {
        assert_eq!(
            jwt(&["--env", "local"]).hs256_secret().unwrap(),
            LOCAL_JWT_SECRET
        );
    }

    #[test]
    fn production_refuses_a_missing_or_development_secret() {
        assert!(jwt(&["--env", "production"]).hs256_secret().is_err());
        let dev = format!("--jwt-secret={LOCAL_JWT_SECRET}");
        assert!(jwt(&["--env", "production", &dev]).hs256_secret().is_err());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(jwt(&["--jwt-secret", "short"]).hs256_secret().is_err());
    }

    #[test]
    fn public_key_algorithms_need_a_key_file() {
        assert!(jwt(&["--jwt-algorithm", "rs256"]).auth().is_err());
    }
}
