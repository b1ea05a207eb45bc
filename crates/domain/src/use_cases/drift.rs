//! Drift between what PostgreSQL says SES holds and what SES holds: tenants,
//! configuration sets, associations or event destinations gone missing, and `ph-`
//! tenants in SES that no workspace here owns. Reported, and on request repaired: a
//! drifted tenant is provisioned again from its first step (every step is idempotent),
//! an orphan is removed.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use crate::ports::{
    ProvisioningStore, SesError, SesTenant, StoreError, TenantAdmin, TenantRecord, TenantResource,
    TenantStore,
};
use crate::use_cases::error_chain;
use crate::{Region, ServedRegions};

/// One difference between the records and SES.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// A provisioned tenant SES does not have.
    MissingTenant(TenantRecord),
    /// A provisioned tenant whose configuration set is missing.
    MissingConfigurationSet(TenantRecord),
    /// A provisioned tenant whose configuration set publishes elsewhere, or nowhere.
    WrongEventDestination {
        /// The tenant.
        tenant: TenantRecord,
        /// The topic found, if any.
        found: Option<String>,
    },
    /// A resource that should be associated with the tenant but is not.
    MissingAssociation {
        /// The tenant.
        tenant: TenantRecord,
        /// The resource.
        resource: TenantResource,
    },
    /// A tenant in SES under our naming that no record here accounts for.
    Orphan {
        /// The region.
        region: Region,
        /// The tenant as SES holds it.
        tenant: SesTenant,
    },
}

impl fmt::Display for Drift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingTenant(t) => write!(f, "{} {}: tenant missing in SES", t.region, t.name),
            Self::MissingConfigurationSet(t) => {
                write!(
                    f,
                    "{} {}: configuration set {} missing",
                    t.region, t.name, t.configuration_set
                )
            }
            Self::WrongEventDestination { tenant, found } => write!(
                f,
                "{} {}: event destination publishes to {}",
                tenant.region,
                tenant.name,
                found.as_deref().unwrap_or("nothing")
            ),
            Self::MissingAssociation { tenant, resource } => {
                write!(
                    f,
                    "{} {}: {resource:?} not associated",
                    tenant.region, tenant.name
                )
            }
            Self::Orphan { region, tenant } => write!(
                f,
                "{region} {}: orphan tenant in SES (owner tag {})",
                tenant.name,
                tenant
                    .owner
                    .map_or_else(|| "missing".to_owned(), |o| o.to_string())
            ),
        }
    }
}

/// The audit's findings and what a repair did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DriftReport {
    /// Every difference found.
    pub drift: Vec<Drift>,
    /// Repairs done (zero on a dry run).
    pub repaired: usize,
    /// Repairs that failed (each logged).
    pub repair_errors: usize,
}

/// Why the audit could not run.
#[derive(Debug, thiserror::Error)]
pub enum DriftError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// SES could not be read.
    #[error("reading SES failed")]
    Ses(#[from] SesError),
}

/// Compares the records with SES, region by region.
#[derive(Clone)]
pub struct DriftAudit {
    tenants: Arc<dyn TenantStore>,
    provisioning: Arc<dyn ProvisioningStore>,
    ses: Arc<dyn TenantAdmin>,
    topics: Arc<HashMap<Region, String>>,
    served: ServedRegions,
}

/// The prefix of every tenant name this service gives out.
const OUR_PREFIX: &str = "ph-";

impl DriftAudit {
    /// An audit over the given store and SES, expecting `topics` on configuration sets.
    #[must_use]
    pub fn new(
        tenants: Arc<dyn TenantStore>,
        provisioning: Arc<dyn ProvisioningStore>,
        ses: Arc<dyn TenantAdmin>,
        topics: HashMap<Region, String>,
        served: ServedRegions,
    ) -> Self {
        Self {
            tenants,
            provisioning,
            ses,
            topics: Arc::new(topics),
            served,
        }
    }

    /// Finds the drift, and repairs it unless `dry_run`.
    ///
    /// # Errors
    /// [`DriftError`] when the records or SES cannot be read.
    pub async fn run(&self, dry_run: bool) -> Result<DriftReport, DriftError> {
        let recorded = self.tenants.tenants_with_configuration_set().await?;
        let mut report = DriftReport::default();
        for region in self.served.iter() {
            let in_ses = self.ses.list_tenants(region).await?;
            let in_region: Vec<&TenantRecord> =
                recorded.iter().filter(|t| &t.region == region).collect();
            let known: HashSet<&str> = in_region.iter().map(|t| t.name.as_str()).collect();
            let present: HashSet<&str> = in_ses.iter().map(|t| t.name.as_str()).collect();
            for tenant in &in_region {
                if present.contains(tenant.name.as_str()) {
                    report.drift.extend(self.check(region, tenant).await?);
                } else {
                    report.drift.push(Drift::MissingTenant((*tenant).clone()));
                }
            }
            report.drift.extend(
                in_ses
                    .into_iter()
                    .filter(|t| t.name.as_str().starts_with(OUR_PREFIX))
                    .filter(|t| !known.contains(t.name.as_str()))
                    .map(|tenant| Drift::Orphan {
                        region: region.clone(),
                        tenant,
                    }),
            );
        }
        if !dry_run {
            for drift in &report.drift {
                match self.repair(drift).await {
                    Ok(()) => report.repaired += 1,
                    Err(error) => {
                        report.repair_errors += 1;
                        tracing::warn!(%drift, error = %error_chain(&error), "repair failed");
                    }
                }
            }
        }
        Ok(report)
    }

    async fn check(
        &self,
        region: &Region,
        tenant: &TenantRecord,
    ) -> Result<Vec<Drift>, DriftError> {
        let mut drift = Vec::new();
        match self
            .ses
            .event_destination_topic(region, &tenant.configuration_set)
            .await
        {
            Ok(found) if found.as_ref() == self.topics.get(region) => {}
            Ok(found) => drift.push(Drift::WrongEventDestination {
                tenant: tenant.clone(),
                found,
            }),
            Err(SesError::NotFound(_)) => {
                drift.push(Drift::MissingConfigurationSet(tenant.clone()));
            }
            Err(error) => return Err(error.into()),
        }
        let associated = self.ses.tenant_resources(region, &tenant.name).await?;
        let wanted = std::iter::once(TenantResource::ConfigurationSet(
            tenant.configuration_set.clone(),
        ));
        let domains = self.provisioning_domains(tenant).await?;
        for resource in wanted.chain(domains) {
            if !associated.contains(&resource) {
                drift.push(Drift::MissingAssociation {
                    tenant: tenant.clone(),
                    resource,
                });
            }
        }
        Ok(drift)
    }

    /// The identities that should be associated: the tenant's active domains.
    async fn provisioning_domains(
        &self,
        tenant: &TenantRecord,
    ) -> Result<Vec<TenantResource>, StoreError> {
        Ok(self
            .provisioning
            .active_domains(tenant.id)
            .await?
            .into_iter()
            .map(TenantResource::Identity)
            .collect())
    }

    async fn repair(&self, drift: &Drift) -> Result<(), DriftError> {
        match drift {
            Drift::MissingTenant(tenant)
            | Drift::MissingConfigurationSet(tenant)
            | Drift::WrongEventDestination { tenant, .. }
            | Drift::MissingAssociation { tenant, .. } => {
                Ok(self.provisioning.restart(tenant.id).await?)
            }
            Drift::Orphan { region, tenant } => self.remove_orphan(region, tenant).await,
        }
    }

    async fn remove_orphan(&self, region: &Region, tenant: &SesTenant) -> Result<(), DriftError> {
        for resource in self.ses.tenant_resources(region, &tenant.name).await? {
            gone(self.ses.disassociate(region, tenant, &resource).await)?;
            if let TenantResource::ConfigurationSet(set) = &resource {
                gone(self.ses.delete_configuration_set(region, set).await)?;
            }
        }
        gone(self.ses.delete_tenant(region, &tenant.name).await)
    }
}

fn gone(result: Result<(), SesError>) -> Result<(), DriftError> {
    match result {
        Ok(()) | Err(SesError::NotFound(_)) => Ok(()),
        Err(error) => Err(error.into()),
    }
}
