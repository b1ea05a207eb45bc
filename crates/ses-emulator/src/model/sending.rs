//! `SendEmail`: the checks SES makes before it accepts a message (verified sender,
//! existing configuration set, tenant associations, paused tenants), and what an accepted
//! message leaves behind: a record of it and its mailbox-simulator metrics.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::message::OutboundEmail;
use super::metrics::{Dimensions, recipient_metrics};
use super::{RegionState, rules};
use crate::error::SesError;
use crate::shapes::SendingStatus;

/// SES accepts at most 50 recipients (To, Cc and Bcc together) per message.
const MAX_RECIPIENTS: usize = 50;

/// A message SES accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentMessage {
    /// The id `SendEmail` returned.
    pub message_id: String,
    /// The sender's bare address.
    pub from: String,
    /// The bare `To` addresses.
    pub to: Vec<String>,
    /// The bare `Cc` addresses.
    pub cc: Vec<String>,
    /// The bare `Bcc` addresses.
    pub bcc: Vec<String>,
    /// The subject, if the content had one.
    pub subject: Option<String>,
    /// The tenant it was sent through.
    pub tenant: Option<String>,
    /// The configuration set it was sent with (named, or the identity's default).
    pub configuration_set: Option<String>,
    /// The identity that authorized the sender.
    pub identity: String,
    /// When it was accepted.
    pub sent_at: DateTime<Utc>,
}

impl SentMessage {
    /// Every recipient: To, then Cc, then Bcc.
    pub fn recipients(&self) -> impl Iterator<Item = &str> {
        self.to
            .iter()
            .chain(&self.cc)
            .chain(&self.bcc)
            .map(String::as_str)
    }
}

impl RegionState {
    /// `SendEmail`: checks and records the message, and returns its message id.
    ///
    /// # Errors
    /// - `BadRequestException`: no or malformed sender or recipients, too many recipients,
    ///   a tenant send without a configuration set, or with a configuration set or sender
    ///   identity that is not associated with the tenant.
    /// - `NotFoundException`: the named configuration set or tenant does not exist.
    /// - `MessageRejected`: the sender is not a verified identity of the region.
    /// - `SendingPausedException`: the tenant's sending status is `DISABLED`, or the
    ///   configuration set has sending switched off.
    pub(crate) fn send_email(&mut self, email: OutboundEmail) -> Result<String, SesError> {
        let from = rules::email_address(email.from.as_deref().ok_or_else(|| {
            SesError::BadRequest("Missing FromEmailAddress (or a From header).".into())
        })?)?;
        let addresses = |list: &[String]| -> Result<Vec<String>, SesError> {
            list.iter()
                .map(|address| rules::email_address(address))
                .collect()
        };
        let (to, cc, bcc) = (
            addresses(&email.to)?,
            addresses(&email.cc)?,
            addresses(&email.bcc)?,
        );
        let recipients = to.len() + cc.len() + bcc.len();
        if recipients == 0 {
            return Err(SesError::BadRequest(
                "The message has no recipients.".into(),
            ));
        }
        if recipients > MAX_RECIPIENTS {
            return Err(SesError::BadRequest(format!(
                "A message can have at most {MAX_RECIPIENTS} recipients."
            )));
        }

        let identity = self.sending_identity(&from).ok_or_else(|| {
            SesError::MessageRejected(format!(
                "Email address is not verified. The following identities failed the check \
                 in region {}: {from}",
                self.region().to_ascii_uppercase()
            ))
        })?;
        let configuration_set = match email.configuration_set {
            Some(name) => Some(self.configuration_set(&name)?),
            None => identity
                .configuration_set
                .as_deref()
                .map(|name| self.configuration_set(name))
                .transpose()?,
        };
        if let Some(set) = configuration_set
            && !set.sending_enabled()
        {
            return Err(SesError::SendingPaused(format!(
                "Sending is paused for configuration set {}.",
                set.name
            )));
        }

        if let Some(tenant_name) = &email.tenant {
            let tenant = self.tenant(tenant_name)?;
            let set = configuration_set.ok_or_else(|| {
                SesError::BadRequest(format!(
                    "A send through tenant {tenant_name} must name a configuration set \
                     associated with it."
                ))
            })?;
            for (kind, arn) in [("Configuration set", &set.arn), ("Identity", &identity.arn)] {
                if !tenant.has_resource(arn) {
                    return Err(SesError::BadRequest(format!(
                        "{kind} {arn} is not associated with tenant {tenant_name}."
                    )));
                }
            }
            if tenant.sending_status() == SendingStatus::Disabled {
                return Err(SesError::SendingPaused(format!(
                    "Sending is paused for tenant {tenant_name}."
                )));
            }
        }

        let now = Utc::now();
        let message = SentMessage {
            message_id: message_id(now),
            from,
            to,
            cc,
            bcc,
            subject: email.subject,
            tenant: email.tenant,
            configuration_set: configuration_set.map(|set| set.name.clone()),
            identity: identity.name.clone(),
            sent_at: now,
        };
        let dimensions = Dimensions {
            tenant: message.tenant.as_deref(),
            configuration_set: message.configuration_set.as_deref(),
            identity: Some(&message.identity),
        };
        for recipient in message.recipients() {
            for &metric in recipient_metrics(recipient) {
                self.metrics.add(now, dimensions, metric, 1);
            }
        }
        let message_id = message.message_id.clone();
        self.sent_messages.push(message);
        Ok(message_id)
    }

    /// How many recipients the messages accepted since `since` had: what SES counts
    /// against the daily quota.
    pub(crate) fn recipients_sent_since(&self, since: DateTime<Utc>) -> usize {
        self.sent_messages
            .iter()
            .filter(|message| message.sent_at >= since)
            .map(|message| message.recipients().count())
            .sum()
    }
}

/// An id shaped like SES's: hex milliseconds, a UUID and a zero suffix.
fn message_id(at: DateTime<Utc>) -> String {
    format!(
        "{:016x}-{}-000000",
        at.timestamp_millis(),
        uuid::Uuid::new_v4()
    )
}
