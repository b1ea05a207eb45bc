//! The real binary: the CLI, `serve` on a random port with graceful shutdown, and a
//! process killed in the middle of provisioning.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use posthawk_domain::WorkspaceId;
use posthawk_http::auth::{AuthConfig, JwtVerifier};
use posthawk_postgres::testing::TestDatabase;
use posthawk_ses_emulator::{Emulator, EmulatorConfig, Fault};

const BIN: &str = env!("CARGO_BIN_EXE_posthawk-tenants");
const SECRET: &str = "binary-test-secret-binary-test-secret-01";

fn command(args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("JWT_SECRET", SECRET)
        .env("RUST_LOG", "info");
    command
}

/// Starts `serve` and returns the child with the port it reported.
fn serve(database_url: &str, extra_env: &[(&str, &str)]) -> (Child, u16) {
    let mut child = command(&["serve"])
        .env("HTTP_ADDR", "127.0.0.1:0")
        .env("DATABASE_URL", database_url)
        .env("RECONCILER_POLL", "50ms")
        .envs(extra_env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let port = loop {
        let line = lines
            .next()
            .expect("serve exited before listening")
            .unwrap();
        let Ok(log) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if log["message"] == "listening" {
            break u16::try_from(log["port"].as_u64().unwrap()).unwrap();
        }
    };
    // Keep draining the logs so the child never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, port)
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([name, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn token_prints_only_a_token_that_the_service_accepts() {
    let workspace = "1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b";
    let output = command(&["token", "--workspace", workspace, "--admin", "--ttl", "5m"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.strip_suffix('\n').expect("one line");
    assert!(!token.contains('\n') && !token.is_empty());

    let caller = JwtVerifier::new(&AuthConfig::hs256(SECRET))
        .unwrap()
        .verify(token)
        .unwrap();
    assert_eq!(caller.workspace(), WorkspaceId::parse(workspace).unwrap());
    assert!(caller.is_admin());
}

#[test]
fn token_refuses_a_malformed_workspace_id() {
    let output = command(&["token", "--workspace", "not-a-uuid"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
}

#[test]
fn production_refuses_to_start_with_the_development_secret() {
    let output = command(&["serve"])
        .env_remove("JWT_SECRET")
        .env("POSTHAWK_ENV", "production")
        .env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/unused")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("JWT_SECRET"), "{stderr}");
}

#[tokio::test]
async fn serve_on_a_random_port_answers_and_stops_gracefully_on_sigterm() {
    let db = TestDatabase::new().await;
    let (mut child, port) = serve(db.url(), &[]);
    let health = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    signal(&child, "-TERM");
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
}

#[tokio::test]
async fn a_process_killed_mid_provisioning_is_finished_by_the_next_one() {
    let db = TestDatabase::new().await;
    let emulator = Emulator::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        EmulatorConfig::default(),
    )
    .unwrap();
    let ses = emulator.state();
    let endpoint = emulator.endpoint_url();
    let env = [
        ("SES_ENDPOINT_URL", endpoint.as_str()),
        ("RECONCILER_LEASE", "1s"),
    ];
    // The configuration set step hangs: the process dies with the tenant made and the
    // rest not.
    ses.inject_fault(
        "CreateConfigurationSet",
        Fault::latency(Duration::from_secs(30)),
    )
    .unwrap();
    let (mut first, port) = serve(db.url(), &env);

    let workspace = WorkspaceId::from_uuid(uuid::Uuid::new_v4());
    let token = posthawk_http::auth::TokenIssuer::hs256(SECRET, None, None)
        .mint(workspace, false, Duration::from_secs(600))
        .unwrap();
    let client = reqwest::Client::new();
    let add = client
        .post(format!("http://127.0.0.1:{port}/domains"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "mail.crash.example", "region": "us-east-1"}))
        .send();
    let pending = tokio::spawn(add);
    while ses.call_count("CreateConfigurationSet") == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    signal(&first, "-KILL");
    tokio::task::spawn_blocking(move || first.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(
        pending.await.unwrap().is_err(),
        "the request died with the process"
    );
    ses.clear_faults();

    let (mut second, port) = serve(db.url(), &env);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let body: serde_json::Value = client
            .get(format!("http://127.0.0.1:{port}/domains"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if body["data"][0]["status"] == "active" {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not converged: {body}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    signal(&second, "-TERM");
    tokio::task::spawn_blocking(move || second.wait())
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        ses.call_count("CreateTenant"),
        1,
        "the tenant made before the crash is reused"
    );
    let inventory = ses.inventory("us-east-1");
    assert_eq!(inventory.tenants.len(), 1);
    assert_eq!(inventory.configuration_sets.len(), 1);
    assert_eq!(inventory.identities.len(), 1);
    assert_eq!(inventory.tenants[0].resources.len(), 2);
}
