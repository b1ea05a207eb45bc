//! The reconciler's queue against a real PostgreSQL: claims, leases, progress and
//! completion.
#![allow(clippy::unwrap_used, reason = "test fixtures fail loudly")]

use std::time::Duration;

use chrono::Utc;
use posthawk_domain::ports::{
    AddedDomain, DomainState, DomainStore, JobOutcome, ProvisioningState, ProvisioningStep,
    ProvisioningStore, StoreError, TenantId, TenantStore,
};
use posthawk_domain::{DomainName, Region, SendingStatus, TenantName, WorkspaceId};
use posthawk_postgres::PgStore;
use posthawk_postgres::testing::TestDatabase;

const LEASE: Duration = Duration::from_secs(60);
const ARN: &str = "arn:aws:ses:us-east-1:123456789012:tenant/ph-1f3a8c2d6f4b/tn-1";

fn workspace() -> WorkspaceId {
    WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-000000000001").unwrap()
}

fn region() -> Region {
    Region::parse("us-east-1").unwrap()
}

async fn add(store: &PgStore, name: &str) -> AddedDomain {
    store
        .add_domain(
            workspace(),
            &DomainName::parse(name).unwrap(),
            &region(),
            &TenantName::for_workspace(workspace()),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_domain_makes_its_tenant_due_with_the_domain_in_the_job() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let added = add(&store, "a.example.com").await;

    let job = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    assert_eq!(job.tenant.id, added.tenant);
    assert_eq!(job.step, ProvisioningStep::Nothing);
    assert!(!job.vdm_enabled);
    assert_eq!(job.domains.len(), 1);
    assert_eq!(job.domains[0].state, DomainState::Provisioning);
    assert_eq!(store.backlog().await.unwrap(), 1);
}

#[tokio::test]
async fn a_claimed_tenant_is_not_handed_to_a_second_worker() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let added = add(&store, "a.example.com").await;
    let claims = (0..6).map(|_| store.claim_next(Utc::now(), LEASE));
    let jobs: Vec<_> = futures::future::join_all(claims)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(jobs.iter().filter(|job| job.is_some()).count(), 1);
    assert!(
        store
            .claim(added.tenant, Utc::now(), LEASE)
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_the_old_holder_can_no_longer_write() {
    let db = TestDatabase::new().await;
    let store = db.store();
    add(&store, "a.example.com").await;
    let stale = store
        .claim_next(Utc::now(), Duration::from_millis(1))
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;

    let fresh = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    assert_ne!(stale.lease, fresh.lease);
    let error = store.record_tenant_created(&stale, ARN).await.unwrap_err();
    assert!(matches!(error, StoreError::Unexpected(_)), "{error:?}");
    store.record_tenant_created(&fresh, ARN).await.unwrap();
}

#[tokio::test]
async fn recorded_progress_is_where_the_next_claim_resumes() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let added = add(&store, "a.example.com").await;
    let job = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    store.mark_vdm_enabled(&region()).await.unwrap();
    store.record_tenant_created(&job, ARN).await.unwrap();
    store
        .record_step(&job, ProvisioningStep::ConfigurationSetCreated)
        .await
        .unwrap();
    store
        .fail(&job, "SES call failed: throttled", Utc::now())
        .await
        .unwrap();

    let resumed = store
        .claim(added.tenant, Utc::now(), LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resumed.step, ProvisioningStep::ConfigurationSetCreated);
    assert_eq!(resumed.tenant.arn.as_deref(), Some(ARN));
    assert_eq!(resumed.attempts, 1);
    assert!(resumed.vdm_enabled);
}

#[tokio::test]
async fn a_failed_job_waits_for_its_retry_time_unless_claimed_explicitly() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let added = add(&store, "a.example.com").await;
    let job = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    store
        .fail(&job, "boom", Utc::now() + chrono::Duration::minutes(5))
        .await
        .unwrap();

    assert!(store.claim_next(Utc::now(), LEASE).await.unwrap().is_none());
    assert!(
        store
            .claim(added.tenant, Utc::now(), LEASE)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn completing_makes_the_tenant_ready_with_the_observed_status() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let added = add(&store, "a.example.com").await;
    let job = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    store.record_tenant_created(&job, ARN).await.unwrap();
    store.mark_domain_active(added.domain.id).await.unwrap();
    let outcome = JobOutcome::Ready {
        observed_status: Some(SendingStatus::Enabled),
    };

    assert!(store.complete(&job, outcome, Utc::now()).await.unwrap());
    let tenant = store.tenant(workspace(), &region()).await.unwrap().unwrap();
    assert_eq!(tenant.provisioning, ProvisioningState::Ready);
    assert_eq!(tenant.sending_status, SendingStatus::Enabled);
    assert!(tenant.last_checked_at.is_some());
    assert_eq!(store.backlog().await.unwrap(), 0);
    assert_eq!(
        store.list_domains(workspace()).await.unwrap()[0].state,
        DomainState::Active
    );
}

#[tokio::test]
async fn a_domain_added_during_a_job_keeps_the_tenant_due() {
    let db = TestDatabase::new().await;
    let store = db.store();
    add(&store, "a.example.com").await;
    let job = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    add(&store, "b.example.com").await;

    let done = store
        .complete(
            &job,
            JobOutcome::Ready {
                observed_status: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert!(!done);
    let next = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    assert_eq!(next.domains.len(), 2);
}

#[tokio::test]
async fn the_last_domain_removed_turns_the_job_into_a_teardown_that_deletes_the_tenant() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let added = add(&store, "a.example.com").await;
    let job = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    store
        .complete(
            &job,
            JobOutcome::Ready {
                observed_status: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();

    store
        .remove_domain(workspace(), added.domain.id)
        .await
        .unwrap()
        .unwrap();
    let teardown = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    assert_eq!(teardown.tenant.provisioning, ProvisioningState::TearingDown);
    assert_eq!(teardown.domains[0].state, DomainState::Deleting);
    store.forget_domain(added.domain.id).await.unwrap();
    assert!(
        store
            .complete(&teardown, JobOutcome::TornDown, Utc::now())
            .await
            .unwrap()
    );

    assert_eq!(store.tenant(workspace(), &region()).await.unwrap(), None);
    assert!(store.list_domains(workspace()).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_domain_added_during_teardown_keeps_the_tenant_and_restarts_provisioning() {
    let db = TestDatabase::new().await;
    let store = db.store();
    let first = add(&store, "a.example.com").await;
    let job = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    store.record_tenant_created(&job, ARN).await.unwrap();
    store
        .record_step(&job, ProvisioningStep::ConfigurationSetAssociated)
        .await
        .unwrap();
    store
        .complete(
            &job,
            JobOutcome::Ready {
                observed_status: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    store
        .remove_domain(workspace(), first.domain.id)
        .await
        .unwrap();
    let teardown = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();

    add(&store, "b.example.com").await;
    assert!(
        !store
            .complete(&teardown, JobOutcome::TornDown, Utc::now())
            .await
            .unwrap()
    );

    let again = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    assert_eq!(again.tenant.provisioning, ProvisioningState::Pending);
    assert_eq!(
        again.step,
        ProvisioningStep::Nothing,
        "teardown may have removed resources"
    );
}

#[tokio::test]
async fn renaming_starts_provisioning_over_under_the_new_name() {
    let db = TestDatabase::new().await;
    let store = db.store();
    add(&store, "a.example.com").await;
    let job = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    let fallback = TenantName::fallback_for_workspace(workspace());
    store.rename(&job, &fallback).await.unwrap();
    store.fail(&job, "renamed", Utc::now()).await.unwrap();

    let renamed = store.claim_next(Utc::now(), LEASE).await.unwrap().unwrap();
    assert_eq!(renamed.tenant.name, fallback);
    assert_eq!(renamed.tenant.configuration_set.as_str(), fallback.as_str());
    assert_eq!(renamed.tenant.arn, None);
}

mod refresh {
    use super::*;
    use posthawk_domain::ports::RefreshStore;

    /// A workspace with a provisioned tenant; returns the tenant's id.
    async fn ready_tenant(store: &PgStore, workspace: WorkspaceId, name: &str) -> TenantId {
        let added = store
            .add_domain(
                workspace,
                &DomainName::parse(name).unwrap(),
                &region(),
                &TenantName::fallback_for_workspace(workspace),
            )
            .await
            .unwrap();
        let job = store
            .claim(added.tenant, Utc::now(), LEASE)
            .await
            .unwrap()
            .unwrap();
        store
            .complete(
                &job,
                JobOutcome::Ready {
                    observed_status: None,
                },
                Utc::now(),
            )
            .await
            .unwrap();
        added.tenant
    }

    #[tokio::test]
    async fn provisioned_tenants_are_due_at_once_and_claimed_by_one_worker_only() {
        let db = TestDatabase::new().await;
        let store = db.store();
        for i in 0..5 {
            ready_tenant(
                &store,
                WorkspaceId::from_uuid(uuid::Uuid::new_v4()),
                &format!("d{i}.refresh.example"),
            )
            .await;
        }
        // A tenant still provisioning is not refreshed.
        add(&store, "pending.refresh.example").await;

        let claims = (0..4).map(|_| store.claim_due_refreshes(Utc::now(), 2, LEASE));
        let claimed: Vec<TenantId> = futures::future::join_all(claims)
            .await
            .into_iter()
            .flat_map(Result::unwrap)
            .map(|job| job.tenant.id)
            .collect();
        let mut unique = claimed.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(claimed.len(), 5, "{claimed:?}");
        assert_eq!(unique.len(), 5, "no tenant claimed twice: {claimed:?}");
        assert!(
            store
                .claim_due_refreshes(Utc::now(), 10, LEASE)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn a_scheduled_tenant_comes_due_at_its_time_and_lag_measures_the_overdue() {
        let db = TestDatabase::new().await;
        let store = db.store();
        let tenant = ready_tenant(
            &store,
            WorkspaceId::from_uuid(uuid::Uuid::new_v4()),
            "a.lag.example",
        )
        .await;
        let now = Utc::now();
        store
            .schedule_refresh(tenant, now + chrono::Duration::minutes(5))
            .await
            .unwrap();
        assert!(
            store
                .claim_due_refreshes(now, 10, LEASE)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.refresh_lag(now).await.unwrap(), Duration::ZERO);

        let later = now + chrono::Duration::minutes(7);
        // PostgreSQL keeps microseconds, so compare in milliseconds.
        let lag = store.refresh_lag(later).await.unwrap();
        assert_eq!(lag.as_millis(), 120_000);
        let due = store.claim_due_refreshes(later, 10, LEASE).await.unwrap();
        assert_eq!(due.len(), 1);
        assert_eq!(due[0].tenant.id, tenant);
    }

    #[tokio::test]
    async fn a_job_carries_when_the_status_last_changed() {
        let db = TestDatabase::new().await;
        let store = db.store();
        let tenant = ready_tenant(
            &store,
            WorkspaceId::from_uuid(uuid::Uuid::new_v4()),
            "a.change.example",
        )
        .await;
        let changed_at = Utc::now() - chrono::Duration::minutes(3);
        store
            .record_status(tenant, SendingStatus::Paused, changed_at)
            .await
            .unwrap();
        let due = store
            .claim_due_refreshes(Utc::now(), 10, LEASE)
            .await
            .unwrap();
        let at = due[0].last_change_at.unwrap();
        assert!(
            (at - changed_at).num_milliseconds().abs() < 1,
            "{at} vs {changed_at}"
        );
    }
}

/// A restart (the drift audit's repair) and removals of the tenant's domains lock the
/// same rows; taken in opposite orders they would deadlock.
#[tokio::test]
async fn restarting_a_tenant_while_its_domains_are_removed_never_deadlocks() {
    let db = TestDatabase::new().await;
    let pool = posthawk_postgres::connect(
        db.url(),
        posthawk_postgres::PoolConfig {
            max_size: 8,
            ..posthawk_postgres::PoolConfig::default()
        },
    )
    .unwrap();
    let store = PgStore::new(pool);
    for round in 0..20 {
        let mut added = Vec::new();
        for i in 0..4 {
            let domain = add(&store, &format!("d{i}.r{round}.deadlock.example")).await;
            store.mark_domain_active(domain.domain.id).await.unwrap();
            added.push(domain);
        }
        let tenant = added[0].tenant;
        let removals = added
            .iter()
            .map(|domain| store.remove_domain(workspace(), domain.domain.id));
        let (restarted, removed) =
            tokio::join!(store.restart(tenant), futures::future::join_all(removals));
        restarted.unwrap();
        for removal in removed {
            assert!(removal.unwrap().is_some());
        }
    }
}
