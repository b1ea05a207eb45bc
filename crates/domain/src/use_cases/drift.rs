//! Drift between what PostgreSQL says SES holds and what SES holds: tenants,
//! configuration sets, associations or event destinations gone missing, and `ph-`
//! tenants in SES that no workspace here owns. Reported, and on request repaired: a
//! drifted tenant is provisioned again from its first step (every step is idempotent),
//! an orphan is removed.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use crate::ports::{
    ProvisioningState, ProvisioningStore, SesError, SesTenant, StoreError, TenantAdmin,
    TenantRecord, TenantResource, TenantStore,
};
use crate::use_cases::{already_gone, error_chain};
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
    /// Repairs done (zero on a dry run): drifted tenants provisioned again (once each,
    /// however many differences they have) and orphans removed.
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
    /// An SES call failed.
    #[error("an SES call failed")]
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
            // A tenant still being provisioned or torn down is the reconciler's: what it
            // has not done yet is not drift.
            for tenant in in_region
                .iter()
                .filter(|t| t.provisioning == ProvisioningState::Ready)
            {
                if present.contains(tenant.name.as_str()) {
                    report.drift.extend(self.check(region, tenant).await?);
                } else {
                    report.drift.push(Drift::MissingTenant((*tenant).clone()));
                }
            }
            for tenant in in_ses {
                if tenant.name.is_ours()
                    && !known.contains(tenant.name.as_str())
                    // Held by a record before its configuration set exists: in progress.
                    && self.tenants.owner_of_name(region, &tenant.name).await?.is_none()
                {
                    report.drift.push(Drift::Orphan {
                        region: region.clone(),
                        tenant,
                    });
                }
            }
        }
        if !dry_run {
            self.repair(&mut report).await;
        }
        Ok(report)
    }

    /// Provisions each drifted tenant again, once however many differences it has, and
    /// removes the orphans; counts what worked and logs what did not.
    async fn repair(&self, report: &mut DriftReport) {
        let mut restarted = HashSet::new();
        for drift in &report.drift {
            let repaired = match drift {
                Drift::MissingTenant(tenant)
                | Drift::MissingConfigurationSet(tenant)
                | Drift::WrongEventDestination { tenant, .. }
                | Drift::MissingAssociation { tenant, .. } => {
                    if !restarted.insert(tenant.id) {
                        continue;
                    }
                    self.provisioning
                        .restart(tenant.id)
                        .await
                        .map_err(DriftError::from)
                }
                Drift::Orphan { region, tenant } => self.remove_orphan(region, tenant).await,
            };
            match repaired {
                Ok(()) => report.repaired += 1,
                Err(error) => {
                    report.repair_errors += 1;
                    tracing::warn!(%drift, error = %error_chain(&error), "repair failed");
                }
            }
        }
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
                // Restarting provisioning recreates it and its associations anyway.
                return Ok(vec![Drift::MissingConfigurationSet(tenant.clone())]);
            }
            Err(error) => return Err(error.into()),
        }
        let associated = self.ses.tenant_resources(region, &tenant.name).await?;
        let wanted = std::iter::once(TenantResource::ConfigurationSet(
            tenant.configuration_set.clone(),
        ));
        let domains = self.provisioning.active_domains(tenant.id).await?;
        for resource in wanted.chain(domains.into_iter().map(TenantResource::Identity)) {
            if !associated.contains(&resource) {
                drift.push(Drift::MissingAssociation {
                    tenant: tenant.clone(),
                    resource,
                });
            }
        }
        Ok(drift)
    }

    async fn remove_orphan(&self, region: &Region, tenant: &SesTenant) -> Result<(), DriftError> {
        for resource in self.ses.tenant_resources(region, &tenant.name).await? {
            already_gone(self.ses.disassociate(region, tenant, &resource).await)?;
            if let TenantResource::ConfigurationSet(set) = &resource {
                already_gone(self.ses.delete_configuration_set(region, set).await)?;
            }
        }
        Ok(already_gone(
            self.ses.delete_tenant(region, &tenant.name).await,
        )?)
    }
}
