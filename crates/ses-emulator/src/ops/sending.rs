//! `SendEmail`: reads the three content kinds (simple, raw MIME, inline template) into
//! one [`OutboundEmail`] for the model to check and record.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use crate::error::SesError;
use crate::model::{OutboundEmail, RawHeaders};
use crate::protocol::{Input, Region, Reply};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendEmailRequest {
    from_email_address: Option<String>,
    destination: Option<Destination>,
    content: EmailContent,
    configuration_set_name: Option<String>,
    tenant_name: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Destination {
    #[serde(default)]
    to_addresses: Vec<String>,
    #[serde(default)]
    cc_addresses: Vec<String>,
    #[serde(default)]
    bcc_addresses: Vec<String>,
}

/// Exactly one of the three must be set.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EmailContent {
    simple: Option<SimpleMessage>,
    raw: Option<RawMessage>,
    template: Option<Template>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SimpleMessage {
    subject: Content,
    body: Body,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Content {
    data: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Body {
    text: Option<Content>,
    html: Option<Content>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawMessage {
    /// The MIME message, base64-encoded (a blob in the SES model).
    data: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Template {
    template_name: Option<String>,
    template_content: Option<TemplateContent>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TemplateContent {
    subject: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SendEmailResponse {
    message_id: String,
}

pub(crate) async fn send_email(
    region: Region,
    Input(request): Input<SendEmailRequest>,
) -> Reply<SendEmailResponse> {
    let email = outbound_email(request)?;
    region.run(|ses| {
        ses.send_email(email)
            .map(|message_id| SendEmailResponse { message_id })
    })
}

/// Sender, recipients and subject from whichever content the request carries. For raw
/// messages the request's sender and destination win over the MIME headers, as in SES.
fn outbound_email(request: SendEmailRequest) -> Result<OutboundEmail, SesError> {
    let destination = request.destination;
    let mut email = OutboundEmail {
        from: request.from_email_address,
        tenant: request.tenant_name,
        configuration_set: request.configuration_set_name,
        ..OutboundEmail::default()
    };
    let content = request.content;
    match (content.simple, content.raw, content.template) {
        (Some(simple), None, None) => {
            if simple.body.text.is_none() && simple.body.html.is_none() {
                return Err(SesError::BadRequest(
                    "The message body needs Text or Html.".into(),
                ));
            }
            email.subject = Some(simple.subject.data);
        }
        (None, Some(raw), None) => {
            let bytes = STANDARD.decode(raw.data.trim()).map_err(|error| {
                SesError::BadRequest(format!("Content.Raw.Data is not valid base64: {error}"))
            })?;
            let headers = RawHeaders::parse(&String::from_utf8_lossy(&bytes));
            email.from = email.from.or(headers.from);
            email.subject = headers.subject;
            if destination.is_none() {
                email.to = headers.to;
                email.cc = headers.cc;
            }
        }
        (None, None, Some(template)) => {
            let content = template.template_content.ok_or_else(|| {
                // The emulator stores no templates, so a named one never exists.
                SesError::NotFound(format!(
                    "Template {} does not exist.",
                    template.template_name.as_deref().unwrap_or("(unnamed)")
                ))
            })?;
            email.subject = content.subject;
        }
        _ => {
            return Err(SesError::BadRequest(
                "Content must have exactly one of Simple, Raw or Template.".into(),
            ));
        }
    }
    if let Some(destination) = destination {
        email.to = destination.to_addresses;
        email.cc = destination.cc_addresses;
        email.bcc = destination.bcc_addresses;
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(json: serde_json::Value) -> SendEmailRequest {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_raw_message_supplies_what_the_request_leaves_out() {
        let mime = "From: hello@example.com\r\nTo: a@example.com\r\nSubject: Hi\r\n\r\nBody";
        let email = outbound_email(request(serde_json::json!({
            "Content": {"Raw": {"Data": STANDARD.encode(mime)}}
        })))
        .unwrap();

        assert_eq!(email.from.as_deref(), Some("hello@example.com"));
        assert_eq!(email.to, ["a@example.com"]);
        assert_eq!(email.subject.as_deref(), Some("Hi"));
    }

    #[test]
    fn content_must_be_exactly_one_kind() {
        let error = outbound_email(request(serde_json::json!({"Content": {}}))).unwrap_err();
        assert_eq!(error.error_type(), "BadRequestException");
    }

    #[test]
    fn a_named_template_does_not_exist() {
        let error = outbound_email(request(serde_json::json!({
            "Content": {"Template": {"TemplateName": "welcome"}}
        })))
        .unwrap_err();
        assert_eq!(error.error_type(), "NotFoundException");
    }
}
