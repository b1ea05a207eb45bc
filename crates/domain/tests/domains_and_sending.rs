//! Contract tests of adding and removing domains and of sending through a tenant.
#![allow(clippy::unwrap_used, reason = "test fixtures fail loudly")]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use posthawk_domain::ports::{
    AddedDomain, DomainId, DomainRecord, DomainState, MessageId, MockClock, MockDomainStore,
    MockMailSender, MockProvisioningStore, MockTenantAdmin, MockTenantStore, OutboundEmail,
    ProvisioningState, SesError, StoreError, TenantId, TenantRecord,
};
use posthawk_domain::use_cases::{
    AddDomainError, DomainError, DomainService, LifecycleConfig, SendError, SendingService,
    TenantLifecycle,
};
use posthawk_domain::{
    ConfigurationSetName, DomainName, Region, SendingStatus, ServedRegions, TenantName, WorkspaceId,
};

fn workspace() -> WorkspaceId {
    WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-000000000001").unwrap()
}

fn stranger() -> WorkspaceId {
    WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-000000000002").unwrap()
}

fn region() -> Region {
    Region::parse("us-east-1").unwrap()
}

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn domain_record(owner: WorkspaceId, name: &str, state: DomainState) -> DomainRecord {
    DomainRecord {
        id: DomainId(uuid::Uuid::nil()),
        workspace: owner,
        name: DomainName::parse(name).unwrap(),
        region: region(),
        state,
        created_at: now(),
    }
}

fn tenant_record(provisioning: ProvisioningState, status: SendingStatus) -> TenantRecord {
    let name = TenantName::for_workspace(workspace());
    TenantRecord {
        id: TenantId(1),
        workspace: workspace(),
        region: region(),
        configuration_set: ConfigurationSetName::for_tenant(&name),
        name,
        arn: Some("arn:aws:ses:us-east-1:123456789012:tenant/ph-1f3a8c2d6f4b/tn-1".into()),
        provisioning,
        sending_status: status,
        last_checked_at: Some(now()),
    }
}

/// A lifecycle whose every claim finds the tenant busy elsewhere: provisioning is
/// somebody else's job in these tests.
fn busy_lifecycle() -> TenantLifecycle {
    let mut store = MockProvisioningStore::new();
    store.expect_claim().returning(|_, _, _| Ok(None));
    let mut clock = MockClock::new();
    clock.expect_now().returning(now);
    TenantLifecycle::new(
        Arc::new(store),
        Arc::new(MockTenantAdmin::new()),
        Arc::new(clock),
        LifecycleConfig::default(),
    )
}

fn domains(store: MockDomainStore, tenants: MockTenantStore) -> DomainService {
    DomainService::new(
        Arc::new(store),
        Arc::new(tenants),
        busy_lifecycle(),
        ServedRegions::default(),
    )
}

#[tokio::test]
async fn an_invalid_domain_or_unserved_region_is_refused_before_any_write() {
    let service = domains(MockDomainStore::new(), MockTenantStore::new());
    let invalid = service
        .add_domain(workspace(), "not a domain", "us-east-1")
        .await
        .unwrap_err();
    assert!(
        matches!(invalid, AddDomainError::InvalidDomain(_)),
        "{invalid:?}"
    );
    let unserved = service
        .add_domain(workspace(), "mail.example.com", "ap-south-1")
        .await
        .unwrap_err();
    assert!(
        matches!(unserved, AddDomainError::RegionNotServed(_)),
        "{unserved:?}"
    );
}

#[tokio::test]
async fn a_new_domain_is_recorded_with_the_workspaces_short_tenant_name() {
    let mut tenants = MockTenantStore::new();
    tenants.expect_owner_of_name().returning(|_, _| Ok(None));
    let mut store = MockDomainStore::new();
    store
        .expect_add_domain()
        .withf(|ws, name, r, tenant| {
            *ws == workspace()
                && name.as_str() == "mail.example.com"
                && *r == region()
                && *tenant == TenantName::for_workspace(workspace())
        })
        .times(1)
        .returning(|ws, name, _, _| {
            Ok(AddedDomain {
                domain: domain_record(ws, name.as_str(), DomainState::Provisioning),
                tenant: TenantId(1),
            })
        });
    store.expect_list_domains().returning(|_| Ok(vec![]));
    let added = domains(store, tenants)
        .add_domain(workspace(), "Mail.Example.com", "us-east-1")
        .await
        .unwrap();
    assert_eq!(added.state, DomainState::Provisioning);
}

#[tokio::test]
async fn a_short_name_held_by_another_workspace_gets_the_fallback_name() {
    let mut tenants = MockTenantStore::new();
    tenants
        .expect_owner_of_name()
        .returning(|_, _| Ok(Some(stranger())));
    let mut store = MockDomainStore::new();
    store
        .expect_add_domain()
        .withf(|_, _, _, tenant| *tenant == TenantName::fallback_for_workspace(workspace()))
        .times(1)
        .returning(|ws, name, _, _| {
            Ok(AddedDomain {
                domain: domain_record(ws, name.as_str(), DomainState::Provisioning),
                tenant: TenantId(1),
            })
        });
    store.expect_list_domains().returning(|_| Ok(vec![]));
    domains(store, tenants)
        .add_domain(workspace(), "mail.example.com", "us-east-1")
        .await
        .unwrap();
}

#[tokio::test]
async fn a_domain_registered_already_is_refused() {
    let mut tenants = MockTenantStore::new();
    tenants.expect_owner_of_name().returning(|_, _| Ok(None));
    let mut store = MockDomainStore::new();
    store
        .expect_add_domain()
        .returning(|_, _, _, _| Err(StoreError::AlreadyExists { what: "domain" }));
    let error = domains(store, tenants)
        .add_domain(workspace(), "mail.example.com", "us-east-1")
        .await
        .unwrap_err();
    assert!(
        matches!(error, AddDomainError::AlreadyRegistered(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn removing_a_domain_the_workspace_does_not_have_is_not_found() {
    let mut store = MockDomainStore::new();
    store.expect_remove_domain().returning(|_, _| Ok(None));
    let error = domains(store, MockTenantStore::new())
        .remove_domain(workspace(), DomainId(uuid::Uuid::nil()))
        .await
        .unwrap_err();
    assert!(matches!(error, DomainError::NotFound), "{error:?}");
}

fn email(from: &str) -> OutboundEmail {
    OutboundEmail {
        from: from.into(),
        to: vec!["success@simulator.amazonses.com".into()],
        subject: "Hello".into(),
        text: Some("Hi".into()),
        html: None,
    }
}

fn sending(
    domain: Option<DomainRecord>,
    tenant: Option<TenantRecord>,
    sender: MockMailSender,
) -> SendingService {
    let mut domains = MockDomainStore::new();
    domains
        .expect_find_domain()
        .returning(move |_| Ok(domain.clone()));
    let mut tenants = MockTenantStore::new();
    tenants
        .expect_tenant()
        .returning(move |_, _| Ok(tenant.clone()));
    SendingService::new(Arc::new(domains), Arc::new(tenants), Arc::new(sender))
}

#[tokio::test]
async fn a_send_carries_the_tenant_and_its_configuration_set() {
    let mut sender = MockMailSender::new();
    sender
        .expect_send()
        .withf(|r, routing, _| {
            *r == region()
                && routing.tenant.as_str() == "ph-1f3a8c2d6f4b"
                && routing.configuration_set.as_str() == "ph-1f3a8c2d6f4b"
        })
        .times(1)
        .returning(|_, _, _| Ok(MessageId("msg-1".into())));
    let service = sending(
        Some(domain_record(
            workspace(),
            "mail.example.com",
            DomainState::Active,
        )),
        Some(tenant_record(
            ProvisioningState::Ready,
            SendingStatus::Enabled,
        )),
        sender,
    );
    let id = service
        .send(workspace(), &email("Team <team@mail.example.com>"))
        .await
        .unwrap();
    assert_eq!(id, MessageId("msg-1".into()));
}

#[tokio::test]
async fn a_from_domain_of_another_workspace_is_refused_without_calling_ses() {
    let service = sending(
        Some(domain_record(
            stranger(),
            "mail.example.com",
            DomainState::Active,
        )),
        None,
        MockMailSender::new(),
    );
    let error = service
        .send(workspace(), &email("a@mail.example.com"))
        .await
        .unwrap_err();
    assert!(matches!(error, SendError::DomainNotOwned(_)), "{error:?}");
}

#[tokio::test]
async fn a_domain_still_provisioning_is_refused_without_calling_ses() {
    let service = sending(
        Some(domain_record(
            workspace(),
            "mail.example.com",
            DomainState::Provisioning,
        )),
        Some(tenant_record(
            ProvisioningState::Pending,
            SendingStatus::Disabled,
        )),
        MockMailSender::new(),
    );
    let error = service
        .send(workspace(), &email("a@mail.example.com"))
        .await
        .unwrap_err();
    assert!(matches!(error, SendError::NotProvisioned(_)), "{error:?}");
}

#[tokio::test]
async fn a_tenant_that_is_not_enabled_is_refused_without_calling_ses() {
    for status in [
        SendingStatus::Paused,
        SendingStatus::Enforced,
        SendingStatus::Disabled,
    ] {
        let service = sending(
            Some(domain_record(
                workspace(),
                "mail.example.com",
                DomainState::Active,
            )),
            Some(tenant_record(ProvisioningState::Ready, status)),
            MockMailSender::new(),
        );
        let error = service
            .send(workspace(), &email("a@mail.example.com"))
            .await
            .unwrap_err();
        assert!(
            matches!(error, SendError::TenantNotEnabled(s) if s == status),
            "{error:?}"
        );
    }
}

#[tokio::test]
async fn ses_pausing_the_tenant_mid_send_is_reported_as_not_enabled() {
    let mut sender = MockMailSender::new();
    sender
        .expect_send()
        .returning(|_, _, _| Err(SesError::SendingPaused("paused".into())));
    let service = sending(
        Some(domain_record(
            workspace(),
            "mail.example.com",
            DomainState::Active,
        )),
        Some(tenant_record(
            ProvisioningState::Ready,
            SendingStatus::Enabled,
        )),
        sender,
    );
    let error = service
        .send(workspace(), &email("a@mail.example.com"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, SendError::TenantNotEnabled(SendingStatus::Paused)),
        "{error:?}"
    );
}

#[tokio::test]
async fn malformed_messages_are_refused_before_any_lookup() {
    let service = SendingService::new(
        Arc::new(MockDomainStore::new()),
        Arc::new(MockTenantStore::new()),
        Arc::new(MockMailSender::new()),
    );
    let mut no_recipients = email("a@mail.example.com");
    no_recipients.to.clear();
    let mut no_body = email("a@mail.example.com");
    no_body.text = None;
    let mut bad_recipient = email("a@mail.example.com");
    bad_recipient.to = vec!["nobody".into()];
    for bad in [no_recipients, no_body, bad_recipient] {
        let error = service.send(workspace(), &bad).await.unwrap_err();
        assert!(matches!(error, SendError::InvalidMessage(_)), "{error:?}");
    }
}
