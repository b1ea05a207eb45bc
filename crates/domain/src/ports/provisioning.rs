//! The reconciler's persistence: a work queue of tenants whose SES resources differ from
//! what their domains call for, claimed under leases so that one worker, on any replica,
//! works a tenant at a time.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::ports::{DomainId, DomainRecord, StoreError, TenantId, TenantRecord};
use crate::{Region, SendingStatus, TenantName};

/// Proof of holding a tenant's lease. Writes made with a lease that has since expired
/// (and been taken by another worker) are refused, so a slow worker cannot undo a
/// newer one's work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeaseToken(pub uuid::Uuid);

/// How far provisioning of a tenant's own resources has come; each step is done once
/// and recorded before the next, so a retry resumes where the last attempt stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProvisioningStep {
    /// Nothing created yet.
    Nothing,
    /// The SES tenant exists (its ARN is recorded).
    TenantCreated,
    /// Its configuration set exists.
    ConfigurationSetCreated,
    /// The configuration set publishes events to the region's SNS topic.
    EventDestinationSet,
    /// The configuration set is associated with the tenant: the tenant can send.
    ConfigurationSetAssociated,
}

impl ProvisioningStep {
    /// The storage form.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Nothing => "nothing",
            Self::TenantCreated => "tenant_created",
            Self::ConfigurationSetCreated => "configuration_set_created",
            Self::EventDestinationSet => "event_destination_set",
            Self::ConfigurationSetAssociated => "configuration_set_associated",
        }
    }

    /// Parses the storage form; `None` for anything else.
    #[must_use]
    pub fn from_stored(text: &str) -> Option<Self> {
        [
            Self::Nothing,
            Self::TenantCreated,
            Self::ConfigurationSetCreated,
            Self::EventDestinationSet,
            Self::ConfigurationSetAssociated,
        ]
        .into_iter()
        .find(|step| step.as_str() == text)
    }
}

/// A claimed tenant and everything needed to reconcile it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantJob {
    /// The tenant as recorded.
    pub tenant: TenantRecord,
    /// The last step recorded.
    pub step: ProvisioningStep,
    /// Bumped by every domain change; the job may only finish the generation it saw.
    pub generation: i64,
    /// The lease this worker holds.
    pub lease: LeaseToken,
    /// Failed attempts so far, for backoff.
    pub attempts: u32,
    /// Every domain of the workspace in the tenant's region, `Deleting` ones included.
    pub domains: Vec<DomainRecord>,
    /// Whether VDM is known to be on in the region.
    pub vdm_enabled: bool,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// Everything exists.
    Ready {
        /// The sending status SES reported when it created or returned the tenant in
        /// this job; `None` leaves the recorded status to the reputation refresh.
        observed_status: Option<SendingStatus>,
    },
    /// The workspace has no live domain left in the region and SES holds nothing of the
    /// tenant any more: the record goes.
    TornDown,
}

/// Persistence of the reconciler's queue and progress.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait ProvisioningStore: Send + Sync {
    /// Claims the tenant due soonest (whose lease is free), for `lease`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn claim_next(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<TenantJob>, StoreError>;

    /// Claims one tenant now, if it needs work and nobody holds it (ignoring backoff:
    /// a request is waiting on it).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn claim(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<TenantJob>, StoreError>;

    /// Records that the SES tenant exists, with the ARN SES gave it.
    ///
    /// # Errors
    /// [`StoreError::Unexpected`] when the lease was lost; any other [`StoreError`].
    async fn record_tenant_created(&self, job: &TenantJob, arn: &str) -> Result<(), StoreError>;

    /// Records a completed step after the tenant's creation.
    ///
    /// # Errors
    /// [`StoreError::Unexpected`] when the lease was lost; any other [`StoreError`].
    async fn record_step(&self, job: &TenantJob, step: ProvisioningStep) -> Result<(), StoreError>;

    /// Renames the tenant after SES showed its name belongs to someone else; its
    /// progress starts over.
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`] when the new name is taken too; any other
    /// [`StoreError`].
    async fn rename(&self, job: &TenantJob, name: &TenantName) -> Result<(), StoreError>;

    /// Records that VDM is on in `region`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn mark_vdm_enabled(&self, region: &Region) -> Result<(), StoreError>;

    /// Marks a domain `Active`: its identity exists and is associated.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn mark_domain_active(&self, domain: DomainId) -> Result<(), StoreError>;

    /// Deletes a `Deleting` domain's record once SES holds nothing of it.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn forget_domain(&self, domain: DomainId) -> Result<(), StoreError>;

    /// Ends the job. When domains changed meanwhile (the generation moved on) the tenant
    /// stays due and is picked up again; otherwise it is done. Returns whether it is done.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn complete(
        &self,
        job: &TenantJob,
        outcome: JobOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Releases the job after a failure: retried at `retry_at`, with `error` recorded.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn fail(
        &self,
        job: &TenantJob,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Makes the tenant due now and provisions it again from the first step (each step
    /// being idempotent): the repair for drift found in SES.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn restart(&self, tenant: TenantId) -> Result<(), StoreError>;

    /// The domains of the tenant's workspace and region whose identities should be
    /// associated with it (the `Active` ones).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn active_domains(&self, tenant: TenantId) -> Result<Vec<crate::DomainName>, StoreError>;

    /// How many tenants are due for work (the reconciler's backlog).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn backlog(&self) -> Result<u64, StoreError>;
}
