//! `MailSender`: every send carries the tenant and its configuration set, and SES's
//! refusals reach the caller as the domain's errors.

use posthawk_domain::ports::{MailSender, MessageId, OutboundEmail, SesError};
use posthawk_ses_emulator::SendingStatus as SesStatus;

use crate::helpers::{DOMAIN, REGION, region, routing, spawn, tenant_name};

fn email() -> OutboundEmail {
    OutboundEmail {
        from: format!("news@{DOMAIN}"),
        to: vec!["success@simulator.amazonses.com".to_owned()],
        subject: "Welcome".to_owned(),
        text: Some("Hello".to_owned()),
        html: Some("<p>Hello</p>".to_owned()),
    }
}

#[tokio::test]
async fn a_send_carries_the_tenant_and_its_configuration_set() {
    let test = spawn().await;
    test.provision().await;

    let MessageId(id) = test
        .ses
        .send(&region(), &routing(), &email())
        .await
        .unwrap();

    let sent = test.state.sent_messages(REGION);
    let [message] = sent.as_slice() else {
        panic!("expected one message, got {sent:?}");
    };
    assert_eq!(message.message_id, id);
    assert_eq!(message.tenant.as_deref(), Some(tenant_name().as_str()));
    assert_eq!(
        message.configuration_set.as_deref(),
        Some(routing().configuration_set.as_str())
    );
    assert_eq!(message.from, format!("news@{DOMAIN}"));
    assert_eq!(message.to, ["success@simulator.amazonses.com"]);
    assert_eq!(message.subject.as_deref(), Some("Welcome"));
}

#[tokio::test]
async fn a_send_through_a_paused_tenant_is_sending_paused() {
    let test = spawn().await;
    test.provision().await;
    test.state
        .set_aws_managed_status(
            REGION,
            tenant_name().as_str(),
            SesStatus::Disabled,
            Some("Bounce rate exceeded the standard policy"),
        )
        .unwrap();

    let sent = test.ses.send(&region(), &routing(), &email()).await;

    assert!(matches!(sent, Err(SesError::SendingPaused(_))), "{sent:?}");
    assert!(test.state.sent_messages(REGION).is_empty());
}

#[tokio::test]
async fn a_send_from_an_unverified_domain_is_rejected_with_the_ses_message() {
    let test = spawn().await;
    test.provision().await;
    let email = OutboundEmail {
        from: "news@unverified.example.org".to_owned(),
        ..email()
    };

    let sent = test.ses.send(&region(), &routing(), &email).await;

    assert!(
        matches!(&sent, Err(SesError::Rejected(message)) if message.contains("not verified")),
        "{sent:?}"
    );
}
