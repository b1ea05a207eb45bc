//! Reputation entities: the tenant's status records, the aggregate rule, policies,
//! impact and the list filters.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::types::{
    RecommendationImpact as SdkImpact, ReputationEntity, ReputationEntityFilterKey,
    ReputationEntityType, SendingStatus as SdkStatus,
};
use posthawk_ses_emulator::{RecommendationImpact, RecommendationType, SendingStatus};

use crate::helpers::{REGION, encode_segment, spawn};

async fn entity(ses: &Client, tenant_arn: &str) -> ReputationEntity {
    ses.get_reputation_entity()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(tenant_arn)
        .send()
        .await
        .unwrap()
        .reputation_entity()
        .unwrap()
        .clone()
}

async fn tenant_status(ses: &Client, tenant: &str) -> SdkStatus {
    let output = ses.get_tenant().tenant_name(tenant).send().await.unwrap();
    output.tenant().unwrap().sending_status().unwrap().clone()
}

#[tokio::test]
async fn a_new_tenant_has_an_enabled_entity_under_the_standard_policy() {
    let emulator = spawn().await;
    let arn = emulator.create_tenant("ph-1").await;

    let entity = entity(&emulator.ses, &arn).await;

    assert_eq!(entity.reputation_entity_reference(), Some(arn.as_str()));
    assert_eq!(
        entity.reputation_entity_type(),
        Some(&ReputationEntityType::Resource)
    );
    assert_eq!(
        entity.reputation_management_policy(),
        Some("arn:aws:ses:us-east-1:aws:reputation-policy/standard")
    );
    assert_eq!(
        entity.customer_managed_status().unwrap().status(),
        Some(&SdkStatus::Enabled)
    );
    assert_eq!(
        entity.aws_ses_managed_status().unwrap().status(),
        Some(&SdkStatus::Enabled)
    );
    assert!(
        entity
            .aws_ses_managed_status()
            .unwrap()
            .last_updated_timestamp()
            .is_some()
    );
    assert_eq!(entity.sending_status_aggregate(), Some(&SdkStatus::Enabled));
    assert_eq!(entity.reputation_impact(), None);
}

#[tokio::test]
async fn the_entity_route_matches_a_percent_encoded_tenant_arn() {
    let emulator = spawn().await;
    let arn = emulator.create_tenant("ph-1").await;
    let path = format!(
        "/v2/email/reputation/entities/RESOURCE/{}",
        encode_segment(&arn)
    );
    assert!(path.contains("%3A") && path.contains("%2F"));

    let response = emulator.http.get(emulator.url(&path)).send().await.unwrap();

    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        body["ReputationEntity"]["ReputationEntityReference"],
        arn.as_str()
    );
}

#[tokio::test]
async fn an_unknown_entity_is_not_found() {
    let emulator = spawn().await;

    let error = emulator
        .ses
        .get_reputation_entity()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference("arn:aws:ses:us-east-1:123456789012:tenant/ghost/tn-0")
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_not_found_exception(), "{error:?}");
}

#[tokio::test]
async fn a_customer_pause_disables_the_tenant_until_resumed() {
    let emulator = spawn().await;
    let arn = emulator.create_tenant("ph-1").await;
    let set_status = |status: SdkStatus| {
        emulator
            .ses
            .update_reputation_entity_customer_managed_status()
            .reputation_entity_type(ReputationEntityType::Resource)
            .reputation_entity_reference(&arn)
            .sending_status(status)
            .send()
    };

    set_status(SdkStatus::Disabled).await.unwrap();
    let paused = entity(&emulator.ses, &arn).await;
    assert_eq!(
        paused.sending_status_aggregate(),
        Some(&SdkStatus::Disabled)
    );
    assert_eq!(
        paused.customer_managed_status().unwrap().status(),
        Some(&SdkStatus::Disabled)
    );
    assert_eq!(
        tenant_status(&emulator.ses, "ph-1").await,
        SdkStatus::Disabled
    );

    set_status(SdkStatus::Enabled).await.unwrap();
    assert_eq!(
        tenant_status(&emulator.ses, "ph-1").await,
        SdkStatus::Enabled
    );
}

#[tokio::test]
async fn the_aggregate_follows_the_ses_managed_status() {
    let emulator = spawn().await;
    let arn = emulator.create_tenant("ph-1").await;

    emulator
        .state
        .set_aws_managed_status(
            REGION,
            "ph-1",
            SendingStatus::Disabled,
            Some("Under review"),
        )
        .unwrap();
    let enforced = entity(&emulator.ses, &arn).await;
    assert_eq!(
        enforced.sending_status_aggregate(),
        Some(&SdkStatus::Disabled)
    );
    let record = enforced.aws_ses_managed_status().unwrap();
    assert_eq!(record.status(), Some(&SdkStatus::Disabled));
    assert_eq!(record.cause(), Some("Under review"));
    assert_eq!(
        tenant_status(&emulator.ses, "ph-1").await,
        SdkStatus::Disabled
    );

    emulator
        .state
        .set_aws_managed_status(REGION, "ph-1", SendingStatus::Reinstated, None)
        .unwrap();
    let reinstated = entity(&emulator.ses, &arn).await;
    assert_eq!(
        reinstated.sending_status_aggregate(),
        Some(&SdkStatus::Reinstated)
    );
    assert_eq!(
        tenant_status(&emulator.ses, "ph-1").await,
        SdkStatus::Reinstated
    );
}

#[tokio::test]
async fn a_customer_pause_wins_over_an_ses_reinstatement() {
    let emulator = spawn().await;
    let arn = emulator.create_tenant("ph-1").await;
    emulator
        .state
        .set_aws_managed_status(REGION, "ph-1", SendingStatus::Reinstated, None)
        .unwrap();

    emulator
        .ses
        .update_reputation_entity_customer_managed_status()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(&arn)
        .sending_status(SdkStatus::Disabled)
        .send()
        .await
        .unwrap();

    let entity = entity(&emulator.ses, &arn).await;
    assert_eq!(
        entity.sending_status_aggregate(),
        Some(&SdkStatus::Disabled)
    );
}

#[tokio::test]
async fn the_policy_can_be_changed_to_another_ses_policy_only() {
    let emulator = spawn().await;
    let arn = emulator.create_tenant("ph-1").await;
    let strict = "arn:aws:ses:us-east-1:aws:reputation-policy/strict";

    emulator
        .ses
        .update_reputation_entity_policy()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(&arn)
        .reputation_entity_policy(strict)
        .send()
        .await
        .unwrap();
    assert_eq!(
        entity(&emulator.ses, &arn)
            .await
            .reputation_management_policy(),
        Some(strict)
    );

    let error = emulator
        .ses
        .update_reputation_entity_policy()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(&arn)
        .reputation_entity_policy("arn:aws:ses:us-east-1:aws:reputation-policy/lenient")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_bad_request_exception(), "{error:?}");
}

#[tokio::test]
async fn the_impact_is_the_highest_open_recommendation() {
    let emulator = spawn().await;
    let arn = emulator.create_tenant("ph-1").await;
    let open = |kind, impact| {
        emulator
            .state
            .open_recommendation(REGION, "ph-1", kind, impact, "finding")
            .unwrap();
    };

    open(RecommendationType::Dmarc, RecommendationImpact::Low);
    assert_eq!(
        entity(&emulator.ses, &arn).await.reputation_impact(),
        Some(&SdkImpact::Low)
    );
    open(RecommendationType::Bounce, RecommendationImpact::High);
    assert_eq!(
        entity(&emulator.ses, &arn).await.reputation_impact(),
        Some(&SdkImpact::High)
    );

    emulator
        .state
        .fix_recommendation(REGION, "ph-1", RecommendationType::Bounce)
        .unwrap();
    emulator
        .state
        .fix_recommendation(REGION, "ph-1", RecommendationType::Dmarc)
        .unwrap();
    assert_eq!(entity(&emulator.ses, &arn).await.reputation_impact(), None);
}

#[tokio::test]
async fn list_reputation_entities_filters_by_status_impact_and_prefix() {
    let emulator = spawn().await;
    let healthy = emulator.create_tenant("ph-healthy").await;
    let paused = emulator.create_tenant("ph-paused").await;
    emulator.create_tenant("other").await;
    emulator
        .state
        .set_aws_managed_status(
            REGION,
            "ph-paused",
            SendingStatus::Disabled,
            Some("Bounces"),
        )
        .unwrap();
    emulator
        .state
        .open_recommendation(
            REGION,
            "ph-healthy",
            RecommendationType::Complaint,
            RecommendationImpact::High,
            "Complaint rate",
        )
        .unwrap();
    let references = |entities: &[ReputationEntity]| -> Vec<String> {
        entities
            .iter()
            .filter_map(|entity| entity.reputation_entity_reference().map(str::to_owned))
            .collect()
    };

    let all = emulator
        .ses
        .list_reputation_entities()
        .send()
        .await
        .unwrap();
    assert_eq!(all.reputation_entities().len(), 3);

    let disabled = emulator
        .ses
        .list_reputation_entities()
        .filter(ReputationEntityFilterKey::Status, "DISABLED")
        .send()
        .await
        .unwrap();
    assert_eq!(
        references(disabled.reputation_entities()),
        [paused.as_str()]
    );

    let high = emulator
        .ses
        .list_reputation_entities()
        .filter(ReputationEntityFilterKey::ReputationImpact, "HIGH")
        .send()
        .await
        .unwrap();
    assert_eq!(references(high.reputation_entities()), [healthy.as_str()]);

    let prefix = emulator
        .ses
        .list_reputation_entities()
        .filter(
            ReputationEntityFilterKey::EntityReferencePrefix,
            "arn:aws:ses:us-east-1:123456789012:tenant/ph-",
        )
        .filter(ReputationEntityFilterKey::EntityType, "RESOURCE")
        .page_size(1)
        .send()
        .await
        .unwrap();
    assert_eq!(prefix.reputation_entities().len(), 1);
    assert!(prefix.next_token().is_some());
    // Ordered by reference: ph-healthy's ARN sorts before ph-paused's.
    assert_eq!(references(prefix.reputation_entities()), [healthy.as_str()]);
}
