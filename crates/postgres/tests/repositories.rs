//! The store ports against a real PostgreSQL: one fresh database per test.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use chrono::{DateTime, Duration, Utc};
use posthawk_domain::ports::{
    DomainState, DomainStore, FindingStore, ProvisioningState, StatusChange, StoreError,
    TenantRecord, TenantStore,
};
use posthawk_domain::{
    DomainName, Finding, FindingType, Region, SendingStatus, Severity, TenantName, WorkspaceId,
};
use posthawk_postgres::testing::TestDatabase;
use posthawk_postgres::{PgStore, PoolConfig, connect};

/// Workspaces whose short tenant names all collide (they differ only after 12 hex digits).
fn workspace(last: u8) -> WorkspaceId {
    WorkspaceId::parse(&format!("1f3a8c2d-6f4b-4c1e-9a2b-0000000000{last:02x}")).unwrap()
}

fn region(code: &str) -> Region {
    Region::parse(code).unwrap()
}

fn domain(name: &str) -> DomainName {
    DomainName::parse(name).unwrap()
}

fn at(hour: u32) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-04-28T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
        + Duration::hours(hour.into())
}

/// The workspace's tenant in `code`, created by adding a domain there.
async fn tenant_for(store: &PgStore, ws: WorkspaceId, code: &str) -> TenantRecord {
    let name = format!("{}.{code}.example.com", uuid::Uuid::new_v4().simple());
    store
        .add_domain(
            ws,
            &domain(&name),
            &region(code),
            &TenantName::for_workspace(ws),
        )
        .await
        .unwrap();
    store.tenant(ws, &region(code)).await.unwrap().unwrap()
}

#[tokio::test]
async fn added_domains_are_listed_for_their_workspace_only() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let (a, b) = (workspace(1), workspace(2));
    store
        .add_domain(
            a,
            &domain("a.example.com"),
            &region("us-east-1"),
            &TenantName::for_workspace(a),
        )
        .await
        .unwrap();
    store
        .add_domain(
            a,
            &domain("b.example.com"),
            &region("eu-north-1"),
            &TenantName::for_workspace(a),
        )
        .await
        .unwrap();
    store
        .add_domain(
            b,
            &domain("other.example.org"),
            &region("us-east-1"),
            &TenantName::fallback_for_workspace(b),
        )
        .await
        .unwrap();

    let names: Vec<String> = store
        .list_domains(a)
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.name.to_string())
        .collect();
    assert_eq!(names, ["a.example.com", "b.example.com"]);
}

#[tokio::test]
async fn a_domain_already_registered_by_any_workspace_is_refused() {
    let db = TestDatabase::new().await;
    let store = db.store();
    store
        .add_domain(
            workspace(1),
            &domain("taken.example.com"),
            &region("us-east-1"),
            &TenantName::for_workspace(workspace(1)),
        )
        .await
        .unwrap();
    let error = store
        .add_domain(
            workspace(2),
            &domain("taken.example.com"),
            &region("eu-north-1"),
            &TenantName::for_workspace(workspace(2)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, StoreError::AlreadyExists { what: "domain" }),
        "{error:?}"
    );
    assert!(store.list_domains(workspace(2)).await.unwrap().is_empty());
}

#[tokio::test]
async fn removing_another_workspaces_domain_finds_nothing_and_keeps_it() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let added = store
        .add_domain(
            workspace(1),
            &domain("mine.example.com"),
            &region("us-east-1"),
            &TenantName::for_workspace(workspace(1)),
        )
        .await
        .unwrap()
        .domain;

    assert_eq!(
        store.remove_domain(workspace(2), added.id).await.unwrap(),
        None
    );
    assert_eq!(
        store.list_domains(workspace(1)).await.unwrap(),
        std::slice::from_ref(&added)
    );
    let removed = store.remove_domain(workspace(1), added.id).await.unwrap();
    assert_eq!(
        removed.map(|d| (d.id, d.state)),
        Some((added.id, DomainState::Deleting))
    );
    assert_eq!(
        store.list_domains(workspace(1)).await.unwrap()[0].state,
        DomainState::Deleting
    );
}

#[tokio::test]
async fn region_summaries_count_domains_and_carry_the_tenant() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let ws = workspace(1);
    for name in ["a.example.com", "b.example.com", "c.example.com"] {
        store
            .add_domain(
                ws,
                &domain(name),
                &region("us-east-1"),
                &TenantName::for_workspace(ws),
            )
            .await
            .unwrap();
    }
    store
        .add_domain(
            ws,
            &domain("d.example.com"),
            &region("eu-north-1"),
            &TenantName::for_workspace(ws),
        )
        .await
        .unwrap();
    store
        .add_domain(
            workspace(2),
            &domain("x.example.org"),
            &region("us-east-1"),
            &TenantName::fallback_for_workspace(workspace(2)),
        )
        .await
        .unwrap();
    let tenant = store
        .tenant(ws, &region("us-east-1"))
        .await
        .unwrap()
        .unwrap();

    let mut summaries = store.regions_of_workspace(ws).await.unwrap();
    summaries.sort_by(|x, y| x.region.cmp(&y.region));
    assert_eq!(summaries.len(), 2);
    assert_eq!(
        (summaries[0].region.as_str(), summaries[0].domain_count),
        ("eu-north-1", 1)
    );
    assert_eq!(
        summaries[0].tenant.as_ref().map(|t| t.region.as_str()),
        Some("eu-north-1")
    );
    assert_eq!(
        (summaries[1].region.as_str(), summaries[1].domain_count),
        ("us-east-1", 3)
    );
    assert_eq!(summaries[1].tenant, Some(tenant));
}

#[tokio::test]
async fn a_workspace_without_domains_has_no_regions() {
    let db = TestDatabase::new().await;
    assert!(
        db.store()
            .regions_of_workspace(workspace(9))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn status_readings_append_history_only_when_the_status_changes() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let tenant = tenant_for(&store, workspace(1), "us-east-1").await;

    let first = store
        .record_status(tenant.id, SendingStatus::Enabled, at(1))
        .await
        .unwrap();
    let same = store
        .record_status(tenant.id, SendingStatus::Enabled, at(2))
        .await
        .unwrap();
    let paused = store
        .record_status(tenant.id, SendingStatus::Paused, at(3))
        .await
        .unwrap();

    let enabled = StatusChange {
        from: None,
        to: SendingStatus::Enabled,
        observed_at: at(1),
    };
    let pause = StatusChange {
        from: Some(SendingStatus::Enabled),
        to: SendingStatus::Paused,
        observed_at: at(3),
    };
    assert_eq!(first, Some(enabled.clone()));
    assert_eq!(same, None);
    assert_eq!(paused, Some(pause.clone()));
    assert_eq!(
        store.status_history(tenant.id).await.unwrap(),
        [enabled, pause]
    );
    let stored = store
        .tenant(workspace(1), &region("us-east-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (stored.sending_status, stored.last_checked_at),
        (SendingStatus::Paused, Some(at(3)))
    );
}

#[tokio::test]
async fn every_domain_of_a_workspace_in_a_region_shares_one_pending_tenant() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let first = tenant_for(&store, workspace(1), "us-east-1").await;
    let second = tenant_for(&store, workspace(1), "us-east-1").await;
    assert_eq!(first.id, second.id);
    assert_eq!(first.provisioning, ProvisioningState::Pending);
    assert_eq!(first.sending_status, SendingStatus::Disabled);
    assert_eq!(first.configuration_set.as_str(), first.name.as_str());
}

#[tokio::test]
async fn concurrent_adds_for_one_workspace_and_region_make_one_tenant() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let adds = (0..8).map(|_| tenant_for(&store, workspace(1), "us-east-1"));
    let tenants = futures::future::join_all(adds).await;
    assert!(tenants.windows(2).all(|pair| pair[0].id == pair[1].id));
}

/// PostgreSQL checks only the `ON CONFLICT` target speculatively: two first adds in a
/// region that race past it can collide on the tenants' other unique key,
/// `(region, name)`. Many rounds of many simultaneous first adds in a region must all
/// succeed on one tenant.
#[tokio::test]
async fn simultaneous_first_adds_of_a_workspace_never_fail() {
    let db = TestDatabase::new().await;
    let store = PgStore::new(
        connect(
            db.url(),
            PoolConfig {
                max_size: 12,
                ..PoolConfig::default()
            },
        )
        .unwrap(),
    );
    for _ in 0..40 {
        let ws = WorkspaceId::from_uuid(uuid::Uuid::new_v4());
        let name = TenantName::for_workspace(ws);
        // The workspace exists already (a domain elsewhere): its row's insertion does not
        // serialize the adds below.
        tenant_for(&store, ws, "eu-north-1").await;
        let adds = (0..12).map(|i| {
            let (store, name) = (&store, &name);
            async move {
                let domain = domain(&format!("d{i}.{}.example.com", ws.as_uuid().simple()));
                store
                    .add_domain(ws, &domain, &region("us-east-1"), name)
                    .await
            }
        });
        let added = futures::future::join_all(adds).await;
        let tenants: Vec<_> = added
            .into_iter()
            .map(|added| added.map(|added| added.tenant))
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(tenants.windows(2).all(|pair| pair[0] == pair[1]));
    }
}

#[tokio::test]
async fn a_tenant_name_held_by_another_workspace_in_the_region_is_refused() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let (ours, theirs) = (workspace(1), workspace(2));
    let name = TenantName::for_workspace(ours);
    assert_eq!(
        name,
        TenantName::for_workspace(theirs),
        "fixture must collide"
    );
    tenant_for(&store, theirs, "us-east-1").await;

    assert_eq!(
        store
            .owner_of_name(&region("us-east-1"), &name)
            .await
            .unwrap(),
        Some(theirs)
    );
    assert_eq!(
        store
            .owner_of_name(&region("eu-north-1"), &name)
            .await
            .unwrap(),
        None
    );
    let error = store
        .add_domain(
            ours,
            &domain("ours.example.com"),
            &region("us-east-1"),
            &name,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            StoreError::AlreadyExists {
                what: "tenant name"
            }
        ),
        "{error:?}"
    );
    assert!(
        store.list_domains(ours).await.unwrap().is_empty(),
        "nothing half-written"
    );

    let fallback = TenantName::resolve(ours, Some(theirs));
    store
        .add_domain(
            ours,
            &domain("ours.example.com"),
            &region("us-east-1"),
            &fallback,
        )
        .await
        .unwrap();
    let tenant = store
        .tenant(ours, &region("us-east-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tenant.name, fallback);
}

#[tokio::test]
async fn a_removed_domain_stops_counting_and_cannot_be_found_for_sending() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let ws = workspace(1);
    let added = store
        .add_domain(
            ws,
            &domain("a.example.com"),
            &region("us-east-1"),
            &TenantName::for_workspace(ws),
        )
        .await
        .unwrap();
    assert!(
        store
            .find_domain(&domain("a.example.com"))
            .await
            .unwrap()
            .is_some()
    );

    let removed = store
        .remove_domain(ws, added.domain.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(removed.state, DomainState::Deleting);
    assert_eq!(
        store.remove_domain(ws, added.domain.id).await.unwrap(),
        None,
        "already deleting"
    );
    assert!(store.regions_of_workspace(ws).await.unwrap().is_empty());
    assert_eq!(
        store.find_domain(&domain("a.example.com")).await.unwrap(),
        None
    );
}

fn finding(
    finding_type: FindingType,
    severity: Severity,
    rate: Option<f64>,
    detected_at: DateTime<Utc>,
) -> Finding {
    Finding {
        finding_type,
        severity,
        rate,
        threshold: rate.map(|_| 0.05),
        message: format!("{severity:?} finding"),
        detected_at,
    }
}

#[tokio::test]
async fn synced_findings_open_update_in_place_and_resolve_without_deleting() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let tenant = tenant_for(&store, workspace(1), "us-east-1").await;
    let bounce = finding(
        FindingType::BounceRate,
        Severity::Warning,
        Some(0.038),
        at(1),
    );
    let dkim = finding(FindingType::Dkim, Severity::Warning, None, at(1));
    store
        .sync_findings(tenant.id, &[bounce.clone(), dkim.clone()], at(1))
        .await
        .unwrap();

    // The bounce rate worsens: same finding, new numbers, first detection kept.
    let worse = finding(
        FindingType::BounceRate,
        Severity::Critical,
        Some(0.061),
        at(5),
    );
    store
        .sync_findings(tenant.id, &[worse.clone(), dkim.clone()], at(5))
        .await
        .unwrap();
    let open = store.open_findings(tenant.id).await.unwrap();
    assert_eq!(
        open,
        [
            Finding {
                detected_at: at(1),
                ..worse
            },
            dkim.clone()
        ]
    );

    // Recovery: the bounce finding is resolved, the DKIM one stays.
    store
        .sync_findings(tenant.id, std::slice::from_ref(&dkim), at(9))
        .await
        .unwrap();
    assert_eq!(store.open_findings(tenant.id).await.unwrap(), [dkim]);

    // A relapse opens a new finding rather than reviving the resolved one.
    store
        .sync_findings(tenant.id, std::slice::from_ref(&bounce), at(12))
        .await
        .unwrap();
    let open = store.open_findings(tenant.id).await.unwrap();
    assert_eq!(open, [bounce]);
}

#[tokio::test]
async fn findings_belong_to_their_tenant() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let ours = tenant_for(&store, workspace(1), "us-east-1").await;
    let theirs = tenant_for(&store, workspace(1), "eu-north-1").await;
    let dkim = finding(FindingType::Dkim, Severity::Warning, None, at(1));
    store
        .sync_findings(theirs.id, &[dkim], at(1))
        .await
        .unwrap();
    assert!(store.open_findings(ours.id).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_unreachable_database_is_reported_as_unavailable() {
    // Nothing listens on port 1: every checkout fails fast.
    let pool = connect(
        "postgres://postgres@127.0.0.1:1/none",
        PoolConfig::default(),
    )
    .unwrap();
    let error = PgStore::new(pool)
        .regions_of_workspace(workspace(1))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
}

#[tokio::test]
async fn an_exhausted_pool_is_reported_as_unavailable_after_the_wait_timeout() {
    let db = TestDatabase::new().await;
    let config = PoolConfig {
        max_size: 1,
        wait_timeout: std::time::Duration::from_millis(50),
        ..PoolConfig::default()
    };
    let pool = connect(db.url(), config).unwrap();
    let _held = pool.get().await.unwrap();
    let error = PgStore::new(pool.clone())
        .list_domains(workspace(1))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");
}

/// Under actix-web every HTTP worker has a runtime of its own. A connection opened for
/// one worker must not depend on that worker's event loop when another uses it.
#[tokio::test]
async fn a_connection_first_used_on_a_busy_runtime_still_answers_elsewhere() {
    use diesel_async::RunQueryDsl as _;

    fn one() -> diesel::dsl::select<diesel::expression::SqlLiteral<diesel::sql_types::Integer>> {
        diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"))
    }

    let db = TestDatabase::new().await;
    let config = PoolConfig {
        max_size: 1,
        ..PoolConfig::default()
    };
    let pool = connect(db.url(), config).unwrap();
    let (opened, was_opened) = std::sync::mpsc::channel();
    let elsewhere = pool.clone();
    // Another runtime opens the pool's only connection, then stops polling for a while,
    // as a worker busy with other requests would.
    let busy = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut conn = elsewhere.get().await.unwrap();
            one().get_result::<i32>(&mut conn).await.unwrap();
        });
        opened.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_secs(3));
    });
    tokio::task::spawn_blocking(move || was_opened.recv())
        .await
        .unwrap()
        .unwrap();

    let mut conn = pool.get().await.unwrap();
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        one().get_result::<i32>(&mut conn),
    )
    .await
    .expect("the query is answered while the runtime that opened the connection is busy");
    assert_eq!(answer.unwrap(), 1);
    tokio::task::spawn_blocking(move || busy.join())
        .await
        .unwrap()
        .unwrap();
}

/// A server that accepts TCP but never answers must not collect half-open connections:
/// the attempt ends with the pool's wait for it.
#[tokio::test]
async fn a_connection_attempt_the_pool_gave_up_on_is_abandoned() {
    use tokio::io::AsyncReadExt as _;

    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("postgres://postgres@{}/never", silent.local_addr().unwrap());
    let config = PoolConfig {
        max_size: 1,
        wait_timeout: std::time::Duration::from_millis(200),
        connect_timeout: std::time::Duration::from_millis(200),
    };
    let error = PgStore::new(connect(&url, config).unwrap())
        .list_domains(workspace(1))
        .await
        .unwrap_err();
    assert!(matches!(error, StoreError::Unavailable(_)), "{error:?}");

    let (mut attempt, _) = silent.accept().await.unwrap();
    let mut startup = [0_u8; 512];
    let closed = tokio::time::timeout(std::time::Duration::from_secs(2), async {
        while attempt.read(&mut startup).await.is_ok_and(|read| read > 0) {}
    })
    .await;
    assert!(
        closed.is_ok(),
        "the abandoned attempt still holds its socket"
    );
}
