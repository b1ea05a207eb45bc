//! End to end: `posthawk-tenants reconcile` finds drift between PostgreSQL and SES,
//! reports it on a dry run, and repairs it otherwise.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::process::Command;

use posthawk_domain::ports::{TenantAdmin, TenantResource};
use posthawk_domain::{DomainName, Region, ServedRegions, TenantName, WorkspaceId};
use posthawk_postgres::testing::TestDatabase;
use posthawk_ses::{SesAdapter, SesConfig};
use posthawk_ses_emulator::{Emulator, EmulatorConfig};
use support::{SECRET, config, eventually, new_workspace, start};

const REGION: &str = "us-east-1";

/// Runs the binary off the async runtime, so the in-process emulator keeps answering.
async fn reconcile(database_url: &str, endpoint: &str, dry_run: bool) -> String {
    let (database_url, endpoint) = (database_url.to_owned(), endpoint.to_owned());
    tokio::task::spawn_blocking(move || run_reconcile(&database_url, &endpoint, dry_run))
        .await
        .unwrap()
}

fn run_reconcile(database_url: &str, endpoint: &str, dry_run: bool) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_posthawk-tenants"));
    command.arg("reconcile");
    if dry_run {
        command.arg("--dry-run");
    }
    let output = command
        .env_clear()
        .env("DATABASE_URL", database_url)
        .env("SES_ENDPOINT_URL", endpoint)
        .env("JWT_SECRET", SECRET)
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconcile_reports_drift_on_a_dry_run_and_repairs_it_otherwise() {
    let db = TestDatabase::new().await;
    let emulator =
        Emulator::start("127.0.0.1:0".parse().unwrap(), EmulatorConfig::default()).unwrap();
    let endpoint = emulator.endpoint_url();
    let app = start(
        config(db.url(), &["--ses-endpoint-url", &endpoint]),
        Some((emulator.state(), endpoint.clone())),
    )
    .await;
    let workspace = new_workspace();
    app.add_domain(workspace, "mail.drift.example", REGION)
        .await;
    app.settled(workspace).await;
    assert!(
        reconcile(db.url(), &endpoint, true)
            .await
            .contains("0 drift found")
    );

    // Someone detaches our identity by hand, and a stranger's `ph-` tenant appears.
    let ses = SesAdapter::new(SesConfig::local(&endpoint), &ServedRegions::default()).await;
    let region = Region::parse(REGION).unwrap();
    let ours = ses
        .get_tenant(&region, &TenantName::for_workspace(workspace))
        .await
        .unwrap()
        .unwrap();
    let identity = TenantResource::Identity(DomainName::parse("mail.drift.example").unwrap());
    ses.disassociate(&region, &ours, &identity).await.unwrap();
    let orphan = TenantName::parse("ph-0123456789ab").unwrap();
    ses.create_tenant(
        &region,
        &orphan,
        WorkspaceId::from_uuid(uuid::Uuid::new_v4()),
    )
    .await
    .unwrap();

    let dry = reconcile(db.url(), &endpoint, true).await;
    assert!(dry.contains("not associated"), "{dry}");
    assert!(dry.contains("ph-0123456789ab: orphan tenant"), "{dry}");
    assert!(dry.contains("2 drift found (dry run); 0 repaired"), "{dry}");
    assert_eq!(
        app.inventory(REGION).tenants.len(),
        2,
        "a dry run changes nothing"
    );

    let repaired = reconcile(db.url(), &endpoint, false).await;
    assert!(
        repaired.contains("2 drift found; 2 repaired, 0 repairs failed"),
        "{repaired}"
    );
    let inventory = app.inventory(REGION);
    assert!(
        inventory.tenants.iter().all(|t| t.name != orphan.as_str()),
        "orphan deleted"
    );
    // The running service's reconciler associates the identity again.
    eventually(|| async {
        let inventory = app.inventory(REGION);
        (inventory.tenants.len() == 1 && inventory.tenants[0].resources.len() == 2).then_some(())
    })
    .await;
    app.settled(workspace).await;
    assert!(
        reconcile(db.url(), &endpoint, true)
            .await
            .contains("0 drift found")
    );
}
