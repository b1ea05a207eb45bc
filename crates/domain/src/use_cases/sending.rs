//! Sending through the right tenant: the from-domain decides the workspace's tenant, and
//! nothing is sent through a tenant that is not provisioned and ENABLED.

use std::sync::Arc;

use crate::ports::{
    DomainState, DomainStore, MailSender, MessageId, OutboundEmail, ProvisioningState, SesError,
    StoreError, TenantStore,
};
use crate::{DomainName, SendingStatus, TenantRouting, WorkspaceId};

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The message itself is malformed; the text says how.
    #[error("{0}")]
    InvalidMessage(String),
    /// The from-domain is not one of the workspace's domains.
    #[error("{0} is not a sending domain of this workspace")]
    DomainNotOwned(DomainName),
    /// The from-domain or its tenant is still being provisioned.
    #[error("{0} is not ready to send yet: its SES set-up is still in progress")]
    NotProvisioned(DomainName),
    /// The tenant may not send: paused, enforced or disabled.
    #[error("sending is {0} for this workspace in this region")]
    TenantNotEnabled(SendingStatus),
    /// SES refused the message.
    #[error("SES rejected the message: {0}")]
    Rejected(String),
    /// SES or the store is overloaded or out of reach; try again later.
    #[error("sending is unavailable right now")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for SendError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error.into()),
            other => Self::Unexpected(other.into()),
        }
    }
}

/// Sends a workspace's mail through its tenant.
#[derive(Clone)]
pub struct SendingService {
    domains: Arc<dyn DomainStore>,
    tenants: Arc<dyn TenantStore>,
    sender: Arc<dyn MailSender>,
}

impl SendingService {
    /// Sends with `sender`, routing by the records in the stores.
    #[must_use]
    pub fn new(
        domains: Arc<dyn DomainStore>,
        tenants: Arc<dyn TenantStore>,
        sender: Arc<dyn MailSender>,
    ) -> Self {
        Self {
            domains,
            tenants,
            sender,
        }
    }

    /// The tenant routing for mail from `from` (an address), as an SMTP relay needs it to
    /// add the `X-SES-TENANT` and `X-SES-CONFIGURATION-SET` headers.
    ///
    /// # Errors
    /// [`SendError`] as for [`SendingService::send`], before anything is sent.
    pub async fn routing_for(
        &self,
        workspace: WorkspaceId,
        from: &str,
    ) -> Result<(crate::Region, TenantRouting), SendError> {
        let domain = from_domain(from)?;
        let record = self
            .domains
            .find_domain(&domain)
            .await?
            .filter(|record| record.workspace == workspace)
            .ok_or_else(|| SendError::DomainNotOwned(domain.clone()))?;
        if record.state != DomainState::Active {
            return Err(SendError::NotProvisioned(domain));
        }
        let tenant = self
            .tenants
            .tenant(workspace, &record.region)
            .await?
            .filter(|tenant| tenant.provisioning == ProvisioningState::Ready)
            .ok_or_else(|| SendError::NotProvisioned(domain.clone()))?;
        if tenant.sending_status != SendingStatus::Enabled {
            return Err(SendError::TenantNotEnabled(tenant.sending_status));
        }
        Ok((record.region, TenantRouting::for_tenant(tenant.name)))
    }

    /// Sends `email` through the tenant of its from-domain.
    ///
    /// # Errors
    /// [`SendError::InvalidMessage`] for a message without recipients or body;
    /// [`SendError::DomainNotOwned`], [`SendError::NotProvisioned`] and
    /// [`SendError::TenantNotEnabled`] before any SES call; SES's own refusals after.
    pub async fn send(
        &self,
        workspace: WorkspaceId,
        email: &OutboundEmail,
    ) -> Result<MessageId, SendError> {
        validate(email)?;
        let (region, routing) = self.routing_for(workspace, &email.from).await?;
        self.sender
            .send(&region, &routing, email)
            .await
            .map_err(|error| match error {
                SesError::SendingPaused(_) => SendError::TenantNotEnabled(SendingStatus::Paused),
                SesError::Rejected(message) => SendError::Rejected(message),
                SesError::Throttled | SesError::Unavailable(_) => {
                    SendError::Unavailable(error.into())
                }
                other => SendError::Unexpected(other.into()),
            })
    }
}

const MAX_RECIPIENTS: usize = 50;

fn validate(email: &OutboundEmail) -> Result<(), SendError> {
    let invalid = |text: &str| Err(SendError::InvalidMessage(text.to_owned()));
    if email.to.is_empty() {
        return invalid("at least one recipient is required");
    }
    if email.to.len() > MAX_RECIPIENTS {
        return invalid("at most 50 recipients per message");
    }
    if let Some(bad) = email.to.iter().find(|to| address_domain(to).is_none()) {
        return Err(SendError::InvalidMessage(format!(
            "{bad:?} is not an email address"
        )));
    }
    if email.subject.trim().is_empty() {
        return invalid("a subject is required");
    }
    if email.text.is_none() && email.html.is_none() {
        return invalid("a text or html body is required");
    }
    Ok(())
}

/// The domain of the from-address (`a@b.com` or `Name <a@b.com>`).
fn from_domain(from: &str) -> Result<DomainName, SendError> {
    address_domain(from)
        .and_then(|domain| DomainName::parse(domain).ok())
        .ok_or_else(|| SendError::InvalidMessage(format!("{from:?} is not an email address")))
}

fn address_domain(address: &str) -> Option<&str> {
    let address = match (address.rfind('<'), address.rfind('>')) {
        (Some(open), Some(close)) if open < close => &address[open + 1..close],
        _ => address,
    };
    let (local, domain) = address.trim().rsplit_once('@')?;
    let plausible = !local.is_empty()
        && !domain.is_empty()
        && !address.chars().any(|c| c.is_whitespace() || c.is_control());
    plausible.then_some(domain)
}
