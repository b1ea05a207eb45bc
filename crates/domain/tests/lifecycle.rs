//! Contract tests of the tenant lifecycle: the SES calls and store writes each rule
//! makes, with both ports mocked.
#![allow(clippy::unwrap_used, reason = "test fixtures fail loudly")]

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use mockall::Sequence;
use mockall::predicate::eq;
use posthawk_domain::ports::{
    DomainId, DomainRecord, DomainState, JobOutcome, LeaseToken, MockClock, MockProvisioningStore,
    MockTenantAdmin, ProvisioningState, ProvisioningStep, SesError, SesTenant, TenantId, TenantJob,
    TenantRecord, TenantResource,
};
use posthawk_domain::use_cases::{LifecycleConfig, PassReport, TenantLifecycle};
use posthawk_domain::{
    AwsSendingStatus, ConfigurationSetName, DomainName, Region, SendingStatus, TenantName,
    WorkspaceId,
};

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ses-events";
const ARN: &str = "arn:aws:ses:us-east-1:123456789012:tenant/ph-1f3a8c2d6f4b/tn-1";

fn workspace() -> WorkspaceId {
    WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b").unwrap()
}

fn region() -> Region {
    Region::parse("us-east-1").unwrap()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn domain(name: &str, state: DomainState) -> DomainRecord {
    DomainRecord {
        id: DomainId(uuid::Uuid::new_v4()),
        workspace: workspace(),
        name: DomainName::parse(name).unwrap(),
        region: region(),
        state,
        created_at: now(),
    }
}

fn job(step: ProvisioningStep, domains: Vec<DomainRecord>) -> TenantJob {
    let name = TenantName::for_workspace(workspace());
    TenantJob {
        tenant: TenantRecord {
            id: TenantId(1),
            workspace: workspace(),
            region: region(),
            configuration_set: ConfigurationSetName::for_tenant(&name),
            name,
            arn: (step >= ProvisioningStep::TenantCreated).then(|| ARN.to_owned()),
            provisioning: ProvisioningState::Pending,
            sending_status: SendingStatus::Disabled,
            last_checked_at: None,
        },
        step,
        generation: 1,
        lease: LeaseToken(uuid::Uuid::nil()),
        attempts: 0,
        domains,
        vdm_enabled: true,
    }
}

fn ses_tenant(owner: WorkspaceId) -> SesTenant {
    SesTenant {
        name: TenantName::for_workspace(workspace()),
        arn: ARN.to_owned(),
        owner: Some(owner),
        sending_status: AwsSendingStatus::Enabled,
    }
}

fn lifecycle(store: MockProvisioningStore, ses: MockTenantAdmin) -> TenantLifecycle {
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    let config = LifecycleConfig {
        event_topics: HashMap::from([(region(), TOPIC.to_owned())]),
        ..LifecycleConfig::default()
    };
    TenantLifecycle::new(Arc::new(store), Arc::new(ses), Arc::new(clock), config)
}

/// A store that hands out `job` once and accepts every progress write.
fn store_with(job: TenantJob) -> MockProvisioningStore {
    let mut store = MockProvisioningStore::new();
    store
        .expect_claim_next()
        .times(1)
        .return_once(move |_, _| Ok(Some(job)));
    store
        .expect_record_tenant_created()
        .returning(|_, _| Ok(()));
    store.expect_record_step().returning(|_, _| Ok(()));
    store.expect_mark_vdm_enabled().returning(|_| Ok(()));
    store.expect_mark_domain_active().returning(|_| Ok(()));
    store.expect_forget_domain().returning(|_| Ok(()));
    store
}

fn expect_completion(store: &mut MockProvisioningStore, outcome: JobOutcome) {
    store
        .expect_complete()
        .withf(move |_, o, _| *o == outcome)
        .times(1)
        .returning(|_, _, _| Ok(true));
}

#[tokio::test]
async fn first_domain_provisions_every_resource_in_order() {
    let new = domain("mail.example.com", DomainState::Provisioning);
    let mut job = job(ProvisioningStep::Nothing, vec![new.clone()]);
    job.vdm_enabled = false;
    let mut store = store_with(job);
    expect_completion(
        &mut store,
        JobOutcome::Ready {
            observed_status: Some(SendingStatus::Enabled),
        },
    );

    let mut ses = MockTenantAdmin::new();
    let mut order = Sequence::new();
    let config_set = ConfigurationSetName::for_tenant(&TenantName::for_workspace(workspace()));
    ses.expect_enable_vdm()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_| Ok(()));
    ses.expect_create_tenant()
        .with(
            eq(region()),
            eq(TenantName::for_workspace(workspace())),
            eq(workspace()),
        )
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, owner| Ok(ses_tenant(owner)));
    ses.expect_create_configuration_set()
        .with(eq(region()), eq(config_set.clone()), eq(workspace()))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(()));
    ses.expect_put_event_destination()
        .with(eq(region()), eq(config_set.clone()), eq(TOPIC))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(()));
    ses.expect_associate()
        .withf(move |_, t, r| {
            t.arn == ARN && *r == TenantResource::ConfigurationSet(config_set.clone())
        })
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(()));
    ses.expect_create_identity()
        .with(eq(region()), eq(new.name.clone()))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));
    let identity = TenantResource::Identity(new.name.clone());
    ses.expect_associate()
        .withf(move |_, _, r| *r == identity)
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(()));

    let report = lifecycle(store, ses).run_once().await.unwrap();
    assert!(
        matches!(report, PassReport::Reconciled { done: true, .. }),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_later_domain_only_adds_its_identity() {
    let active = domain("a.example.com", DomainState::Active);
    let new = domain("b.example.com", DomainState::Provisioning);
    let mut store = store_with(job(
        ProvisioningStep::ConfigurationSetAssociated,
        vec![active, new.clone()],
    ));
    expect_completion(
        &mut store,
        JobOutcome::Ready {
            observed_status: None,
        },
    );
    // Only these calls are expected: any other (a second CreateTenant) fails the test.
    let mut ses = MockTenantAdmin::new();
    ses.expect_create_identity()
        .with(eq(region()), eq(new.name.clone()))
        .times(1)
        .returning(|_, _| Ok(()));
    ses.expect_associate()
        .withf(move |_, t, r| t.arn == ARN && *r == TenantResource::Identity(new.name.clone()))
        .times(1)
        .returning(|_, _, _| Ok(()));

    lifecycle(store, ses).run_once().await.unwrap();
}

#[tokio::test]
async fn a_resumed_job_continues_after_the_last_recorded_step() {
    let new = domain("mail.example.com", DomainState::Provisioning);
    let mut store = store_with(job(ProvisioningStep::ConfigurationSetCreated, vec![new]));
    expect_completion(
        &mut store,
        JobOutcome::Ready {
            observed_status: None,
        },
    );
    let mut ses = MockTenantAdmin::new();
    ses.expect_put_event_destination()
        .times(1)
        .returning(|_, _, _| Ok(()));
    ses.expect_associate().times(2).returning(|_, _, _| Ok(()));
    ses.expect_create_identity()
        .times(1)
        .returning(|_, _| Ok(()));

    lifecycle(store, ses).run_once().await.unwrap();
}

#[tokio::test]
async fn resources_that_already_exist_count_as_created() {
    let new = domain("mail.example.com", DomainState::Provisioning);
    let mut store = store_with(job(ProvisioningStep::Nothing, vec![new]));
    expect_completion(
        &mut store,
        JobOutcome::Ready {
            observed_status: Some(SendingStatus::Enabled),
        },
    );
    let exists = || Err(SesError::AlreadyExists("exists".into()));
    let mut ses = MockTenantAdmin::new();
    ses.expect_create_tenant()
        .times(1)
        .returning(|_, _, _| Err(SesError::AlreadyExists("exists".into())));
    ses.expect_get_tenant()
        .times(1)
        .returning(|_, _| Ok(Some(ses_tenant(workspace()))));
    ses.expect_create_configuration_set()
        .times(1)
        .returning(move |_, _, _| exists());
    ses.expect_put_event_destination()
        .times(1)
        .returning(|_, _, _| Ok(()));
    ses.expect_associate()
        .times(2)
        .returning(move |_, _, _| exists());
    ses.expect_create_identity()
        .times(1)
        .returning(move |_, _| exists());

    let report = lifecycle(store, ses).run_once().await.unwrap();
    assert!(
        matches!(report, PassReport::Reconciled { .. }),
        "{report:?}"
    );
}

#[tokio::test]
async fn a_tenant_name_owned_by_another_workspace_is_never_reused() {
    let mut store = store_with(job(
        ProvisioningStep::Nothing,
        vec![domain("m.example.com", DomainState::Provisioning)],
    ));
    let stranger = WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-000000000002").unwrap();
    store
        .expect_rename()
        .withf(|_, name| *name == TenantName::fallback_for_workspace(workspace()))
        .times(1)
        .returning(|_, _| Ok(()));
    store.expect_fail().times(1).returning(|_, _, _| Ok(()));
    let mut ses = MockTenantAdmin::new();
    ses.expect_create_tenant()
        .times(1)
        .returning(|_, _, _| Err(SesError::AlreadyExists("taken".into())));
    ses.expect_get_tenant()
        .times(1)
        .returning(move |_, _| Ok(Some(ses_tenant(stranger))));
    // No configuration set, association or identity may be made under the stranger's name.

    let report = lifecycle(store, ses).run_once().await.unwrap();
    assert!(matches!(report, PassReport::Failed { .. }), "{report:?}");
}

#[tokio::test]
async fn an_ses_failure_records_the_error_and_retries_with_jittered_backoff() {
    let mut failing = job(
        ProvisioningStep::TenantCreated,
        vec![domain("m.example.com", DomainState::Provisioning)],
    );
    failing.attempts = 3;
    let mut store = store_with(failing);
    store
        .expect_fail()
        .withf(|_, error, retry_at| {
            // Attempt 4: a ceiling of 1 s * 2^3 = 8 s, jittered into [4 s, 8 s].
            let delay = *retry_at - now();
            error.contains("CreateConfigurationSet")
                && error.contains("throttling")
                && delay >= chrono::Duration::seconds(4)
                && delay <= chrono::Duration::seconds(8)
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    let mut ses = MockTenantAdmin::new();
    ses.expect_create_configuration_set()
        .times(1)
        .returning(|_, _, _| Err(SesError::Throttled));

    let report = lifecycle(store, ses).run_once().await.unwrap();
    assert!(matches!(report, PassReport::Failed { .. }), "{report:?}");
}

#[tokio::test]
async fn the_last_domain_deleted_tears_everything_down_in_dependency_order() {
    let leaving = domain("mail.example.com", DomainState::Deleting);
    let mut store = store_with(job(
        ProvisioningStep::ConfigurationSetAssociated,
        vec![leaving.clone()],
    ));
    expect_completion(&mut store, JobOutcome::TornDown);
    let mut ses = MockTenantAdmin::new();
    let mut order = Sequence::new();
    ses.expect_get_tenant()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(Some(ses_tenant(workspace()))));
    let identity = TenantResource::Identity(leaving.name.clone());
    ses.expect_disassociate()
        .withf(move |_, _, r| *r == identity)
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(()));
    ses.expect_delete_identity()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));
    ses.expect_disassociate()
        .withf(|_, _, r| matches!(r, TenantResource::ConfigurationSet(_)))
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _, _| Ok(()));
    ses.expect_delete_configuration_set()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));
    ses.expect_delete_tenant()
        .times(1)
        .in_sequence(&mut order)
        .returning(|_, _| Ok(()));

    let report = lifecycle(store, ses).run_once().await.unwrap();
    assert!(
        matches!(
            report,
            PassReport::Reconciled {
                outcome: JobOutcome::TornDown,
                ..
            }
        ),
        "{report:?}"
    );
}

#[tokio::test]
async fn teardown_of_resources_already_gone_succeeds() {
    let mut store = store_with(job(
        ProvisioningStep::ConfigurationSetAssociated,
        vec![domain("m.example.com", DomainState::Deleting)],
    ));
    expect_completion(&mut store, JobOutcome::TornDown);
    let gone = || Err(SesError::NotFound("gone".into()));
    let mut ses = MockTenantAdmin::new();
    ses.expect_get_tenant()
        .returning(|_, _| Ok(Some(ses_tenant(workspace()))));
    ses.expect_disassociate()
        .times(2)
        .returning(move |_, _, _| gone());
    ses.expect_delete_identity()
        .times(1)
        .returning(move |_, _| gone());
    ses.expect_delete_configuration_set()
        .times(1)
        .returning(move |_, _| gone());
    ses.expect_delete_tenant()
        .times(1)
        .returning(move |_, _| gone());

    lifecycle(store, ses).run_once().await.unwrap();
}

#[tokio::test]
async fn teardown_never_deletes_what_belongs_to_another_workspace() {
    // A crash may leave no ARN recorded; SES is asked, and the stranger's tenant and the
    // configuration set of its name are left alone.
    let stranger = WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-000000000002").unwrap();
    let mut store = store_with(job(
        ProvisioningStep::Nothing,
        vec![domain("m.example.com", DomainState::Deleting)],
    ));
    expect_completion(&mut store, JobOutcome::TornDown);
    let mut ses = MockTenantAdmin::new();
    ses.expect_get_tenant()
        .times(1)
        .returning(move |_, _| Ok(Some(ses_tenant(stranger))));
    ses.expect_delete_identity()
        .times(1)
        .returning(|_, _| Ok(()));
    // No disassociate, delete_configuration_set or delete_tenant: the mock would panic.

    lifecycle(store, ses).run_once().await.unwrap();
}

#[tokio::test]
async fn a_deleted_domain_among_live_ones_only_loses_its_identity() {
    let staying = domain("a.example.com", DomainState::Active);
    let leaving = domain("b.example.com", DomainState::Deleting);
    let forgotten = leaving.id;
    let mut store = MockProvisioningStore::new();
    let claimed = job(
        ProvisioningStep::ConfigurationSetAssociated,
        vec![staying, leaving.clone()],
    );
    store
        .expect_claim_next()
        .times(1)
        .return_once(move |_, _| Ok(Some(claimed)));
    store
        .expect_forget_domain()
        .with(eq(forgotten))
        .times(1)
        .returning(|_| Ok(()));
    expect_completion(
        &mut store,
        JobOutcome::Ready {
            observed_status: None,
        },
    );
    let mut ses = MockTenantAdmin::new();
    ses.expect_disassociate()
        .withf(move |_, _, r| *r == TenantResource::Identity(leaving.name.clone()))
        .times(1)
        .returning(|_, _, _| Ok(()));
    ses.expect_delete_identity()
        .times(1)
        .returning(|_, _| Ok(()));

    lifecycle(store, ses).run_once().await.unwrap();
}

#[tokio::test]
async fn nothing_due_is_an_idle_pass() {
    let mut store = MockProvisioningStore::new();
    store
        .expect_claim_next()
        .with(mockall::predicate::always(), eq(Duration::from_secs(120)))
        .returning(|_, _| Ok(None));
    let report = lifecycle(store, MockTenantAdmin::new())
        .run_once()
        .await
        .unwrap();
    assert_eq!(report, PassReport::Idle);
}
