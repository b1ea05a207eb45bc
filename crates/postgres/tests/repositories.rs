//! The store ports against a real PostgreSQL: one fresh database per test.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use chrono::{DateTime, Duration, Utc};
use posthawk_domain::ports::{
    DomainStore, FindingStore, NewTenant, ProvisioningState, StatusChange, StoreError, TenantStore,
};
use posthawk_domain::{
    DomainName, Finding, FindingType, Region, SendingStatus, Severity, TenantName, WorkspaceId,
};
use posthawk_postgres::testing::TestDatabase;
use posthawk_postgres::{PgStore, PoolConfig, connect};

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

async fn tenant_for(
    store: &PgStore,
    ws: WorkspaceId,
    code: &str,
) -> posthawk_domain::ports::TenantRecord {
    store
        .insert_tenant(NewTenant {
            workspace: ws,
            region: region(code),
            name: TenantName::for_workspace(ws),
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn added_domains_are_listed_for_their_workspace_only() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let (a, b) = (workspace(1), workspace(2));
    store
        .add_domain(a, &domain("a.example.com"), &region("us-east-1"))
        .await
        .unwrap();
    store
        .add_domain(a, &domain("b.example.com"), &region("eu-north-1"))
        .await
        .unwrap();
    store
        .add_domain(b, &domain("other.example.org"), &region("us-east-1"))
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
        )
        .await
        .unwrap();
    let error = store
        .add_domain(
            workspace(2),
            &domain("taken.example.com"),
            &region("eu-north-1"),
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
        )
        .await
        .unwrap();

    assert_eq!(
        store.remove_domain(workspace(2), added.id).await.unwrap(),
        None
    );
    assert_eq!(
        store.list_domains(workspace(1)).await.unwrap(),
        std::slice::from_ref(&added)
    );
    assert_eq!(
        store.remove_domain(workspace(1), added.id).await.unwrap(),
        Some(added)
    );
    assert!(store.list_domains(workspace(1)).await.unwrap().is_empty());
}

#[tokio::test]
async fn region_summaries_count_domains_and_carry_the_tenant() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let ws = workspace(1);
    for name in ["a.example.com", "b.example.com", "c.example.com"] {
        store
            .add_domain(ws, &domain(name), &region("us-east-1"))
            .await
            .unwrap();
    }
    store
        .add_domain(ws, &domain("d.example.com"), &region("eu-north-1"))
        .await
        .unwrap();
    store
        .add_domain(workspace(2), &domain("x.example.org"), &region("us-east-1"))
        .await
        .unwrap();
    let tenant = tenant_for(&store, ws, "us-east-1").await;

    let mut summaries = store.regions_of_workspace(ws).await.unwrap();
    summaries.sort_by(|x, y| x.region.cmp(&y.region));
    assert_eq!(summaries.len(), 2);
    assert_eq!(
        (summaries[0].region.as_str(), summaries[0].domain_count),
        ("eu-north-1", 1)
    );
    assert_eq!(summaries[0].tenant, None);
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
async fn inserting_the_same_workspace_and_region_twice_returns_the_first_tenant() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let first = tenant_for(&store, workspace(1), "us-east-1").await;
    let second = tenant_for(&store, workspace(1), "us-east-1").await;
    assert_eq!(first, second);
    assert_eq!(first.provisioning, ProvisioningState::Pending);
    assert_eq!(first.sending_status, SendingStatus::Disabled);
    assert_eq!(first.configuration_set.as_str(), first.name.as_str());
}

#[tokio::test]
async fn concurrent_inserts_for_one_workspace_and_region_make_one_tenant() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let inserts = (0..8).map(|_| tenant_for(&store, workspace(1), "us-east-1"));
    let tenants = futures::future::join_all(inserts).await;
    assert!(tenants.windows(2).all(|pair| pair[0].id == pair[1].id));
}

#[tokio::test]
async fn a_name_held_by_another_workspace_in_the_region_is_refused() {
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
        .insert_tenant(NewTenant {
            workspace: ours,
            region: region("us-east-1"),
            name,
        })
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

    let fallback = TenantName::resolve(ours, Some(theirs));
    let tenant = store
        .insert_tenant(NewTenant {
            workspace: ours,
            region: region("us-east-1"),
            name: fallback.clone(),
        })
        .await
        .unwrap();
    assert_eq!(tenant.name, fallback);
}

#[tokio::test]
async fn marking_ready_records_the_arn() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let tenant = tenant_for(&store, workspace(1), "us-east-1").await;
    let arn = "arn:aws:ses:us-east-1:123456789012:tenant/ph-1f3a8c2d6f4b/tn-1";
    store.mark_ready(tenant.id, arn).await.unwrap();
    let stored = store
        .tenant(workspace(1), &region("us-east-1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.provisioning, ProvisioningState::Ready);
    assert_eq!(stored.arn.as_deref(), Some(arn));
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
