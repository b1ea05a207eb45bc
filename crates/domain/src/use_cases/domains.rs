//! Adding, listing and removing a workspace's sending domains: the desired state that
//! the tenant lifecycle then makes true in SES.

use std::sync::Arc;

use crate::ports::{DomainId, DomainRecord, DomainStore, StoreError, TenantStore};
use crate::use_cases::lifecycle::{PassReport, TenantLifecycle};
use crate::{
    DomainName, InvalidDomainName, RegionNotServed, ServedRegions, TenantName, WorkspaceId,
};

/// Why a domain could not be added.
#[derive(Debug, thiserror::Error)]
pub enum AddDomainError {
    /// The name is not a valid domain.
    #[error(transparent)]
    InvalidDomain(#[from] InvalidDomainName),
    /// The region is not served.
    #[error(transparent)]
    RegionNotServed(#[from] RegionNotServed),
    /// Some workspace already has this domain.
    #[error("domain {0} is already registered")]
    AlreadyRegistered(DomainName),
    /// The store is down; try again later.
    #[error("domains are unavailable right now")]
    Unavailable(#[source] StoreError),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Why domains could not be listed or removed.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The workspace has no such domain.
    #[error("domain not found")]
    NotFound,
    /// The store is down; try again later.
    #[error("domains are unavailable right now")]
    Unavailable(#[source] StoreError),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for AddDomainError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error),
            other => Self::Unexpected(other.into()),
        }
    }
}

impl From<StoreError> for DomainError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error),
            other => Self::Unexpected(other.into()),
        }
    }
}

/// A workspace's sending domains.
#[derive(Clone)]
pub struct DomainService {
    domains: Arc<dyn DomainStore>,
    tenants: Arc<dyn TenantStore>,
    lifecycle: TenantLifecycle,
    served: ServedRegions,
}

impl DomainService {
    /// Domains recorded in `domains`, provisioned by `lifecycle`.
    #[must_use]
    pub fn new(
        domains: Arc<dyn DomainStore>,
        tenants: Arc<dyn TenantStore>,
        lifecycle: TenantLifecycle,
        served: ServedRegions,
    ) -> Self {
        Self {
            domains,
            tenants,
            lifecycle,
            served,
        }
    }

    /// Records the domain, then provisions it (and the workspace's tenant in the region,
    /// if this is its first domain there) right away unless another worker is already
    /// on that tenant. A provisioning failure does not fail the call: the domain is
    /// recorded and the reconciler retries; its state says where it is.
    ///
    /// # Errors
    /// [`AddDomainError`] for an invalid name, an unserved region, a domain registered
    /// already, or a store failure.
    pub async fn add_domain(
        &self,
        workspace: WorkspaceId,
        name: &str,
        region: &str,
    ) -> Result<DomainRecord, AddDomainError> {
        let name = DomainName::parse(name)?;
        let region = self.served.resolve(region)?;
        // Two attempts: the second follows a race in which another workspace took the
        // short name between our look-up and our insert.
        let mut attempts_left = 2;
        let added = loop {
            let short = TenantName::for_workspace(workspace);
            let owner = self.tenants.owner_of_name(&region, &short).await?;
            let tenant_name = TenantName::resolve(workspace, owner);
            match self
                .domains
                .add_domain(workspace, &name, &region, &tenant_name)
                .await
            {
                Ok(added) => break added,
                Err(StoreError::AlreadyExists { what: "domain" }) => {
                    return Err(AddDomainError::AlreadyRegistered(name));
                }
                Err(StoreError::AlreadyExists { .. }) if attempts_left > 1 => attempts_left -= 1,
                Err(error) => return Err(error.into()),
            }
        };
        self.provision_now(added.tenant).await;
        // The domain is stored: a failed re-read must not turn success into an error
        // (a retry would then see "already registered").
        match self.find(workspace, added.domain.id).await {
            Ok(Some(current)) => Ok(current),
            Ok(None) => Ok(added.domain),
            Err(error) => {
                tracing::warn!(error = ?error, "could not re-read a domain just added");
                Ok(added.domain)
            }
        }
    }

    /// The workspace's domains, oldest first, `Deleting` ones included until SES is clean.
    ///
    /// # Errors
    /// [`DomainError::Unavailable`] / [`DomainError::Unexpected`].
    pub async fn list_domains(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<DomainRecord>, DomainError> {
        Ok(self.domains.list_domains(workspace).await?)
    }

    /// Marks the domain for deletion and removes it from SES right away when possible
    /// (with the tenant, if it was the region's last domain).
    ///
    /// # Errors
    /// [`DomainError::NotFound`] when the workspace has no such live domain.
    pub async fn remove_domain(
        &self,
        workspace: WorkspaceId,
        id: DomainId,
    ) -> Result<(), DomainError> {
        let removed = self
            .domains
            .remove_domain(workspace, id)
            .await?
            .ok_or(DomainError::NotFound)?;
        if let Some(tenant) = self.tenants.tenant(workspace, &removed.region).await? {
            self.provision_now(tenant.id).await;
        }
        Ok(())
    }

    async fn provision_now(&self, tenant: crate::ports::TenantId) {
        // The caller's change is stored either way; a failure here is recorded on the
        // tenant and retried by the reconciler.
        match self.lifecycle.reconcile_now(tenant).await {
            Ok(PassReport::Failed {
                error, retry_at, ..
            }) => {
                tracing::warn!(tenant = tenant.0, %error, %retry_at, "provisioning failed; will retry");
            }
            Ok(PassReport::Idle | PassReport::Reconciled { .. }) => {}
            Err(error) => {
                tracing::warn!(tenant = tenant.0, error = ?error, "could not start provisioning; the reconciler will");
            }
        }
    }

    async fn find(
        &self,
        workspace: WorkspaceId,
        id: DomainId,
    ) -> Result<Option<DomainRecord>, StoreError> {
        Ok(self
            .domains
            .list_domains(workspace)
            .await?
            .into_iter()
            .find(|domain| domain.id == id))
    }
}
