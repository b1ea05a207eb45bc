//! `SendEmail`: what is accepted and recorded, and every rule that refuses a send.

use aws_sdk_sesv2::primitives::Blob;
use aws_sdk_sesv2::types::{Destination, EmailContent, RawMessage, ReputationEntityType};
use posthawk_ses_emulator::SendingStatus;

use crate::helpers::{REGION, send_through, simple_content, spawn};

#[tokio::test]
async fn an_accepted_send_is_recorded_with_its_tenant() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;

    let sent = send_through(
        &emulator.ses,
        &provisioned,
        &["success@simulator.amazonses.com"],
    )
    .send()
    .await
    .unwrap();

    let message_id = sent.message_id().unwrap();
    let messages = emulator.state.sent_messages(REGION);
    assert_eq!(messages.len(), 1);
    let message = &messages[0];
    assert_eq!(message.message_id, message_id);
    assert_eq!(message.from, "hello@example.com");
    assert_eq!(message.to, ["success@simulator.amazonses.com"]);
    assert_eq!(message.tenant.as_deref(), Some("ph-1"));
    assert_eq!(message.configuration_set.as_deref(), Some("ph-1"));
    assert_eq!(message.subject.as_deref(), Some("Hello"));
    assert_eq!(message.identity, "example.com");
}

#[tokio::test]
async fn a_send_from_an_unassociated_identity_is_refused() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;
    emulator.create_identity("elsewhere.com").await;

    let error = send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .from_email_address("hello@elsewhere.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_bad_request_exception(), "{error:?}");
    assert!(emulator.state.sent_messages(REGION).is_empty());
}

#[tokio::test]
async fn a_send_with_an_unassociated_configuration_set_is_refused() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;
    emulator.create_configuration_set("shared").await;

    let error = send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .configuration_set_name("shared")
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_bad_request_exception(), "{error:?}");
}

#[tokio::test]
async fn a_tenant_send_without_a_configuration_set_is_refused() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;

    let error = send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .set_configuration_set_name(None)
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_bad_request_exception(), "{error:?}");
}

#[tokio::test]
async fn the_identitys_default_configuration_set_counts_for_a_tenant_send() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;
    emulator
        .ses
        .put_email_identity_configuration_set_attributes()
        .email_identity("example.com")
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap();

    send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .set_configuration_set_name(None)
        .send()
        .await
        .unwrap();

    let messages = emulator.state.sent_messages(REGION);
    assert_eq!(messages[0].configuration_set.as_deref(), Some("ph-1"));
}

#[tokio::test]
async fn a_paused_tenant_cannot_send() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;
    emulator
        .state
        .set_aws_managed_status(REGION, "ph-1", SendingStatus::Disabled, Some("Bounce rate"))
        .unwrap();

    let error = send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_sending_paused_exception(), "{error:?}");

    // Reinstated tenants send again.
    emulator
        .state
        .set_aws_managed_status(REGION, "ph-1", SendingStatus::Reinstated, None)
        .unwrap();
    send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .send()
        .await
        .unwrap();

    // The platform's own pause stops sends as well.
    emulator
        .ses
        .update_reputation_entity_customer_managed_status()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(&provisioned.tenant_arn)
        .sending_status(aws_sdk_sesv2::types::SendingStatus::Disabled)
        .send()
        .await
        .unwrap();
    let error = send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_sending_paused_exception(), "{error:?}");
}

#[tokio::test]
async fn an_unverified_sender_is_message_rejected() {
    let emulator = spawn().await;

    let error = emulator
        .ses
        .send_email()
        .from_email_address("hello@unknown.com")
        .destination(Destination::builder().to_addresses("a@example.org").build())
        .content(simple_content("Hi"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_message_rejected(), "{error:?}");
}

#[tokio::test]
async fn a_missing_configuration_set_or_tenant_is_not_found() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;

    let no_set = send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .configuration_set_name("missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(no_set.is_not_found_exception(), "{no_set:?}");

    let no_tenant = send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .tenant_name("missing")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(no_tenant.is_not_found_exception(), "{no_tenant:?}");
}

#[tokio::test]
async fn an_account_level_send_needs_no_tenant() {
    let emulator = spawn().await;
    emulator.create_identity("ceo@example.com").await;

    emulator
        .ses
        .send_email()
        .from_email_address("\"The CEO\" <ceo@example.com>")
        .destination(
            Destination::builder()
                .to_addresses("a@example.org")
                .cc_addresses("b@example.org")
                .bcc_addresses("c@example.org")
                .build(),
        )
        .content(simple_content("Hi"))
        .send()
        .await
        .unwrap();

    let message = &emulator.state.sent_messages(REGION)[0];
    assert_eq!(message.from, "ceo@example.com");
    assert_eq!(message.tenant, None);
    assert_eq!(message.recipients().count(), 3);
}

#[tokio::test]
async fn a_raw_message_is_read_for_its_headers() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;
    let mime = "From: Posthawk <news@example.com>\r\n\
                To: success@simulator.amazonses.com\r\n\
                Subject: Raw news\r\n\
                MIME-Version: 1.0\r\n\
                Content-Type: text/plain\r\n\
                \r\n\
                Hello.\r\n";

    emulator
        .ses
        .send_email()
        .content(
            EmailContent::builder()
                .raw(RawMessage::builder().data(Blob::new(mime)).build().unwrap())
                .build(),
        )
        .tenant_name(&provisioned.tenant)
        .configuration_set_name(&provisioned.tenant)
        .send()
        .await
        .unwrap();

    let message = &emulator.state.sent_messages(REGION)[0];
    assert_eq!(message.from, "news@example.com");
    assert_eq!(message.to, ["success@simulator.amazonses.com"]);
    assert_eq!(message.subject.as_deref(), Some("Raw news"));
}
