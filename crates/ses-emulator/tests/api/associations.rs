//! Tenant resource associations and the deletion rules they impose.

use aws_sdk_sesv2::types::{ListTenantResourcesFilterKey, ResourceType};

use crate::helpers::{REGION, spawn};

#[tokio::test]
async fn list_tenant_resources_pages_through_the_associations() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;
    let second_identity = emulator.create_identity("example.org").await;
    emulator.associate("ph-1", &second_identity).await;

    let mut arns = Vec::new();
    let mut next_token = None;
    loop {
        let page = emulator
            .ses
            .list_tenant_resources()
            .tenant_name("ph-1")
            .page_size(1)
            .set_next_token(next_token)
            .send()
            .await
            .unwrap();
        assert_eq!(page.tenant_resources().len(), 1);
        arns.extend(
            page.tenant_resources()
                .iter()
                .map(|r| r.resource_arn().unwrap().to_owned()),
        );
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }

    let mut expected = vec![
        provisioned.configuration_set_arn,
        provisioned.identity_arn,
        second_identity,
    ];
    expected.sort();
    assert_eq!(arns, expected);
}

#[tokio::test]
async fn list_tenant_resources_filters_by_resource_type() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;

    let identities = emulator
        .ses
        .list_tenant_resources()
        .tenant_name("ph-1")
        .filter(ListTenantResourcesFilterKey::ResourceType, "EMAIL_IDENTITY")
        .send()
        .await
        .unwrap();

    let resources = identities.tenant_resources();
    assert_eq!(resources.len(), 1);
    assert_eq!(
        resources[0].resource_type(),
        Some(&ResourceType::EmailIdentity)
    );
    assert_eq!(
        resources[0].resource_arn(),
        Some(provisioned.identity_arn.as_str())
    );
}

#[tokio::test]
async fn list_resource_tenants_names_every_tenant_of_a_resource() {
    let emulator = spawn().await;
    let identity = emulator.create_identity("example.com").await;
    for tenant in ["ph-b", "ph-a"] {
        emulator.create_tenant(tenant).await;
        emulator.associate(tenant, &identity).await;
    }

    let listed = emulator
        .ses
        .list_resource_tenants()
        .resource_arn(&identity)
        .page_size(1)
        .send()
        .await
        .unwrap();

    let first = &listed.resource_tenants()[0];
    assert_eq!(first.tenant_name(), Some("ph-a"));
    assert_eq!(first.resource_arn(), Some(identity.as_str()));
    assert!(first.tenant_id().unwrap().starts_with("tn-"));
    assert!(first.associated_timestamp().is_some());
    let rest = emulator
        .ses
        .list_resource_tenants()
        .resource_arn(&identity)
        .next_token(listed.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(rest.resource_tenants()[0].tenant_name(), Some("ph-b"));
    assert!(rest.next_token().is_none());
}

#[tokio::test]
async fn associating_twice_is_already_exists() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;

    let error = emulator
        .ses
        .create_tenant_resource_association()
        .tenant_name("ph-1")
        .resource_arn(&provisioned.identity_arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_already_exists_exception(), "{error:?}");
}

#[tokio::test]
async fn associating_a_missing_resource_or_tenant_is_not_found() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;
    let identity = emulator.create_identity("example.com").await;

    let missing_resource = emulator
        .ses
        .create_tenant_resource_association()
        .tenant_name("ph-1")
        .resource_arn(format!(
            "arn:aws:ses:{REGION}:123456789012:identity/missing.com"
        ))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        missing_resource.is_not_found_exception(),
        "{missing_resource:?}"
    );

    let missing_tenant = emulator
        .ses
        .create_tenant_resource_association()
        .tenant_name("nobody")
        .resource_arn(&identity)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        missing_tenant.is_not_found_exception(),
        "{missing_tenant:?}"
    );

    let not_an_ses_arn = emulator
        .ses
        .create_tenant_resource_association()
        .tenant_name("ph-1")
        .resource_arn("arn:aws:sns:us-east-1:123456789012:topic")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        not_an_ses_arn.is_bad_request_exception(),
        "{not_an_ses_arn:?}"
    );
}

#[tokio::test]
async fn deleting_an_associated_identity_is_refused() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;

    let error = emulator
        .ses
        .delete_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_bad_request_exception(), "{error:?}");

    emulator
        .ses
        .delete_tenant_resource_association()
        .tenant_name("ph-1")
        .resource_arn(&provisioned.identity_arn)
        .send()
        .await
        .unwrap();
    emulator
        .ses
        .delete_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn deleting_an_associated_configuration_set_is_refused() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;

    let error = emulator
        .ses
        .delete_configuration_set()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_bad_request_exception(), "{error:?}");

    emulator
        .ses
        .delete_tenant_resource_association()
        .tenant_name("ph-1")
        .resource_arn(&provisioned.configuration_set_arn)
        .send()
        .await
        .unwrap();
    emulator
        .ses
        .delete_configuration_set()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn deleting_a_missing_association_is_not_found() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;
    let identity = emulator.create_identity("example.com").await;

    let error = emulator
        .ses
        .delete_tenant_resource_association()
        .tenant_name("ph-1")
        .resource_arn(&identity)
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_not_found_exception(), "{error:?}");
}

#[tokio::test]
async fn deleting_a_tenant_removes_its_associations_but_not_the_resources() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;

    emulator
        .ses
        .delete_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap();

    let inventory = emulator.state.inventory(REGION);
    assert!(inventory.tenants.is_empty());
    assert_eq!(inventory.identities.len(), 1);
    assert_eq!(inventory.configuration_sets.len(), 1);
    let tenants = emulator
        .ses
        .list_resource_tenants()
        .resource_arn(&provisioned.identity_arn)
        .send()
        .await
        .unwrap();
    assert!(tenants.resource_tenants().is_empty());
    // Nothing holds the resources any more.
    emulator
        .ses
        .delete_email_identity()
        .email_identity(&provisioned.domain)
        .send()
        .await
        .unwrap();
}
