//! Configuration sets, their VDM options and their event destinations.

use aws_sdk_sesv2::types::{
    DashboardOptions, EventDestinationDefinition, EventType, FeatureStatus, GuardianOptions,
    SnsDestination, Tag, VdmOptions,
};

use crate::helpers::spawn;

fn vdm_on() -> VdmOptions {
    VdmOptions::builder()
        .dashboard_options(
            DashboardOptions::builder()
                .engagement_metrics(FeatureStatus::Enabled)
                .build(),
        )
        .guardian_options(
            GuardianOptions::builder()
                .optimized_shared_delivery(FeatureStatus::Enabled)
                .build(),
        )
        .build()
}

fn sns_destination(topic: &str, types: &[EventType]) -> EventDestinationDefinition {
    EventDestinationDefinition::builder()
        .enabled(true)
        .set_matching_event_types(Some(types.to_vec()))
        .sns_destination(SnsDestination::builder().topic_arn(topic).build().unwrap())
        .build()
}

#[tokio::test]
async fn a_configuration_set_keeps_its_vdm_options_and_tags() {
    let emulator = spawn().await;
    let tag = Tag::builder()
        .key("workspace_id")
        .value("w1")
        .build()
        .unwrap();

    emulator
        .ses
        .create_configuration_set()
        .configuration_set_name("ph-1")
        .vdm_options(vdm_on())
        .tags(tag.clone())
        .send()
        .await
        .unwrap();

    let fetched = emulator
        .ses
        .get_configuration_set()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.configuration_set_name(), Some("ph-1"));
    assert_eq!(fetched.vdm_options(), Some(&vdm_on()));
    assert_eq!(fetched.tags(), [tag]);
}

#[tokio::test]
async fn vdm_options_can_be_replaced() {
    let emulator = spawn().await;
    emulator.create_configuration_set("ph-1").await;

    emulator
        .ses
        .put_configuration_set_vdm_options()
        .configuration_set_name("ph-1")
        .vdm_options(vdm_on())
        .send()
        .await
        .unwrap();

    let fetched = emulator
        .ses
        .get_configuration_set()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.vdm_options(), Some(&vdm_on()));
}

#[tokio::test]
async fn configuration_set_errors_are_typed() {
    let emulator = spawn().await;
    emulator.create_configuration_set("ph-1").await;

    let exists = emulator
        .ses
        .create_configuration_set()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(exists.is_already_exists_exception(), "{exists:?}");

    let invalid = emulator
        .ses
        .create_configuration_set()
        .configuration_set_name("no spaces")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(invalid.is_bad_request_exception(), "{invalid:?}");

    let missing = emulator
        .ses
        .get_configuration_set()
        .configuration_set_name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_not_found_exception(), "{missing:?}");
}

#[tokio::test]
async fn list_configuration_sets_pages_and_filters() {
    let emulator = spawn().await;
    for name in ["ph-b", "ph-a", "other"] {
        emulator.create_configuration_set(name).await;
    }

    let first = emulator
        .ses
        .list_configuration_sets()
        .page_size(2)
        .send()
        .await
        .unwrap();
    assert_eq!(first.configuration_sets(), ["other", "ph-a"]);
    let second = emulator
        .ses
        .list_configuration_sets()
        .page_size(2)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.configuration_sets(), ["ph-b"]);
    assert!(second.next_token().is_none());

    let filtered = emulator
        .ses
        .list_configuration_sets()
        .filter(
            aws_sdk_sesv2::types::ConfigurationSetFilterKey::ConfigurationSetNameContains,
            "ph-",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.configuration_sets(), ["ph-a", "ph-b"]);
}

#[tokio::test]
async fn a_deleted_configuration_set_is_gone() {
    let emulator = spawn().await;
    emulator.create_configuration_set("ph-1").await;

    emulator
        .ses
        .delete_configuration_set()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap();

    let error = emulator
        .ses
        .delete_configuration_set()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_not_found_exception(), "{error:?}");
}

#[tokio::test]
async fn event_destinations_are_created_updated_listed_and_deleted() {
    let emulator = spawn().await;
    emulator.create_configuration_set("ph-1").await;
    let topic = "arn:aws:sns:us-east-1:123456789012:ses-events";

    emulator
        .ses
        .create_configuration_set_event_destination()
        .configuration_set_name("ph-1")
        .event_destination_name("sns")
        .event_destination(sns_destination(
            topic,
            &[EventType::Bounce, EventType::Complaint],
        ))
        .send()
        .await
        .unwrap();
    emulator
        .ses
        .update_configuration_set_event_destination()
        .configuration_set_name("ph-1")
        .event_destination_name("sns")
        .event_destination(sns_destination(
            topic,
            &[EventType::Send, EventType::Delivery],
        ))
        .send()
        .await
        .unwrap();

    let listed = emulator
        .ses
        .get_configuration_set_event_destinations()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap();
    let destinations = listed.event_destinations();
    assert_eq!(destinations.len(), 1);
    assert_eq!(destinations[0].name(), "sns");
    assert!(destinations[0].enabled());
    assert_eq!(
        destinations[0].matching_event_types(),
        [EventType::Send, EventType::Delivery]
    );
    assert_eq!(
        destinations[0].sns_destination().map(|sns| sns.topic_arn()),
        Some(topic)
    );

    emulator
        .ses
        .delete_configuration_set_event_destination()
        .configuration_set_name("ph-1")
        .event_destination_name("sns")
        .send()
        .await
        .unwrap();
    let listed = emulator
        .ses
        .get_configuration_set_event_destinations()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap();
    assert!(listed.event_destinations().is_empty());
}

#[tokio::test]
async fn event_destination_errors_are_typed() {
    let emulator = spawn().await;
    emulator.create_configuration_set("ph-1").await;
    let destination = sns_destination("arn:aws:sns:us-east-1:123456789012:t", &[EventType::Send]);

    let no_set = emulator
        .ses
        .create_configuration_set_event_destination()
        .configuration_set_name("nope")
        .event_destination_name("sns")
        .event_destination(destination.clone())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(no_set.is_not_found_exception(), "{no_set:?}");

    emulator
        .ses
        .create_configuration_set_event_destination()
        .configuration_set_name("ph-1")
        .event_destination_name("sns")
        .event_destination(destination.clone())
        .send()
        .await
        .unwrap();
    let twice = emulator
        .ses
        .create_configuration_set_event_destination()
        .configuration_set_name("ph-1")
        .event_destination_name("sns")
        .event_destination(destination.clone())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(twice.is_already_exists_exception(), "{twice:?}");

    let update_missing = emulator
        .ses
        .update_configuration_set_event_destination()
        .configuration_set_name("ph-1")
        .event_destination_name("other")
        .event_destination(destination)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        update_missing.is_not_found_exception(),
        "{update_missing:?}"
    );

    let no_destination = emulator
        .ses
        .create_configuration_set_event_destination()
        .configuration_set_name("ph-1")
        .event_destination_name("empty")
        .event_destination(
            EventDestinationDefinition::builder()
                .matching_event_types(EventType::Send)
                .build(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        no_destination.is_bad_request_exception(),
        "{no_destination:?}"
    );
}
