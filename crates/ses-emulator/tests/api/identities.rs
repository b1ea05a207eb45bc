//! Email identities: verified on creation, typed errors, default configuration set.

use aws_sdk_sesv2::types::{DkimStatus, IdentityType, VerificationStatus};

use crate::helpers::spawn;

#[tokio::test]
async fn a_domain_identity_is_verified_at_once() {
    let emulator = spawn().await;

    let created = emulator
        .ses
        .create_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(created.identity_type(), Some(&IdentityType::Domain));
    assert!(created.verified_for_sending_status());
    assert_eq!(created.dkim_attributes().unwrap().tokens().len(), 3);

    let fetched = emulator
        .ses
        .get_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert!(fetched.verified_for_sending_status());
    assert_eq!(
        fetched.verification_status(),
        Some(&VerificationStatus::Success)
    );
    let dkim = fetched.dkim_attributes().unwrap();
    assert!(dkim.signing_enabled());
    assert_eq!(dkim.status(), Some(&DkimStatus::Success));
}

#[tokio::test]
async fn an_address_identity_is_found_through_its_encoded_path() {
    let emulator = spawn().await;

    let created = emulator
        .ses
        .create_email_identity()
        .email_identity("ops+alerts@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(created.identity_type(), Some(&IdentityType::EmailAddress));

    let fetched = emulator
        .ses
        .get_email_identity()
        .email_identity("ops+alerts@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.identity_type(), Some(&IdentityType::EmailAddress));
}

#[tokio::test]
async fn identity_errors_are_typed() {
    let emulator = spawn().await;
    emulator.create_identity("example.com").await;

    let exists = emulator
        .ses
        .create_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(exists.is_already_exists_exception(), "{exists:?}");

    let invalid = emulator
        .ses
        .create_email_identity()
        .email_identity("not a domain")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(invalid.is_bad_request_exception(), "{invalid:?}");

    let missing = emulator
        .ses
        .get_email_identity()
        .email_identity("missing.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_not_found_exception(), "{missing:?}");
}

#[tokio::test]
async fn a_deleted_identity_is_gone() {
    let emulator = spawn().await;
    emulator.create_identity("example.com").await;

    emulator
        .ses
        .delete_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();

    let error = emulator
        .ses
        .delete_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_not_found_exception(), "{error:?}");
}

#[tokio::test]
async fn an_identity_can_name_a_default_configuration_set() {
    let emulator = spawn().await;
    emulator.create_identity("example.com").await;
    emulator.create_configuration_set("ph-1").await;

    emulator
        .ses
        .put_email_identity_configuration_set_attributes()
        .email_identity("example.com")
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap();

    let fetched = emulator
        .ses
        .get_email_identity()
        .email_identity("example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.configuration_set_name(), Some("ph-1"));

    let missing_set = emulator
        .ses
        .put_email_identity_configuration_set_attributes()
        .email_identity("example.com")
        .configuration_set_name("nope")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing_set.is_not_found_exception(), "{missing_set:?}");
}
