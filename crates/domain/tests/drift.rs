//! Contract tests of the drift audit: what counts as drift or an orphan, and what a
//! repair does, with the store and SES mocked. A call a test does not expect fails it.
#![allow(clippy::unwrap_used, reason = "test fixtures fail loudly")]

use std::collections::HashMap;
use std::sync::Arc;

use mockall::predicate::eq;
use posthawk_domain::ports::{
    MockProvisioningStore, MockTenantAdmin, MockTenantStore, ProvisioningState, SesTenant,
    TenantId, TenantRecord, TenantResource,
};
use posthawk_domain::use_cases::{Drift, DriftAudit};
use posthawk_domain::{
    AwsSendingStatus, ConfigurationSetName, DomainName, Region, SendingStatus, ServedRegions,
    TenantName, WorkspaceId,
};

const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:ses-events";

fn region() -> Region {
    Region::parse("us-east-1").unwrap()
}

fn workspace() -> WorkspaceId {
    WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b").unwrap()
}

fn name() -> TenantName {
    TenantName::for_workspace(workspace())
}

fn record(provisioning: ProvisioningState) -> TenantRecord {
    TenantRecord {
        id: TenantId(7),
        workspace: workspace(),
        region: region(),
        name: name(),
        configuration_set: ConfigurationSetName::for_tenant(&name()),
        arn: Some("arn:aws:ses:us-east-1:123456789012:tenant/ph-1f3a8c2d6f4b/tn-1".into()),
        provisioning,
        sending_status: SendingStatus::Enabled,
        last_checked_at: None,
    }
}

fn in_ses() -> SesTenant {
    SesTenant {
        name: name(),
        arn: "arn:aws:ses:us-east-1:123456789012:tenant/ph-1f3a8c2d6f4b/tn-1".into(),
        owner: Some(workspace()),
        sending_status: AwsSendingStatus::Enabled,
    }
}

/// An audit of us-east-1 over `recorded` tenants and SES holding `held`.
fn audit(
    mut tenants: MockTenantStore,
    provisioning: MockProvisioningStore,
    mut ses: MockTenantAdmin,
    recorded: Vec<TenantRecord>,
    held: Vec<SesTenant>,
) -> DriftAudit {
    tenants
        .expect_tenants_with_configuration_set()
        .return_once(move || Ok(recorded));
    ses.expect_list_tenants().return_once(move |_| Ok(held));
    DriftAudit::new(
        Arc::new(tenants),
        Arc::new(provisioning),
        Arc::new(ses),
        HashMap::from([(region(), TOPIC.to_owned())]),
        ServedRegions::parse_list("us-east-1").unwrap(),
    )
}

#[tokio::test]
async fn a_tenant_created_before_its_configuration_set_is_not_an_orphan() {
    // Not listed with a configuration set yet, but recorded under its name.
    let mut tenants = MockTenantStore::new();
    tenants
        .expect_owner_of_name()
        .with(eq(region()), eq(name()))
        .return_once(|_, _| Ok(Some(workspace())));

    let audit = audit(
        tenants,
        MockProvisioningStore::new(),
        MockTenantAdmin::new(),
        vec![],
        vec![in_ses()],
    );
    let report = audit.run(false).await.unwrap();

    assert_eq!(report.drift, vec![]);
    assert_eq!(report.repaired, 0);
}

#[tokio::test]
async fn a_tenant_still_being_provisioned_is_not_checked_for_drift() {
    // No SES reads of its configuration set or associations are expected.
    let audit = audit(
        MockTenantStore::new(),
        MockProvisioningStore::new(),
        MockTenantAdmin::new(),
        vec![record(ProvisioningState::Pending)],
        vec![in_ses()],
    );

    assert_eq!(audit.run(false).await.unwrap().drift, vec![]);
}

#[tokio::test]
async fn a_ph_tenant_that_no_record_holds_is_an_orphan_and_removed() {
    let mut tenants = MockTenantStore::new();
    tenants.expect_owner_of_name().return_once(|_, _| Ok(None));
    let mut ses = MockTenantAdmin::new();
    ses.expect_tenant_resources().return_once(|_, _| Ok(vec![]));
    ses.expect_delete_tenant()
        .with(eq(region()), eq(name()))
        .times(1)
        .return_once(|_, _| Ok(()));

    let audit = audit(
        tenants,
        MockProvisioningStore::new(),
        ses,
        vec![],
        vec![in_ses()],
    );
    let report = audit.run(false).await.unwrap();

    assert_eq!(
        report.drift,
        vec![Drift::Orphan {
            region: region(),
            tenant: in_ses()
        }]
    );
    assert_eq!((report.repaired, report.repair_errors), (1, 0));
}

#[tokio::test]
async fn a_tenant_with_several_differences_is_provisioned_again_once() {
    let ready = record(ProvisioningState::Ready);
    let mut ses = MockTenantAdmin::new();
    // Publishing nowhere, and nothing associated.
    ses.expect_event_destination_topic()
        .return_once(|_, _| Ok(None));
    ses.expect_tenant_resources().return_once(|_, _| Ok(vec![]));
    let mut provisioning = MockProvisioningStore::new();
    provisioning
        .expect_active_domains()
        .return_once(|_| Ok(vec![DomainName::parse("mail.example.com").unwrap()]));
    provisioning
        .expect_restart()
        .with(eq(ready.id))
        .times(1)
        .return_once(|_| Ok(()));

    let audit = audit(
        MockTenantStore::new(),
        provisioning,
        ses,
        vec![ready.clone()],
        vec![in_ses()],
    );
    let report = audit.run(false).await.unwrap();

    assert_eq!(
        report.drift,
        vec![
            Drift::WrongEventDestination {
                tenant: ready.clone(),
                found: None
            },
            Drift::MissingAssociation {
                tenant: ready.clone(),
                resource: TenantResource::ConfigurationSet(ready.configuration_set.clone()),
            },
            Drift::MissingAssociation {
                tenant: ready.clone(),
                resource: TenantResource::Identity(DomainName::parse("mail.example.com").unwrap()),
            },
        ]
    );
    assert_eq!((report.repaired, report.repair_errors), (1, 0));
}

#[tokio::test]
async fn a_dry_run_reports_and_repairs_nothing() {
    let ready = record(ProvisioningState::Ready);
    let audit = audit(
        MockTenantStore::new(),
        MockProvisioningStore::new(),
        MockTenantAdmin::new(),
        vec![ready.clone()],
        vec![],
    );
    let report = audit.run(true).await.unwrap();

    assert_eq!(report.drift, vec![Drift::MissingTenant(ready)]);
    assert_eq!((report.repaired, report.repair_errors), (0, 0));
}
