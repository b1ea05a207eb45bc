//! `TenantAdmin`: what each call leaves in SES, and the errors that make it idempotent.

use posthawk_domain::ports::{SesError, TenantAdmin, TenantResource};
use posthawk_domain::{AwsSendingStatus, Region, TenantName, WorkspaceId};
use posthawk_ses::OWNER_TAG_KEY;
use posthawk_ses_emulator::{
    EngagementMetricsSwitch, EventType, FeatureStatus, OptimizedSharedDeliverySwitch, Tag,
    VdmOptions,
};

use crate::helpers::{
    DOMAIN, REGION, configuration_set, domain, region, spawn, tenant_name, workspace,
};

fn owner_tag() -> Tag {
    Tag {
        key: OWNER_TAG_KEY.to_owned(),
        value: workspace().to_string(),
    }
}

#[tokio::test]
async fn enable_vdm_turns_on_engagement_metrics_and_optimized_shared_delivery() {
    let test = spawn().await;

    test.ses.enable_vdm(&region()).await.unwrap();

    let vdm = test.state.inventory(REGION).vdm_attributes.unwrap();
    assert_eq!(vdm.vdm_enabled, FeatureStatus::Enabled);
    assert_eq!(
        vdm.dashboard_attributes.unwrap().engagement_metrics,
        Some(FeatureStatus::Enabled)
    );
    assert_eq!(
        vdm.guardian_attributes.unwrap().optimized_shared_delivery,
        Some(FeatureStatus::Enabled)
    );
}

#[tokio::test]
async fn created_tenant_is_tagged_with_its_workspace_and_enabled() {
    let test = spawn().await;

    let tenant = test.create_tenant().await;

    assert_eq!(tenant.name, tenant_name());
    assert_eq!(tenant.owner, Some(workspace()));
    assert_eq!(tenant.sending_status, AwsSendingStatus::Enabled);
    let inventory = test.state.inventory(REGION);
    let [stored] = inventory.tenants.as_slice() else {
        panic!("expected one tenant, got {:?}", inventory.tenants);
    };
    assert_eq!(stored.name, tenant_name().as_str());
    assert_eq!(stored.arn, tenant.arn);
    assert_eq!(stored.tags, [owner_tag()]);
}

#[tokio::test]
async fn creating_a_tenant_twice_is_already_exists() {
    let test = spawn().await;
    test.create_tenant().await;

    let again = test
        .ses
        .create_tenant(&region(), &tenant_name(), workspace())
        .await;

    assert!(
        matches!(&again, Err(SesError::AlreadyExists(message)) if message.contains(tenant_name().as_str())),
        "{again:?}"
    );
}

#[tokio::test]
async fn get_tenant_is_none_until_created_then_reads_the_owner_back() {
    let test = spawn().await;
    assert_eq!(
        test.ses
            .get_tenant(&region(), &tenant_name())
            .await
            .unwrap(),
        None
    );

    let created = test.create_tenant().await;

    let found = test
        .ses
        .get_tenant(&region(), &tenant_name())
        .await
        .unwrap();
    assert_eq!(found, Some(created));
}

#[tokio::test]
async fn deleting_a_tenant_twice_is_not_found() {
    let test = spawn().await;
    test.create_tenant().await;

    test.ses
        .delete_tenant(&region(), &tenant_name())
        .await
        .unwrap();
    let again = test.ses.delete_tenant(&region(), &tenant_name()).await;

    assert!(matches!(again, Err(SesError::NotFound(_))), "{again:?}");
    assert!(test.state.inventory(REGION).tenants.is_empty());
}

#[tokio::test]
async fn configuration_set_is_created_with_vdm_options_and_the_owner_tag() {
    let test = spawn().await;

    test.ses
        .create_configuration_set(&region(), &configuration_set(), workspace())
        .await
        .unwrap();

    let inventory = test.state.inventory(REGION);
    let [set] = inventory.configuration_sets.as_slice() else {
        panic!("expected one set, got {:?}", inventory.configuration_sets);
    };
    assert_eq!(set.name, configuration_set().as_str());
    assert_eq!(set.tags, [owner_tag()]);
    assert_eq!(
        set.settings.vdm_options,
        Some(VdmOptions {
            dashboard_options: Some(EngagementMetricsSwitch {
                engagement_metrics: Some(FeatureStatus::Enabled)
            }),
            guardian_options: Some(OptimizedSharedDeliverySwitch {
                optimized_shared_delivery: Some(FeatureStatus::Enabled)
            }),
        })
    );
}

#[tokio::test]
async fn configuration_set_created_twice_is_already_exists_and_deleted_twice_not_found() {
    let test = spawn().await;
    let (region, name) = (region(), configuration_set());
    let create = || {
        test.ses
            .create_configuration_set(&region, &name, workspace())
    };
    create().await.unwrap();
    assert!(matches!(create().await, Err(SesError::AlreadyExists(_))));

    let delete = || test.ses.delete_configuration_set(&region, &name);
    delete().await.unwrap();
    assert!(matches!(delete().await, Err(SesError::NotFound(_))));
}

#[tokio::test]
async fn event_destination_is_created_then_updated_to_a_new_topic() {
    let test = spawn().await;
    test.ses
        .create_configuration_set(&region(), &configuration_set(), workspace())
        .await
        .unwrap();
    let first = "arn:aws:sns:us-east-1:123456789012:posthawk-events";
    let second = "arn:aws:sns:us-east-1:123456789012:posthawk-events-v2";

    test.ses
        .put_event_destination(&region(), &configuration_set(), first)
        .await
        .unwrap();
    test.ses
        .put_event_destination(&region(), &configuration_set(), second)
        .await
        .unwrap();

    let inventory = test.state.inventory(REGION);
    let [destination] = inventory.configuration_sets[0]
        .event_destinations
        .as_slice()
    else {
        panic!(
            "expected one destination: {:?}",
            inventory.configuration_sets
        );
    };
    assert_eq!(destination.name, "posthawk-events");
    let definition = &destination.definition;
    assert_eq!(definition.enabled, Some(true));
    assert_eq!(
        definition
            .sns_destination
            .as_ref()
            .map(|sns| sns.topic_arn.as_str()),
        Some(second)
    );
    assert_eq!(
        definition.matching_event_types.as_deref(),
        Some(
            [
                EventType::Send,
                EventType::Reject,
                EventType::Bounce,
                EventType::Complaint,
                EventType::Delivery,
                EventType::DeliveryDelay,
                EventType::RenderingFailure,
            ]
            .as_slice()
        )
    );
    // Update first (missing: NotFound), create once, then a plain update.
    assert_eq!(
        test.state
            .call_count("UpdateConfigurationSetEventDestination"),
        2
    );
    assert_eq!(
        test.state
            .call_count("CreateConfigurationSetEventDestination"),
        1
    );
}

#[tokio::test]
async fn event_destination_on_a_missing_configuration_set_is_not_found() {
    let test = spawn().await;

    let put = test
        .ses
        .put_event_destination(
            &region(),
            &configuration_set(),
            "arn:aws:sns:us-east-1:123456789012:posthawk-events",
        )
        .await;

    assert!(matches!(put, Err(SesError::NotFound(_))), "{put:?}");
}

#[tokio::test]
async fn identity_is_created_once_then_already_exists_and_deleted_once_then_not_found() {
    let test = spawn().await;

    test.ses
        .create_identity(&region(), &domain())
        .await
        .unwrap();
    let again = test.ses.create_identity(&region(), &domain()).await;

    assert!(
        matches!(again, Err(SesError::AlreadyExists(_))),
        "{again:?}"
    );
    let identities = test.state.inventory(REGION).identities;
    assert_eq!(identities.len(), 1);
    assert_eq!(identities[0].name, DOMAIN);

    test.ses
        .delete_identity(&region(), &domain())
        .await
        .unwrap();
    let deleted_again = test.ses.delete_identity(&region(), &domain()).await;
    assert!(matches!(deleted_again, Err(SesError::NotFound(_))));
}

#[tokio::test]
async fn configuration_set_and_identity_are_associated_by_arns_in_the_tenants_account() {
    let test = spawn().await;

    let tenant = test.provision().await;

    let inventory = test.state.inventory(REGION);
    let stored = &inventory.tenants[0];
    let mut associated: Vec<&str> = stored.resources.keys().map(String::as_str).collect();
    associated.sort_unstable();
    assert_eq!(
        associated,
        [
            inventory.configuration_sets[0].arn.as_str(),
            inventory.identities[0].arn.as_str(),
        ]
    );
    let again = test
        .ses
        .associate(&region(), &tenant, &TenantResource::Identity(domain()))
        .await;
    assert!(
        matches!(again, Err(SesError::AlreadyExists(_))),
        "{again:?}"
    );
}

#[tokio::test]
async fn disassociating_removes_the_association_and_a_second_time_is_not_found() {
    let test = spawn().await;
    let tenant = test.provision().await;
    let set = TenantResource::ConfigurationSet(configuration_set());

    test.ses
        .disassociate(&region(), &tenant, &set)
        .await
        .unwrap();
    let again = test.ses.disassociate(&region(), &tenant, &set).await;

    assert!(matches!(again, Err(SesError::NotFound(_))), "{again:?}");
    let resources = &test.state.inventory(REGION).tenants[0].resources;
    assert_eq!(
        resources.len(),
        1,
        "only the identity is left: {resources:?}"
    );
}

#[tokio::test]
async fn a_configuration_set_still_associated_cannot_be_deleted() {
    let test = spawn().await;
    test.provision().await;

    let deleted = test
        .ses
        .delete_configuration_set(&region(), &configuration_set())
        .await;

    assert!(matches!(deleted, Err(SesError::Rejected(_))), "{deleted:?}");
}

#[tokio::test]
async fn list_tenants_follows_every_page_and_reads_each_owner() {
    let test = spawn().await;
    // One more than a default page of 100.
    let mut expected = Vec::new();
    for n in 0..101_u32 {
        let owner = WorkspaceId::parse(&format!("00000000-0000-4000-8000-{n:012}")).unwrap();
        let name = TenantName::parse(&format!("ph-test-{n:03}")).unwrap();
        test.ses
            .create_tenant(&region(), &name, owner)
            .await
            .unwrap();
        expected.push((name, owner));
    }

    let listed = test.ses.list_tenants(&region()).await.unwrap();

    let mut listed: Vec<(TenantName, WorkspaceId)> = listed
        .into_iter()
        .map(|tenant| (tenant.name, tenant.owner.unwrap()))
        .collect();
    listed.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    expected.sort_by(|a, b| a.0.as_str().cmp(b.0.as_str()));
    assert_eq!(listed, expected);
    assert_eq!(test.state.call_count("ListTenants"), 2);
    assert_eq!(test.state.call_count("GetTenant"), 101);
}

#[tokio::test]
async fn a_region_not_served_is_rejected_without_calling_ses() {
    let test = spawn().await;
    let elsewhere = Region::parse("ap-south-1").unwrap();

    let result = test.ses.get_tenant(&elsewhere, &tenant_name()).await;

    assert!(matches!(result, Err(SesError::Rejected(_))), "{result:?}");
    assert!(test.state.call_counts().is_empty());
}
