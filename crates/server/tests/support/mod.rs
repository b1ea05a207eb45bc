//! Test support: an application of its own per test (port 0, a database created for the
//! test and dropped after it, the built-in SES emulator or a shared one), a client with
//! minted tokens, and polling helpers for what the reconciler finishes in the background.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "shared by several test binaries; failing loudly is the point"
)]

use std::sync::Arc;
use std::time::Duration;

use clap::{CommandFactory as _, FromArgMatches as _, Parser};
use posthawk_domain::WorkspaceId;
use posthawk_http::auth::TokenIssuer;
use posthawk_postgres::StatusCache;
use posthawk_postgres::testing::TestDatabase;
use posthawk_ses_emulator::{EmulatorState, RegionInventory};
use posthawk_tenants::app::Application;
use posthawk_tenants::config::ServeConfig;
use serde_json::{Value, json};

pub const SECRET: &str = "test-secret-test-secret-test-secret-0123";

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    serve: ServeConfig,
}

/// A running application and what a test needs to talk to it.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    /// The emulator the application sends SES calls to, and its endpoint.
    pub ses: EmulatorState,
    pub ses_endpoint: String,
    pub db_url: String,
    /// The application's status cache, unless turned off.
    pub status_cache: Option<Arc<StatusCache>>,
    issuer: TokenIssuer,
}

/// Builds the serve configuration a test application runs with; `extra` flags come
/// last and override the defaults here.
pub fn config(database_url: &str, extra: &[&str]) -> ServeConfig {
    let mut args = vec![
        "test",
        "--http-addr",
        "127.0.0.1:0",
        "--http-workers",
        "2",
        "--database-url",
        database_url,
        "--jwt-secret",
        SECRET,
        "--reconciler-poll",
        "50ms",
        "--reconciler-workers",
        "2",
        "--ses-max-calls-per-second",
        "1000",
        "--refresh-quiet-interval",
        "150ms",
        "--refresh-active-interval",
        "150ms",
        "--refresh-poll",
        "50ms",
    ];
    args.extend_from_slice(extra);
    let matches = Cli::command()
        .args_override_self(true)
        .try_get_matches_from(args)
        .unwrap();
    Cli::from_arg_matches(&matches).unwrap().serve
}

/// An application on a fresh database with the built-in SES emulator.
pub async fn spawn_app() -> (TestApp, TestDatabase) {
    let db = TestDatabase::new().await;
    let app = start(config(db.url(), &[]), None).await;
    (app, db)
}

/// Starts an application with `config`. `ses` is the emulator (and its endpoint) it was
/// pointed at with `--ses-endpoint-url`, or `None` for the built-in one.
pub async fn start(config: ServeConfig, ses: Option<(EmulatorState, String)>) -> TestApp {
    capture_logs();
    let db_url = config.database.database_url.clone();
    let app = Application::build(config)
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let status_cache = app.status_cache().cloned();
    let (ses, ses_endpoint) = ses.unwrap_or_else(|| {
        let emulator = app.emulator().expect("built-in emulator");
        (emulator.state(), emulator.endpoint_url())
    });
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: reqwest::Client::new(),
        ses,
        ses_endpoint,
        db_url,
        status_cache,
        issuer: TokenIssuer::hs256(SECRET, None, None),
    }
}

/// Sends the applications' logs (warnings and errors unless `RUST_LOG` says otherwise)
/// to the test's captured output, which the harness prints when the test fails: a 500's
/// cause chain is then in the failure report.
fn capture_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Only the first test of a binary installs it; the others share it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}

pub fn new_workspace() -> WorkspaceId {
    WorkspaceId::from_uuid(uuid::Uuid::new_v4())
}

impl TestApp {
    pub fn token(&self, workspace: WorkspaceId) -> String {
        self.issuer
            .mint(workspace, false, Duration::from_secs(600))
            .unwrap()
    }

    pub async fn get(&self, workspace: WorkspaceId, path: &str) -> (u16, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.address))
            .bearer_auth(self.token(workspace))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    pub async fn post(&self, workspace: WorkspaceId, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.address))
            .bearer_auth(self.token(workspace))
            .json(body)
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    pub async fn delete(&self, workspace: WorkspaceId, path: &str) -> (u16, Value) {
        let response = self
            .client
            .delete(format!("{}{path}", self.address))
            .bearer_auth(self.token(workspace))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json().await.unwrap())
    }

    /// Adds a domain and returns its id.
    pub async fn add_domain(&self, workspace: WorkspaceId, name: &str, region: &str) -> String {
        let (status, body) = self
            .post(
                workspace,
                "/domains",
                &json!({"name": name, "region": region}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["data"]["id"].as_str().unwrap().to_owned()
    }

    pub async fn domains(&self, workspace: WorkspaceId) -> Vec<Value> {
        let (status, body) = self.get(workspace, "/domains").await;
        assert_eq!(status, 200, "{body}");
        body["data"].as_array().unwrap().clone()
    }

    /// Waits until every domain of the workspace is active and none is being deleted.
    pub async fn settled(&self, workspace: WorkspaceId) -> Vec<Value> {
        eventually(|| async {
            let domains = self.domains(workspace).await;
            domains
                .iter()
                .all(|d| d["status"] == "active")
                .then_some(domains)
        })
        .await
    }

    /// The workspace's status row in `region`, once it satisfies `accept`.
    pub async fn status_row_where(
        &self,
        workspace: WorkspaceId,
        region: &str,
        accept: impl Fn(&Value) -> bool,
    ) -> Value {
        eventually(|| async {
            let (status, body) = self.get(workspace, "/tenants/status").await;
            assert_eq!(status, 200, "{body}");
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .find(|row| row["ses_region"] == region && accept(row))
                .cloned()
        })
        .await
    }

    /// The workspace's open findings in `region`, once they satisfy `accept`.
    pub async fn findings_where(
        &self,
        workspace: WorkspaceId,
        region: &str,
        accept: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        eventually(|| async {
            let (status, body) = self
                .get(workspace, &format!("/tenants/{region}/findings"))
                .await;
            assert_eq!(status, 200, "{body}");
            let findings = body["data"].as_array().unwrap().clone();
            accept(&findings).then_some(findings)
        })
        .await
    }

    /// Mints an admin token.
    pub fn admin_token(&self, workspace: WorkspaceId) -> String {
        self.issuer
            .mint(workspace, true, Duration::from_secs(600))
            .unwrap()
    }

    /// Waits until the status cache serves (its listener connected).
    pub async fn status_cache_live(&self) {
        let cache = self.status_cache.clone().expect("the status cache is on");
        eventually(|| {
            let cache = cache.clone();
            async move { cache.is_live().then_some(()) }
        })
        .await;
    }

    pub fn inventory(&self, region: &str) -> RegionInventory {
        self.ses.inventory(region)
    }
}

/// Polls `check` until it gives a value, for up to 30 s.
pub async fn eventually<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not reached in 30 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
