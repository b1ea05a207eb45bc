//! End to end: provisioning converges through SES faults, and stays consistent under
//! concurrency across several server processes sharing one database.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
use futures::StreamExt as _;
use posthawk_postgres::testing::TestDatabase;
use posthawk_ses_emulator::{Emulator, EmulatorConfig, Fault};
use serde_json::{Value, json};
use support::{TestApp, config, eventually, new_workspace, spawn_app, start};

/// Operations in the order provisioning calls them.
const PROVISIONING_OPERATIONS: [&str; 7] = [
    "PutAccountVdmAttributes",
    "CreateTenant",
    "CreateConfigurationSet",
    "UpdateConfigurationSetEventDestination",
    "CreateConfigurationSetEventDestination",
    "CreateEmailIdentity",
    "CreateTenantResourceAssociation",
];

fn assert_fully_provisioned(app: &TestApp, region: &str, identities: usize) {
    let inventory = app.inventory(region);
    assert_eq!(inventory.tenants.len(), 1, "{inventory:?}");
    assert_eq!(inventory.configuration_sets.len(), 1, "{inventory:?}");
    assert_eq!(inventory.configuration_sets[0].event_destinations.len(), 1);
    assert_eq!(inventory.identities.len(), identities);
    assert_eq!(inventory.tenants[0].resources.len(), identities + 1);
}

#[tokio::test]
async fn a_failure_at_each_provisioning_step_in_turn_converges_once_ses_recovers() {
    for operation in PROVISIONING_OPERATIONS {
        let (app, _db) = spawn_app().await;
        // More failures than the SDK's three attempts: the first pass must fail.
        app.ses
            .inject_fault(operation, Fault::fail_next(4, 500, "InternalFailure"))
            .unwrap();
        let workspace = new_workspace();
        app.add_domain(workspace, "mail.step.example", "us-east-1")
            .await;

        let domains = app.settled(workspace).await;
        assert_eq!(domains.len(), 1, "{operation}: the domain is kept");
        assert_fully_provisioned(&app, "us-east-1", 1);
    }
}

#[tokio::test]
async fn throttling_bursts_and_timeouts_are_ridden_out() {
    let (app, _db) = spawn_app().await;
    app.ses
        .inject_fault("*", Fault::fail_next(5, 429, "TooManyRequestsException"))
        .unwrap();
    let workspace = new_workspace();
    app.add_domain(workspace, "a.throttle.example", "us-east-1")
        .await;
    app.settled(workspace).await;
    assert_fully_provisioned(&app, "us-east-1", 1);

    // An attempt timeout (3 s) on every call for a while, then recovery.
    app.ses
        .inject_fault(
            "CreateEmailIdentity",
            Fault::latency(Duration::from_secs(4)),
        )
        .unwrap();
    app.add_domain(workspace, "b.throttle.example", "us-east-1")
        .await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    app.ses.clear_faults();
    app.settled(workspace).await;
    assert_fully_provisioned(&app, "us-east-1", 2);
}

#[tokio::test]
async fn a_quota_error_is_surfaced_and_retried_later_not_spun_on() {
    let (app, _db) = spawn_app().await;
    app.ses
        .inject_fault(
            "CreateTenant",
            Fault::fail_next(1, 400, "LimitExceededException"),
        )
        .unwrap();
    let workspace = new_workspace();
    app.add_domain(workspace, "mail.quota.example", "us-east-1")
        .await;
    let domains = app.domains(workspace).await;
    assert_eq!(domains[0]["status"], "provisioning");
    assert_eq!(
        app.ses.call_count("CreateTenant"),
        1,
        "no SDK retry on a quota"
    );
    app.settled(workspace).await;
}

/// Three server processes (applications) on one database and one emulator.
async fn three_replicas() -> (
    Vec<TestApp>,
    TestDatabase,
    posthawk_ses_emulator::EmulatorHandle,
) {
    replicas(3, &[]).await
}

/// `count` server processes (applications) on one database and one emulator, each
/// started with `extra` flags.
async fn replicas(
    count: usize,
    extra: &[&str],
) -> (
    Vec<TestApp>,
    TestDatabase,
    posthawk_ses_emulator::EmulatorHandle,
) {
    let db = TestDatabase::new().await;
    let emulator = Emulator::start(
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        EmulatorConfig::default(),
    )
    .unwrap();
    let endpoint = emulator.endpoint_url();
    let mut apps = Vec::new();
    for _ in 0..count {
        let mut flags = vec!["--ses-endpoint-url", &endpoint];
        flags.extend_from_slice(extra);
        let config = config(db.url(), &flags);
        apps.push(start(config, Some((emulator.state(), endpoint.clone()))).await);
    }
    (apps, db, emulator)
}

/// The workspace's status rows, as `app` answers them now.
async fn status_rows(app: &TestApp, workspace: posthawk_domain::WorkspaceId) -> Vec<Value> {
    let (status, body) = app.get(workspace, "/tenants/status").await;
    assert_eq!(status, 200, "{body}");
    body["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn status_reads_follow_changes_made_through_any_replica() {
    // Cache entries that never expire by themselves: only this process's own writes
    // and other processes' notifications can refresh what each replica answers.
    let (apps, db, _emulator) = replicas(2, &["--status-cache-ttl", "1h"]).await;
    for app in &apps {
        app.status_cache_live().await;
    }
    let workspace = new_workspace();
    for app in &apps {
        assert_eq!(status_rows(app, workspace).await, Vec::<Value>::new());
    }

    let domain = apps[0]
        .add_domain(workspace, "cached.example.com", "us-east-1")
        .await;
    // Read your own write: at once, on the replica that took it.
    let rows = status_rows(&apps[0], workspace).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["domain_count"], 1);
    // The other replica is told within moments, not after its cache would expire (1 h).
    eventually(|| async { (status_rows(&apps[1], workspace).await.len() == 1).then_some(()) })
        .await;

    // And it answers from its cache: a change no trigger announces stays unseen. The
    // tenant's reputation refreshes rewrite its row (and evict it) in the background,
    // so look more than once; a replica that never caches fails every time.
    let mut unannounced = 0;
    let mut served_from_cache = false;
    for _ in 0..20 {
        let cached = domain_count(&apps[1], workspace).await;
        db.add_domain_unannounced(workspace, "us-east-1").await;
        unannounced += 1;
        if domain_count(&apps[1], workspace).await == cached {
            served_from_cache = true;
            break;
        }
    }
    assert!(served_from_cache, "every read showed an unannounced change");

    // Changes through the second replica reach the first, whose fresh reads then count
    // the unannounced domains too.
    apps[1]
        .add_domain(workspace, "second.example.com", "us-east-1")
        .await;
    eventually(|| async {
        (domain_count(&apps[0], workspace).await == 2 + unannounced).then_some(())
    })
    .await;
    let (status, _) = apps[1]
        .delete(workspace, &format!("/domains/{domain}"))
        .await;
    assert_eq!(status, 202);
    eventually(|| async {
        (domain_count(&apps[0], workspace).await == 1 + unannounced).then_some(())
    })
    .await;
}

async fn domain_count(app: &TestApp, workspace: posthawk_domain::WorkspaceId) -> u64 {
    status_rows(app, workspace).await[0]["domain_count"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_process_under_load_stays_within_its_database_connection_budget() {
    let db = TestDatabase::new().await;
    // No status cache, so every request reads PostgreSQL (and there is no listener
    // connection); 64 requests in flight want far more connections than allowed.
    let flags = ["--database-pool-size", "6", "--status-cache-ttl", "0s"];
    let app = start(config(db.url(), &flags), None).await;
    let workspace = new_workspace();
    app.add_domain(workspace, "budget.example.com", "us-east-1")
        .await;

    let reads = (0..400).map(|_| async {
        assert_eq!(status_rows(&app, workspace).await.len(), 1);
    });
    futures::stream::iter(reads)
        .buffer_unordered(64)
        .collect::<Vec<()>>()
        .await;

    let mut conn = AsyncPgConnection::establish(db.url()).await.unwrap();
    let connections: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM pg_stat_activity \
          WHERE datname = current_database() AND pid <> pg_backend_pid())",
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    assert!(
        (1..=6).contains(&connections),
        "{connections} connections for a budget of 6"
    );
}

#[tokio::test]
async fn fifty_concurrent_adds_through_three_replicas_create_exactly_one_tenant() {
    let (apps, _db, _emulator) = three_replicas().await;
    // Slow SES down so the adds really overlap with provisioning.
    apps[0]
        .ses
        .inject_fault("*", Fault::latency(Duration::from_millis(20)))
        .unwrap();
    let workspace = new_workspace();
    let adds = (0..50).map(|i| {
        let app = &apps[i % 3];
        async move {
            let (status, body) = app
                .post(
                    workspace,
                    "/domains",
                    &json!({"name": format!("d{i}.fifty.example"), "region": "us-east-1"}),
                )
                .await;
            assert_eq!(status, 201, "{body}");
        }
    });
    futures::future::join_all(adds).await;
    let domains = apps[1].settled(workspace).await;

    assert_eq!(domains.len(), 50);
    assert_eq!(apps[0].ses.call_count("CreateTenant"), 1);
    assert_fully_provisioned(&apps[0], "us-east-1", 50);
}

#[tokio::test]
async fn adds_racing_the_last_delete_end_consistent() {
    let (apps, _db, _emulator) = three_replicas().await;
    apps[0]
        .ses
        .inject_fault("*", Fault::latency(Duration::from_millis(5)))
        .unwrap();
    for round in 0..5 {
        let workspace = new_workspace();
        let first = apps[0]
            .add_domain(workspace, &format!("a{round}.race.example"), "eu-north-1")
            .await;
        apps[0].settled(workspace).await;
        let path = format!("/domains/{first}");
        let body = json!({"name": format!("b{round}.race.example"), "region": "eu-north-1"});
        let delete = apps[1].delete(workspace, &path);
        let add = apps[2].post(workspace, "/domains", &body);
        let ((deleted, _), (added, _)) = tokio::join!(delete, add);
        assert_eq!((deleted, added), (202, 201));

        let domains = apps[0].settled(workspace).await;
        let names: Vec<&str> = domains
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, [format!("b{round}.race.example")]);
    }
    // Every workspace ends with its tenant holding exactly its one remaining domain.
    let inventory = apps[0].inventory("eu-north-1");
    assert_eq!(inventory.tenants.len(), 5);
    assert_eq!(inventory.identities.len(), 5);
    for tenant in &inventory.tenants {
        assert_eq!(tenant.resources.len(), 2, "{tenant:?}");
    }
}

#[tokio::test]
async fn a_workspace_whose_short_name_is_taken_in_ses_gets_the_fallback_name() {
    let (app, _db) = spawn_app().await;
    let workspace = new_workspace();
    let short = posthawk_domain::TenantName::for_workspace(workspace).to_string();
    // Another deployment (or a stranger) already holds the short name in SES.
    let stranger = uuid::Uuid::new_v4().to_string();
    let ses = posthawk_ses::SesAdapter::new(
        posthawk_ses::SesConfig::local(&app.ses_endpoint),
        &posthawk_domain::ServedRegions::default(),
    )
    .await;
    let stranger = posthawk_domain::WorkspaceId::parse(&stranger).unwrap();
    let region = posthawk_domain::Region::parse("us-east-1").unwrap();
    let short_name = posthawk_domain::TenantName::parse(&short).unwrap();
    posthawk_domain::ports::TenantAdmin::create_tenant(&ses, &region, &short_name, stranger)
        .await
        .unwrap();

    app.add_domain(workspace, "mail.collide.example", "us-east-1")
        .await;
    app.settled(workspace).await;
    let fallback = posthawk_domain::TenantName::fallback_for_workspace(workspace).to_string();
    let (_, body) = app.get(workspace, "/tenants/status").await;
    assert_eq!(body["data"][0]["tenant_name"], fallback.as_str());
    let inventory = app.inventory("us-east-1");
    let stranger_tenant = inventory.tenants.iter().find(|t| t.name == short).unwrap();
    assert!(
        stranger_tenant.resources.is_empty(),
        "nothing of ours on the stranger's tenant"
    );
}
