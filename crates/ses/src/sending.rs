//! [`MailSender`] on SES: `SendEmail` with simple content, carrying the tenant and its
//! configuration set so SES attributes the send (and its reputation) to the workspace.

use anyhow::Context as _;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use posthawk_domain::ports::{MailSender, MessageId, OutboundEmail, SesError};
use posthawk_domain::{Region, TenantRouting};

use crate::SesAdapter;
use crate::observe::SesCall as _;

#[async_trait::async_trait]
impl MailSender for SesAdapter {
    async fn send(
        &self,
        region: &Region,
        routing: &TenantRouting,
        email: &OutboundEmail,
    ) -> Result<MessageId, SesError> {
        let body = Body::builder()
            .set_text(email.text.as_deref().map(utf8).transpose()?)
            .set_html(email.html.as_deref().map(utf8).transpose()?)
            .build();
        let message = Message::builder()
            .subject(utf8(&email.subject)?)
            .body(body)
            .build();
        let sent = self
            .client(region)
            .await?
            .send_email()
            .from_email_address(&email.from)
            .destination(
                Destination::builder()
                    .set_to_addresses(Some(email.to.clone()))
                    .build(),
            )
            .content(EmailContent::builder().simple(message).build())
            .tenant_name(routing.tenant.as_str())
            .configuration_set_name(routing.configuration_set.as_str())
            .send()
            .observed("SendEmail")
            .await?;
        let id = sent
            .message_id()
            .context("SES SendEmail answered without a MessageId")?;
        Ok(MessageId(id.to_owned()))
    }
}

/// Text content in UTF-8, so SES never guesses the charset.
fn utf8(data: &str) -> Result<Content, SesError> {
    let content = Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .context("building Content")?;
    Ok(content)
}
