//! Persistence ports: workspaces' domains, their tenants, status history and findings.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::{
    ConfigurationSetName, DomainName, Finding, Region, SendingStatus, TenantName, WorkspaceId,
};

/// Why the store could not answer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule refused the write: `what` says which thing already exists.
    #[error("{what} already exists")]
    AlreadyExists {
        /// The thing that exists, for the caller's message.
        what: &'static str,
    },
    /// The database could not be reached in time; worth retrying later.
    #[error("the database is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else, with its cause chain.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// The store's id of a tenant row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(pub i64);

/// The store's id of a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DomainId(pub uuid::Uuid);

impl fmt::Display for DomainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// How far a tenant's SES resources are from the state we want.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProvisioningState {
    /// Wanted, not yet (fully) created in SES.
    Pending,
    /// Everything exists in SES; the tenant can send.
    Ready,
    /// Being removed from SES.
    TearingDown,
}

impl ProvisioningState {
    /// `pending`, `ready` or `tearing_down`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Ready => "ready",
            Self::TearingDown => "tearing_down",
        }
    }

    /// Parses the storage form; `None` for anything else.
    #[must_use]
    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Self::Pending),
            "ready" => Some(Self::Ready),
            "tearing_down" => Some(Self::TearingDown),
            _ => None,
        }
    }

    /// The status a tenant in this state shows: the one `recorded` from SES once it is
    /// ready, `DISABLED` while provisioning is unfinished or it is being torn down.
    #[must_use]
    pub const fn shown_status(self, recorded: SendingStatus) -> SendingStatus {
        match self {
            Self::Ready => recorded,
            Self::Pending | Self::TearingDown => SendingStatus::Disabled,
        }
    }
}

/// Where a domain is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DomainState {
    /// Recorded; its identity is not yet created and associated in SES.
    Provisioning,
    /// Its identity exists and is associated with the workspace's tenant.
    Active,
    /// Deleted by the workspace; its identity is being removed from SES.
    Deleting,
}

impl DomainState {
    /// `provisioning`, `active` or `deleting`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Provisioning => "provisioning",
            Self::Active => "active",
            Self::Deleting => "deleting",
        }
    }

    /// Parses the storage form; `None` for anything else.
    #[must_use]
    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "provisioning" => Some(Self::Provisioning),
            "active" => Some(Self::Active),
            "deleting" => Some(Self::Deleting),
            _ => None,
        }
    }
}

/// A sending domain of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainRecord {
    /// Its id.
    pub id: DomainId,
    /// The workspace that owns it.
    pub workspace: WorkspaceId,
    /// The domain.
    pub name: DomainName,
    /// The region it sends from.
    pub region: Region,
    /// Where it is in its life.
    pub state: DomainState,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// A workspace's tenant in one region, as we last recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRecord {
    /// Its id.
    pub id: TenantId,
    /// The owner.
    pub workspace: WorkspaceId,
    /// The region.
    pub region: Region,
    /// The tenant's name (the short form, or the collision fallback).
    pub name: TenantName,
    /// Its configuration set.
    pub configuration_set: ConfigurationSetName,
    /// The ARN SES gave the tenant, once created.
    pub arn: Option<String>,
    /// How far provisioning has come.
    pub provisioning: ProvisioningState,
    /// The last status read from SES (DISABLED until the first read).
    pub sending_status: SendingStatus,
    /// When SES was last asked.
    pub last_checked_at: Option<DateTime<Utc>>,
}

/// Everything the status endpoint needs about one region of a workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionSummary {
    /// The region.
    pub region: Region,
    /// How many of the workspace's domains (not being deleted) send from it.
    pub domain_count: u32,
    /// The tenant, once one is recorded.
    pub tenant: Option<TenantRecord>,
}

/// A recorded change of a tenant's sending status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// The status before, `None` for the first reading.
    pub from: Option<SendingStatus>,
    /// The status after.
    pub to: SendingStatus,
    /// When it was observed.
    pub observed_at: DateTime<Utc>,
}

/// A domain just recorded, with the tenant that will carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedDomain {
    /// The domain, `Provisioning`.
    pub domain: DomainRecord,
    /// The workspace's tenant in the domain's region, now due for reconciliation.
    pub tenant: TenantId,
}

/// Sending domains: the desired state that drives each tenant's lifecycle.
///
/// Every change here also marks the workspace's tenant in that region as due for
/// reconciliation, in the same transaction, so a crash can never lose the intent.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait DomainStore: Send + Sync {
    /// Records a new domain for `workspace`, and the workspace's tenant in `region` under
    /// `tenant_name` if it has none there yet (an existing tenant keeps its name).
    ///
    /// # Errors
    /// [`StoreError::AlreadyExists`] with `what = "domain"` when any workspace already has
    /// this domain, or `what = "tenant name"` when another workspace holds `tenant_name`
    /// in the region; [`StoreError::Unavailable`] / [`StoreError::Unexpected`] otherwise.
    async fn add_domain(
        &self,
        workspace: WorkspaceId,
        name: &DomainName,
        region: &Region,
        tenant_name: &TenantName,
    ) -> Result<AddedDomain, StoreError>;

    /// The workspace's domains, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn list_domains(&self, workspace: WorkspaceId) -> Result<Vec<DomainRecord>, StoreError>;

    /// Marks one of the workspace's domains `Deleting` (its SES identity is removed by the
    /// reconciler, then the record); `None` when the workspace has no such live domain.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn remove_domain(
        &self,
        workspace: WorkspaceId,
        id: DomainId,
    ) -> Result<Option<DomainRecord>, StoreError>;

    /// The live (not `Deleting`) domain called `name`, whoever owns it.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn find_domain(&self, name: &DomainName) -> Result<Option<DomainRecord>, StoreError>;
}

/// Tenants and their status history.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait TenantStore: Send + Sync {
    /// One summary per region in which the workspace has domains.
    ///
    /// What the dashboard shows, and read far more often than anything else: an adapter
    /// may serve it from a cache, so it reflects this process's own writes at once but
    /// another process's only moments later (the PostgreSQL adapter: when the change's
    /// notification arrives, or within its TTL if one is ever lost). Decisions that
    /// must see the latest state use [`TenantStore::tenant`] or the provisioning store.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn regions_of_workspace(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<RegionSummary>, StoreError>;

    /// The workspace's tenant in `region`, if one is recorded.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn tenant(
        &self,
        workspace: WorkspaceId,
        region: &Region,
    ) -> Result<Option<TenantRecord>, StoreError>;

    /// The workspace that holds `name` in `region`, if any: the input of
    /// [`TenantName::resolve`].
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn owner_of_name(
        &self,
        region: &Region,
        name: &TenantName,
    ) -> Result<Option<WorkspaceId>, StoreError>;

    /// Every tenant whose configuration set exists in SES (provisioned, or far enough
    /// along), for sweeps such as the event-destination backfill.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn tenants_with_configuration_set(&self) -> Result<Vec<TenantRecord>, StoreError>;

    /// Records a status reading; appends to the history and returns the change when the
    /// status differs from the last one recorded.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn record_status(
        &self,
        tenant: TenantId,
        status: SendingStatus,
        checked_at: DateTime<Utc>,
    ) -> Result<Option<StatusChange>, StoreError>;

    /// The tenant's status changes, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn status_history(&self, tenant: TenantId) -> Result<Vec<StatusChange>, StoreError>;
}

/// Reputation findings per tenant.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait FindingStore: Send + Sync {
    /// The tenant's open findings, most severe first, then newest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn open_findings(&self, tenant: TenantId) -> Result<Vec<Finding>, StoreError>;

    /// Makes `current` the tenant's open findings: a finding of a type not open before is
    /// opened, one still present is updated (keeping its first `detected_at`), and an
    /// open one no longer present is resolved at `now`, not deleted.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn sync_findings(
        &self,
        tenant: TenantId,
        current: &[Finding],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_ready_tenant_shows_its_recorded_status() {
        for recorded in SendingStatus::ALL {
            assert_eq!(ProvisioningState::Ready.shown_status(recorded), recorded);
            assert_eq!(
                ProvisioningState::Pending.shown_status(recorded),
                SendingStatus::Disabled
            );
            assert_eq!(
                ProvisioningState::TearingDown.shown_status(recorded),
                SendingStatus::Disabled
            );
        }
    }
}
