//! `POST /emails`: a send goes through the tenant of the caller's own from-domain, and is
//! refused, before SES, when the domain is not the caller's, not ready, or its tenant may
//! not send.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use posthawk_domain::ports::{
    DomainState, MessageId, MockDomainStore, MockMailSender, MockTenantStore, ProvisioningState,
    SesError, TenantId, TenantRecord,
};
use posthawk_domain::{ConfigurationSetName, Region, SendingStatus, TenantName, WorkspaceId};
use serde_json::{Value, json};

use crate::support::{
    TestApp, assert_error, assert_unauthorized, at, bearer, domain, token, workspace_a, workspace_b,
};

const EMAILS: &str = "/emails";
const ID: &str = "0b6e1f0e-7c1a-4d0b-9b7e-2f1d3c4b5a69";

fn message(to: Value) -> Value {
    json!({
        "from": "Team <team@mail.example.com>",
        "to": to,
        "subject": "Welcome aboard",
        "text": "Hello!",
        "html": "<p>Hello!</p>"
    })
}

fn tenant(
    workspace: WorkspaceId,
    provisioning: ProvisioningState,
    status: SendingStatus,
) -> TenantRecord {
    let name = TenantName::for_workspace(workspace);
    TenantRecord {
        id: TenantId(7),
        workspace,
        region: Region::parse("us-east-1").unwrap(),
        configuration_set: ConfigurationSetName::for_tenant(&name),
        name,
        arn: Some("arn:aws:ses:us-east-1:123456789012:tenant/ph-1f3a8c2d6f4b/tn-7".into()),
        provisioning,
        sending_status: status,
        last_checked_at: Some(at("2026-04-28T10:00:00Z")),
    }
}

/// Stores in which `mail.example.com` (us-east-1) belongs to `owner` in `state`, and
/// workspace A's tenant there is `tenant`, when one is given. The tenant is only looked
/// up for A.
fn stores(
    owner: WorkspaceId,
    state: DomainState,
    tenant: Option<TenantRecord>,
) -> (MockDomainStore, MockTenantStore) {
    let mut domains = MockDomainStore::new();
    domains
        .expect_find_domain()
        .withf(|name| name.as_str() == "mail.example.com")
        .times(1)
        .return_once(move |_| {
            Ok(Some(domain(
                owner,
                ID,
                "mail.example.com",
                "us-east-1",
                state,
            )))
        });
    let mut tenants = MockTenantStore::new();
    if let Some(tenant) = tenant {
        tenants
            .expect_tenant()
            .withf(|workspace, region| {
                *workspace == workspace_a() && region.as_str() == "us-east-1"
            })
            .times(1)
            .return_once(move |_, _| Ok(Some(tenant)));
    }
    (domains, tenants)
}

/// Stores for a send that may go ahead: A's active domain and its ready, ENABLED tenant.
fn ready_stores() -> (MockDomainStore, MockTenantStore) {
    stores(
        workspace_a(),
        DomainState::Active,
        Some(tenant(
            workspace_a(),
            ProvisioningState::Ready,
            SendingStatus::Enabled,
        )),
    )
}

#[actix_web::test]
async fn send_goes_through_the_callers_tenant_with_one_or_many_recipients() {
    let cases = [
        (json!("a@example.org"), vec!["a@example.org"]),
        (
            json!(["a@example.org", "b@example.org"]),
            vec!["a@example.org", "b@example.org"],
        ),
    ];
    for (to, expected) in cases {
        let (domains, tenants) = ready_stores();
        let mut sender = MockMailSender::new();
        sender
            .expect_send()
            .withf(move |region, routing, email| {
                region.as_str() == "us-east-1"
                    && routing.tenant.as_str() == "ph-1f3a8c2d6f4b"
                    && routing.configuration_set.as_str() == "ph-1f3a8c2d6f4b"
                    && email.from == "Team <team@mail.example.com>"
                    && email.to == expected
                    && email.subject == "Welcome aboard"
                    && email.text.as_deref() == Some("Hello!")
                    && email.html.as_deref() == Some("<p>Hello!</p>")
            })
            .times(1)
            .return_once(|_, _, _| Ok(MessageId("0100018f-msg-1".into())));

        let reply = TestApp {
            tenants,
            domains,
            sender,
            ..TestApp::default()
        }
        .post_with_token(EMAILS, &token(workspace_a()), &message(to))
        .await;

        assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
        assert_eq!(
            reply.json(),
            json!({"success": true, "data": {"message_id": "0100018f-msg-1"}})
        );
    }
}

#[actix_web::test]
async fn text_alone_is_enough_of_a_body() {
    let (domains, tenants) = ready_stores();
    let mut sender = MockMailSender::new();
    sender
        .expect_send()
        .withf(|_, _, email| email.text.as_deref() == Some("Hello!") && email.html.is_none())
        .times(1)
        .return_once(|_, _, _| Ok(MessageId("msg-2".into())));

    let reply = TestApp {
        tenants,
        domains,
        sender,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &json!({"from": "team@mail.example.com", "to": "a@example.org",
            "subject": "Hi", "text": "Hello!"}),
    )
    .await;

    assert_eq!(reply.status, StatusCode::ACCEPTED, "{}", reply.body);
}

#[actix_web::test]
async fn from_domain_of_another_workspace_is_403_without_calling_ses() {
    // The sender mock has no expectations: any send would panic.
    let (domains, tenants) = stores(workspace_b(), DomainState::Active, None);

    let reply = TestApp {
        tenants,
        domains,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &message(json!("a@example.org")),
    )
    .await;

    assert_error(
        &reply,
        StatusCode::FORBIDDEN,
        "domain_not_owned",
        "mail.example.com is not a sending domain of this workspace",
    );
}

#[actix_web::test]
async fn unknown_from_domain_is_403_without_calling_ses() {
    let mut domains = MockDomainStore::new();
    domains.expect_find_domain().return_once(|_| Ok(None));

    let reply = TestApp {
        domains,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &message(json!("a@example.org")),
    )
    .await;

    assert_error(
        &reply,
        StatusCode::FORBIDDEN,
        "domain_not_owned",
        "mail.example.com is not a sending domain of this workspace",
    );
}

#[actix_web::test]
async fn paused_tenant_is_409_tenant_not_enabled_without_calling_ses() {
    let (domains, tenants) = stores(
        workspace_a(),
        DomainState::Active,
        Some(tenant(
            workspace_a(),
            ProvisioningState::Ready,
            SendingStatus::Paused,
        )),
    );

    let reply = TestApp {
        tenants,
        domains,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &message(json!("a@example.org")),
    )
    .await;

    assert_error(
        &reply,
        StatusCode::CONFLICT,
        "tenant_not_enabled",
        "sending is PAUSED for this workspace in this region",
    );
}

#[actix_web::test]
async fn ses_pausing_the_tenant_mid_send_is_409_tenant_not_enabled() {
    let (domains, tenants) = ready_stores();
    let mut sender = MockMailSender::new();
    sender.expect_send().return_once(|_, _, _| {
        Err(SesError::SendingPaused(
            "Sending paused for this tenant".into(),
        ))
    });

    let reply = TestApp {
        tenants,
        domains,
        sender,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &message(json!("a@example.org")),
    )
    .await;

    assert_error(
        &reply,
        StatusCode::CONFLICT,
        "tenant_not_enabled",
        "sending is PAUSED for this workspace in this region",
    );
}

#[actix_web::test]
async fn domain_still_provisioning_is_409_tenant_not_ready_without_calling_ses() {
    let (domains, tenants) = stores(workspace_a(), DomainState::Provisioning, None);

    let reply = TestApp {
        tenants,
        domains,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &message(json!("a@example.org")),
    )
    .await;

    assert_error(
        &reply,
        StatusCode::CONFLICT,
        "tenant_not_ready",
        "mail.example.com is not ready to send yet: its SES set-up is still in progress",
    );
}

#[actix_web::test]
async fn tenant_still_provisioning_is_409_tenant_not_ready_without_calling_ses() {
    let (domains, tenants) = stores(
        workspace_a(),
        DomainState::Active,
        Some(tenant(
            workspace_a(),
            ProvisioningState::Pending,
            SendingStatus::Disabled,
        )),
    );

    let reply = TestApp {
        tenants,
        domains,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &message(json!("a@example.org")),
    )
    .await;

    assert_error(
        &reply,
        StatusCode::CONFLICT,
        "tenant_not_ready",
        "mail.example.com is not ready to send yet: its SES set-up is still in progress",
    );
}

#[actix_web::test]
async fn message_without_recipients_or_body_is_422_before_any_lookup() {
    let cases = [
        (message(json!([])), "at least one recipient is required"),
        (
            json!({"from": "team@mail.example.com", "to": "a@example.org", "subject": "Hi"}),
            "a text or html body is required",
        ),
        (
            message(json!("nobody")),
            "\"nobody\" is not an email address",
        ),
    ];
    for (body, text) in cases {
        // No store or sender expectations: any look-up or send would fail the test.
        let reply = TestApp::default()
            .post_with_token(EMAILS, &token(workspace_a()), &body)
            .await;

        assert_error(
            &reply,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_message",
            text,
        );
    }
}

#[actix_web::test]
async fn message_ses_rejects_is_422_with_its_reason() {
    let (domains, tenants) = ready_stores();
    let mut sender = MockMailSender::new();
    sender
        .expect_send()
        .return_once(|_, _, _| Err(SesError::Rejected("Illegal address".into())));

    let reply = TestApp {
        tenants,
        domains,
        sender,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &message(json!("a@example.org")),
    )
    .await;

    assert_error(
        &reply,
        StatusCode::UNPROCESSABLE_ENTITY,
        "rejected_by_ses",
        "SES rejected the message: Illegal address",
    );
}

#[actix_web::test]
async fn ses_throttling_is_503() {
    let (domains, tenants) = ready_stores();
    let mut sender = MockMailSender::new();
    sender
        .expect_send()
        .return_once(|_, _, _| Err(SesError::Throttled));

    let reply = TestApp {
        tenants,
        domains,
        sender,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &message(json!("a@example.org")),
    )
    .await;

    assert_error(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
        "service unavailable, try again later",
    );
}

#[actix_web::test]
async fn unexpected_ses_failure_is_500() {
    let (domains, tenants) = ready_stores();
    let mut sender = MockMailSender::new();
    sender.expect_send().return_once(|_, _, _| {
        Err(SesError::Unexpected(anyhow::anyhow!(
            "credentials expired for arn:aws:iam::123456789012:role/posthawk"
        )))
    });

    let reply = TestApp {
        tenants,
        domains,
        sender,
        ..TestApp::default()
    }
    .post_with_token(
        EMAILS,
        &token(workspace_a()),
        &message(json!("a@example.org")),
    )
    .await;

    assert_error(
        &reply,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "internal error",
    );
}

#[actix_web::test]
async fn unreadable_email_bodies_are_400() {
    let shape = "request body does not have the expected fields and types";
    let mut unknown_field = message(json!("a@example.org"));
    unknown_field["cc"] = json!("c@example.org");
    let mut missing_subject = message(json!("a@example.org"));
    missing_subject.as_object_mut().unwrap().remove("subject");
    for body in [
        unknown_field,
        missing_subject,
        message(json!(42)),
        message(json!(["a@example.org", 42])),
    ] {
        let reply = TestApp::default()
            .post_with_token(EMAILS, &token(workspace_a()), &body)
            .await;

        assert_error(&reply, StatusCode::BAD_REQUEST, "bad_request", shape);
    }
}

#[actix_web::test]
async fn send_without_a_token_is_401_before_any_lookup() {
    let reply = TestApp::default()
        .send(
            TestRequest::post()
                .uri(EMAILS)
                .set_json(message(json!("a@example.org"))),
        )
        .await;

    assert_unauthorized(&reply, "missing bearer token");
}

#[actix_web::test]
async fn send_with_a_token_for_another_workspace_never_reaches_its_tenant() {
    // B's token, A's domain: refused as not B's, and A's tenant is never looked up.
    let (domains, tenants) = stores(workspace_a(), DomainState::Active, None);

    let reply = TestApp {
        tenants,
        domains,
        ..TestApp::default()
    }
    .send(
        TestRequest::post()
            .uri(EMAILS)
            .insert_header(bearer(&token(workspace_b())))
            .set_json(message(json!("a@example.org"))),
    )
    .await;

    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
}
