//! Tenants: create, get, list (with pagination and filters), delete, quota, regions.

use aws_sdk_sesv2::types::{
    ListTenantsFilterKey, SendingStatus, SuppressionListReason, SuppressionListScope, Tag,
};
use posthawk_ses_emulator::EmulatorConfig;

use crate::helpers::{REGION, spawn, spawn_with};

#[tokio::test]
async fn a_created_tenant_can_be_read_back_with_its_tags() {
    let emulator = spawn().await;
    let tag = Tag::builder()
        .key("workspace_id")
        .value("1f3a8c2d-6f4b-4c1e-9a2b-000000000000")
        .build()
        .unwrap();

    let created = emulator
        .ses
        .create_tenant()
        .tenant_name("ph-1f3a8c2d6f4b")
        .tags(tag.clone())
        .send()
        .await
        .unwrap();

    let tenant_id = created.tenant_id().unwrap();
    assert_eq!(created.tenant_name(), Some("ph-1f3a8c2d6f4b"));
    assert_eq!(
        created.tenant_arn().unwrap(),
        format!("arn:aws:ses:{REGION}:123456789012:tenant/ph-1f3a8c2d6f4b/{tenant_id}")
    );
    assert_eq!(created.sending_status(), Some(&SendingStatus::Enabled));
    assert!(created.created_timestamp().is_some());

    let fetched = emulator
        .ses
        .get_tenant()
        .tenant_name("ph-1f3a8c2d6f4b")
        .send()
        .await
        .unwrap();
    let tenant = fetched.tenant().unwrap();
    assert_eq!(tenant.tenant_id(), Some(tenant_id));
    assert_eq!(tenant.tags(), [tag]);
    assert_eq!(tenant.sending_status(), Some(&SendingStatus::Enabled));
    assert_eq!(tenant.created_timestamp(), created.created_timestamp());
}

#[tokio::test]
async fn creating_an_existing_tenant_is_already_exists() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;

    let error = emulator
        .ses
        .create_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_already_exists_exception(), "{error:?}");
}

#[tokio::test]
async fn an_invalid_tenant_name_is_a_bad_request() {
    let emulator = spawn().await;

    for name in ["has space", "dot.name", &"a".repeat(65)] {
        let error = emulator
            .ses
            .create_tenant()
            .tenant_name(name)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(error.is_bad_request_exception(), "{name}: {error:?}");
    }
}

#[tokio::test]
async fn getting_or_deleting_a_missing_tenant_is_not_found() {
    let emulator = spawn().await;

    let get = emulator
        .ses
        .get_tenant()
        .tenant_name("nobody")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(get.is_not_found_exception(), "{get:?}");

    let delete = emulator
        .ses
        .delete_tenant()
        .tenant_name("nobody")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(delete.is_not_found_exception(), "{delete:?}");
}

#[tokio::test]
async fn a_deleted_tenant_is_gone() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;

    emulator
        .ses
        .delete_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap();

    let error = emulator
        .ses
        .get_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_not_found_exception());
    assert!(emulator.state.inventory(REGION).tenants.is_empty());
}

#[tokio::test]
async fn list_tenants_pages_through_every_tenant_in_name_order() {
    let emulator = spawn().await;
    for name in ["e", "c", "a", "d", "b"] {
        emulator.create_tenant(name).await;
    }

    let mut names = Vec::new();
    let mut pages = 0;
    let mut next_token = None;
    loop {
        let page = emulator
            .ses
            .list_tenants()
            .page_size(2)
            .set_next_token(next_token)
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.tenants().len() <= 2);
        names.extend(
            page.tenants()
                .iter()
                .map(|t| t.tenant_name().unwrap().to_owned()),
        );
        next_token = page.next_token().map(str::to_owned);
        if next_token.is_none() {
            break;
        }
    }

    assert_eq!(names, ["a", "b", "c", "d", "e"]);
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn the_sdk_paginator_collects_every_tenant() {
    let emulator = spawn().await;
    for name in ["a", "b", "c"] {
        emulator.create_tenant(name).await;
    }

    let tenants: Vec<_> = emulator
        .ses
        .list_tenants()
        .page_size(1)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .unwrap();

    assert_eq!(tenants.len(), 3);
}

#[tokio::test]
async fn list_tenants_filters_by_name_and_sending_status() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-alpha").await;
    emulator.create_tenant("ph-beta").await;
    emulator.create_tenant("other").await;
    emulator
        .state
        .set_aws_managed_status(
            REGION,
            "ph-beta",
            posthawk_ses_emulator::SendingStatus::Disabled,
            Some("Bounce rate"),
        )
        .unwrap();

    let by_name = emulator
        .ses
        .list_tenants()
        .filter(ListTenantsFilterKey::TenantNameContains, "ph-")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = by_name
        .tenants()
        .iter()
        .filter_map(|t| t.tenant_name())
        .collect();
    assert_eq!(names, ["ph-alpha", "ph-beta"]);

    let disabled = emulator
        .ses
        .list_tenants()
        .filter(ListTenantsFilterKey::SendingStatus, "DISABLED")
        .send()
        .await
        .unwrap();
    let names: Vec<_> = disabled
        .tenants()
        .iter()
        .filter_map(|t| t.tenant_name())
        .collect();
    assert_eq!(names, ["ph-beta"]);
    assert_eq!(
        disabled.tenants()[0].sending_status(),
        Some(&SendingStatus::Disabled)
    );
}

#[tokio::test]
async fn the_tenant_quota_is_limit_exceeded() {
    let emulator = spawn_with(EmulatorConfig {
        tenant_quota: 2,
        ..EmulatorConfig::default()
    })
    .await;
    emulator.create_tenant("a").await;
    emulator.create_tenant("b").await;

    // The SDK treats LimitExceededException as throttling and would retry it.
    let error = emulator
        .client_without_retries()
        .create_tenant()
        .tenant_name("c")
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_limit_exceeded_exception(), "{error:?}");
}

#[tokio::test]
async fn regions_are_isolated_from_each_other() {
    let emulator = spawn().await;
    let stockholm = emulator.client_in("eu-north-1");

    let created = stockholm
        .create_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap();
    assert!(
        created
            .tenant_arn()
            .unwrap()
            .starts_with("arn:aws:ses:eu-north-1:123456789012:tenant/ph-1/")
    );

    let elsewhere = emulator
        .ses
        .get_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(elsewhere.is_not_found_exception());

    // The same name is free in another region.
    emulator.create_tenant("ph-1").await;
    let inventory = emulator.state.inventory_all();
    assert_eq!(inventory.regions["eu-north-1"].tenants.len(), 1);
    assert_eq!(inventory.regions[REGION].tenants.len(), 1);
}

#[tokio::test]
async fn tenant_suppression_attributes_are_shown_on_the_tenant() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;

    emulator
        .ses
        .put_tenant_suppression_attributes()
        .tenant_name("ph-1")
        .suppressed_reasons(SuppressionListReason::Bounce)
        .suppressed_reasons(SuppressionListReason::Complaint)
        .suppression_scope(SuppressionListScope::Tenant)
        .send()
        .await
        .unwrap();

    let tenant = emulator
        .ses
        .get_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap();
    let attributes = tenant.tenant().unwrap().suppression_attributes().unwrap();
    assert_eq!(
        attributes.suppressed_reasons(),
        [
            SuppressionListReason::Bounce,
            SuppressionListReason::Complaint
        ]
    );
    assert_eq!(
        attributes.suppression_scope(),
        Some(&SuppressionListScope::Tenant)
    );

    let missing = emulator
        .ses
        .put_tenant_suppression_attributes()
        .tenant_name("nobody")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_not_found_exception());
}
