//! `/emails`: sending a message through the tenant of its from-domain, which must belong
//! to the caller's workspace and be able to send.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use posthawk_domain::ports::OutboundEmail;
use posthawk_domain::use_cases::SendingService;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::envelope::{self, Success};
use crate::error::ApiError;
use crate::openapi::{
    InternalError, PayloadTooLarge, ServiceUnavailable, Unauthorized, UnsupportedMediaType,
};

/// One recipient, or a list of them.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum Recipients {
    /// A single address.
    One(String),
    /// Up to 50 addresses.
    Many(Vec<String>),
}

impl From<Recipients> for Vec<String> {
    fn from(recipients: Recipients) -> Self {
        match recipients {
            Recipients::One(address) => vec![address],
            Recipients::Many(addresses) => addresses,
        }
    }
}

/// A message to send.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendEmailRequest {
    /// The sender, `address` or `Name <address>`; its domain must be an active domain of
    /// the workspace, and decides the tenant the message goes through.
    #[schema(example = "Team <team@mail.example.com>")]
    from: String,
    /// The recipients: one address or a list of 1 to 50.
    #[schema(example = json!(["a@example.org", "b@example.org"]))]
    to: Recipients,
    /// The subject line; not blank.
    #[schema(example = "Welcome aboard")]
    subject: String,
    /// The plain-text body. At least one of `text` and `html` is required.
    #[schema(example = "Hello!")]
    text: Option<String>,
    /// The HTML body. At least one of `text` and `html` is required.
    #[schema(example = "<p>Hello!</p>")]
    html: Option<String>,
}

impl From<SendEmailRequest> for OutboundEmail {
    fn from(request: SendEmailRequest) -> Self {
        Self {
            from: request.from,
            to: request.to.into(),
            subject: request.subject,
            text: request.text,
            html: request.html,
        }
    }
}

/// A message SES accepted.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SentEmailView {
    /// SES's id of the message, as its events will carry it.
    #[schema(example = "0100018f2b3c4d5e-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-000000")]
    message_id: String,
}

/// Send an email
///
/// Sends the message through the workspace's SES tenant in the region of its
/// from-domain, so that its reputation counts against that workspace only. Refused,
/// before anything reaches SES, when the from-domain is not the workspace's, when it or
/// its tenant is still being set up, or when the tenant may not send (PAUSED, ENFORCED,
/// DISABLED). Accepted means SES took the message; delivery follows.
#[utoipa::path(
    post,
    path = "/emails",
    operation_id = "send_email",
    tag = "emails",
    security(("bearer_jwt" = [])),
    request_body(content = SendEmailRequest,
        example = json!({"from": "Team <team@mail.example.com>",
            "to": ["a@example.org", "b@example.org"], "subject": "Welcome aboard",
            "text": "Hello!", "html": "<p>Hello!</p>"})),
    responses(
        (status = 202, description = "SES accepted the message.", body = Success<SentEmailView>,
            example = json!({"success": true, "data": {
                "message_id": "0100018f2b3c4d5e-1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-000000"}})),
        (status = 400, description = "The body could not be read: malformed JSON, a missing \
            or unknown field, or a wrong type.",
            body = envelope::Failure,
            example = json!({"success": false, "error": {"code": "bad_request",
                "message": "request body does not have the expected fields and types"}})),
        (status = 401, response = Unauthorized),
        (status = 403, description = "The from-domain is not a domain of this workspace.",
            body = envelope::Failure,
            example = json!({"success": false, "error": {"code": "domain_not_owned",
                "message": "mail.example.com is not a sending domain of this workspace"}})),
        (status = 409, description = "The from-domain or its tenant is still being set up \
            (`tenant_not_ready`; retry later), or the tenant may not send \
            (`tenant_not_enabled`; see `GET /tenants/status` and the region's findings).",
            body = envelope::Failure,
            examples(
                ("tenant_not_ready" = (summary = "SES set-up still in progress",
                    value = json!({"success": false, "error": {"code": "tenant_not_ready",
                        "message": "mail.example.com is not ready to send yet: its SES set-up is still in progress"}}))),
                ("tenant_not_enabled" = (summary = "The tenant is PAUSED, ENFORCED or DISABLED",
                    value = json!({"success": false, "error": {"code": "tenant_not_enabled",
                        "message": "sending is PAUSED for this workspace in this region"}}))),
            )),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "The message cannot be sent as given (`invalid_message`: \
            no recipients, no body, a malformed address, ...), or SES refused it \
            (`rejected_by_ses`, with SES's reason).",
            body = envelope::Failure,
            examples(
                ("invalid_message" = (summary = "The message is incomplete or malformed",
                    value = json!({"success": false, "error": {"code": "invalid_message",
                        "message": "a text or html body is required"}}))),
                ("rejected_by_ses" = (summary = "SES refused the message",
                    value = json!({"success": false, "error": {"code": "rejected_by_ses",
                        "message": "SES rejected the message: Illegal address"}}))),
            )),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    )
)]
pub(crate) async fn send_email(
    caller: Caller,
    sending: web::Data<SendingService>,
    body: web::Json<SendEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = OutboundEmail::from(body.into_inner());
    let message_id = sending.send(caller.workspace(), &email).await?;
    Ok(envelope::success(
        StatusCode::ACCEPTED,
        SentEmailView {
            message_id: message_id.0,
        },
    ))
}
