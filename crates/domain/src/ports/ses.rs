//! SES ports: tenant resources, reputation reads and sending, per region.

use crate::{
    AwsSendingStatus, AwsTenantView, ConfigurationSetName, DomainName, Recommendation, Region,
    SendingCounts, TenantName, TenantRouting, WorkspaceId,
};
use chrono::{DateTime, Utc};

/// Why SES did not do what was asked, in terms a caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum SesError {
    /// SES asked us to slow down, and retries did not get through.
    #[error("SES is throttling requests")]
    Throttled,
    /// An account quota (such as tenants per region) is used up: retrying will not help.
    #[error("SES quota exceeded: {0}")]
    QuotaExceeded(String),
    /// The resource does not exist.
    #[error("not found in SES: {0}")]
    NotFound(String),
    /// The resource exists already.
    #[error("already exists in SES: {0}")]
    AlreadyExists(String),
    /// SES refused the request as invalid.
    #[error("SES rejected the request: {0}")]
    Rejected(String),
    /// The tenant or account may not send right now.
    #[error("sending is paused: {0}")]
    SendingPaused(String),
    /// SES could not be reached or failed on its side (timeouts, 5xx); worth retrying.
    #[error("SES is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else, with its cause chain.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// A tenant as SES holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesTenant {
    /// Its name.
    pub name: TenantName,
    /// The ARN SES gave it.
    pub arn: String,
    /// The workspace it is tagged with, if the tag is there and well formed.
    pub owner: Option<WorkspaceId>,
    /// The tenant's own sending status.
    pub sending_status: AwsSendingStatus,
}

/// A resource that can be associated with a tenant. The adapter turns it into the ARN
/// SES wants, in the tenant's account and region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantResource {
    /// The tenant's configuration set.
    ConfigurationSet(ConfigurationSetName),
    /// A sending domain's identity.
    Identity(DomainName),
}

/// The message id SES gives an accepted send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageId(pub String);

/// A message to send through a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundEmail {
    /// The From address; its domain decides the tenant.
    pub from: String,
    /// Recipients.
    pub to: Vec<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: Option<String>,
    /// HTML body.
    pub html: Option<String>,
}

/// Creates and removes the SES resources that make up a workspace's tenant.
///
/// Every method is idempotent in effect: callers treat [`SesError::AlreadyExists`] on
/// create and [`SesError::NotFound`] on delete as "already done" where that is true.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait TenantAdmin: Send + Sync {
    /// Turns on Virtual Deliverability Manager for the account in `region`.
    ///
    /// # Errors
    /// Any [`SesError`].
    async fn enable_vdm(&self, region: &Region) -> Result<(), SesError>;

    /// Creates the tenant, tagged with its owner.
    ///
    /// # Errors
    /// [`SesError::AlreadyExists`] when the name is taken (check the owner with
    /// [`TenantAdmin::get_tenant`]); [`SesError::QuotaExceeded`]; any other [`SesError`].
    async fn create_tenant(
        &self,
        region: &Region,
        name: &TenantName,
        owner: WorkspaceId,
    ) -> Result<SesTenant, SesError>;

    /// The tenant, or `None` when SES has none by that name.
    ///
    /// # Errors
    /// Any [`SesError`] but `NotFound`.
    async fn get_tenant(
        &self,
        region: &Region,
        name: &TenantName,
    ) -> Result<Option<SesTenant>, SesError>;

    /// Deletes the tenant (its associations go with it, not the resources).
    ///
    /// # Errors
    /// [`SesError::NotFound`] when it is already gone; any other [`SesError`].
    async fn delete_tenant(&self, region: &Region, name: &TenantName) -> Result<(), SesError>;

    /// Creates the configuration set with VDM options on, tagged with its owner.
    ///
    /// # Errors
    /// [`SesError::AlreadyExists`]; any other [`SesError`].
    async fn create_configuration_set(
        &self,
        region: &Region,
        name: &ConfigurationSetName,
        owner: WorkspaceId,
    ) -> Result<(), SesError>;

    /// Deletes the configuration set.
    ///
    /// # Errors
    /// [`SesError::NotFound`] when it is already gone; [`SesError::Rejected`] while it is
    /// still associated with a tenant; any other [`SesError`].
    async fn delete_configuration_set(
        &self,
        region: &Region,
        name: &ConfigurationSetName,
    ) -> Result<(), SesError>;

    /// Makes the configuration set publish its events to `topic_arn`: updates the event
    /// destination when present, creates it when missing.
    ///
    /// # Errors
    /// [`SesError::NotFound`] when the configuration set is missing; any other [`SesError`].
    async fn put_event_destination(
        &self,
        region: &Region,
        configuration_set: &ConfigurationSetName,
        topic_arn: &str,
    ) -> Result<(), SesError>;

    /// Creates the domain's identity.
    ///
    /// # Errors
    /// [`SesError::AlreadyExists`] when it exists; any other [`SesError`].
    async fn create_identity(&self, region: &Region, domain: &DomainName) -> Result<(), SesError>;

    /// Deletes the domain's identity.
    ///
    /// # Errors
    /// [`SesError::NotFound`] when it is already gone; [`SesError::Rejected`] while it is
    /// still associated with a tenant; any other [`SesError`].
    async fn delete_identity(&self, region: &Region, domain: &DomainName) -> Result<(), SesError>;

    /// Associates a resource with the tenant.
    ///
    /// # Errors
    /// [`SesError::AlreadyExists`] when already associated; [`SesError::NotFound`] when
    /// either side is missing; any other [`SesError`].
    async fn associate(
        &self,
        region: &Region,
        tenant: &SesTenant,
        resource: &TenantResource,
    ) -> Result<(), SesError>;

    /// Removes a resource's association with the tenant.
    ///
    /// # Errors
    /// [`SesError::NotFound`] when it is not associated; any other [`SesError`].
    async fn disassociate(
        &self,
        region: &Region,
        tenant: &SesTenant,
        resource: &TenantResource,
    ) -> Result<(), SesError>;

    /// The resources associated with the tenant (all pages).
    ///
    /// # Errors
    /// [`SesError::NotFound`] when the tenant is gone; any other [`SesError`].
    async fn tenant_resources(
        &self,
        region: &Region,
        tenant: &TenantName,
    ) -> Result<Vec<TenantResource>, SesError>;

    /// The SNS topic the configuration set's event destination publishes to, `None` when
    /// it has no such destination.
    ///
    /// # Errors
    /// [`SesError::NotFound`] when the configuration set is missing; any other [`SesError`].
    async fn event_destination_topic(
        &self,
        region: &Region,
        configuration_set: &ConfigurationSetName,
    ) -> Result<Option<String>, SesError>;

    /// Every tenant SES holds in `region` (all pages).
    ///
    /// # Errors
    /// Any [`SesError`].
    async fn list_tenants(&self, region: &Region) -> Result<Vec<SesTenant>, SesError>;
}

/// What SES knows about a tenant's reputation.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait ReputationSource: Send + Sync {
    /// The tenant's sending status records and policy (GetReputationEntity).
    ///
    /// # Errors
    /// [`SesError::NotFound`] when the tenant is gone; any other [`SesError`].
    async fn tenant_view(
        &self,
        region: &Region,
        tenant_arn: &str,
    ) -> Result<AwsTenantView, SesError>;

    /// Every open VDM recommendation in the region, each naming its resource: one
    /// listing serves a whole sweep, since SES allows one ListRecommendations call per
    /// second.
    ///
    /// # Errors
    /// Any [`SesError`].
    async fn open_recommendations(&self, region: &Region) -> Result<Vec<Recommendation>, SesError>;

    /// The tenant's sends, permanent bounces and complaints in `[since, until)`.
    ///
    /// # Errors
    /// Any [`SesError`].
    async fn sending_counts(
        &self,
        region: &Region,
        tenant: &TenantName,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<SendingCounts, SesError>;
}

/// Sends mail through a tenant.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait MailSender: Send + Sync {
    /// Sends `email` in `region`, carrying `routing`'s tenant and configuration set.
    ///
    /// # Errors
    /// [`SesError::SendingPaused`] when SES refuses the tenant; any other [`SesError`].
    async fn send(
        &self,
        region: &Region,
        routing: &TenantRouting,
        email: &OutboundEmail,
    ) -> Result<MessageId, SesError>;
}
