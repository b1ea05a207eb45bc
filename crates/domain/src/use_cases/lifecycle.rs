//! The tenant lifecycle: making SES hold exactly what a workspace's domains in a region
//! call for (a tenant, its configuration set, the event destination, the identities and
//! their associations), or nothing at all once the last domain is gone.
//!
//! Work is driven from the store's queue, one tenant at a time under a lease. Every step
//! is idempotent (SES's "already exists" on create and "not found" on delete mean the
//! state is already right) and recorded before the next, so a crash or an SES error
//! midway is finished by the next attempt, on any replica.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::ports::{
    Clock, DomainState, JobOutcome, ProvisioningStep, ProvisioningStore, SesError, SesTenant,
    StoreError, TenantAdmin, TenantId, TenantJob, TenantResource,
};
use crate::use_cases::{already_done, already_gone, error_chain};
use crate::{AwsSendingStatus, AwsTenantView, Region, SendingStatus, TenantName};

/// Lifecycle settings.
#[derive(Debug, Clone)]
pub struct LifecycleConfig {
    /// The SNS topic each region's configuration sets publish their events to.
    pub event_topics: HashMap<Region, String>,
    /// How long a claimed tenant stays with one worker before others may take it over.
    pub lease: Duration,
    /// First retry delay; doubles per failed attempt.
    pub base_backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
}

impl Default for LifecycleConfig {
    fn default() -> Self {
        Self {
            event_topics: HashMap::new(),
            lease: Duration::from_secs(120),
            base_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(300),
        }
    }
}

/// Why reconciling a tenant stopped short.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// SES failed; the job is retried with backoff.
    #[error("SES call {operation} failed")]
    Ses {
        /// The step that failed, for the operator.
        operation: &'static str,
        /// What SES said.
        #[source]
        source: SesError,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No SNS topic is configured for the region.
    #[error("no SNS event topic is configured for region {0}")]
    NoEventTopic(Region),
}

/// What one pass of the reconciler did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassReport {
    /// Nothing was due.
    Idle,
    /// The tenant is reconciled (`done` = false when domains changed meanwhile and it is
    /// due again).
    Reconciled {
        /// The tenant.
        tenant: TenantId,
        /// How it ended.
        outcome: JobOutcome,
        /// Whether nothing further is due for it.
        done: bool,
    },
    /// The attempt failed and was scheduled again.
    Failed {
        /// The tenant.
        tenant: TenantId,
        /// The error, as recorded.
        error: String,
        /// When it is retried.
        retry_at: DateTime<Utc>,
    },
}

/// Drives tenants toward the state their domains call for.
#[derive(Clone)]
pub struct TenantLifecycle {
    store: Arc<dyn ProvisioningStore>,
    ses: Arc<dyn TenantAdmin>,
    clock: Arc<dyn Clock>,
    config: Arc<LifecycleConfig>,
}

impl TenantLifecycle {
    /// A lifecycle over the given store and SES.
    #[must_use]
    pub fn new(
        store: Arc<dyn ProvisioningStore>,
        ses: Arc<dyn TenantAdmin>,
        clock: Arc<dyn Clock>,
        config: LifecycleConfig,
    ) -> Self {
        Self {
            store,
            ses,
            clock,
            config: Arc::new(config),
        }
    }

    /// Claims the tenant due soonest and reconciles it.
    ///
    /// # Errors
    /// [`StoreError`] when the queue itself cannot be read or written; SES failures are
    /// not errors here but [`PassReport::Failed`].
    pub async fn run_once(&self) -> Result<PassReport, StoreError> {
        let job = self
            .store
            .claim_next(self.clock.now(), self.config.lease)
            .await?;
        match job {
            Some(job) => self.work(job).await,
            None => Ok(PassReport::Idle),
        }
    }

    /// Reconciles one tenant now if nobody else is (a request just changed its domains).
    /// `Idle` when another worker holds it: that worker will see the change.
    ///
    /// # Errors
    /// As [`TenantLifecycle::run_once`].
    pub async fn reconcile_now(&self, tenant: TenantId) -> Result<PassReport, StoreError> {
        let job = self
            .store
            .claim(tenant, self.clock.now(), self.config.lease)
            .await?;
        match job {
            Some(job) => self.work(job).await,
            None => Ok(PassReport::Idle),
        }
    }

    async fn work(&self, job: TenantJob) -> Result<PassReport, StoreError> {
        let tenant = job.tenant.id;
        match self.reconcile(&job).await {
            Ok(outcome) => {
                let done = self
                    .store
                    .complete(&job, outcome.clone(), self.clock.now())
                    .await?;
                Ok(PassReport::Reconciled {
                    tenant,
                    outcome,
                    done,
                })
            }
            Err(error) => {
                let error = error_chain(&error);
                let retry_at = self.clock.now() + self.backoff(&job);
                tracing::warn!(
                    tenant = %job.tenant.name,
                    region = %job.tenant.region,
                    attempts = job.attempts + 1,
                    %retry_at,
                    %error,
                    "tenant reconciliation failed"
                );
                self.store.fail(&job, &error, retry_at).await?;
                Ok(PassReport::Failed {
                    tenant,
                    error,
                    retry_at,
                })
            }
        }
    }

    /// Exponential backoff with full jitter: retries of many tenants failing together
    /// (an SES outage) spread out instead of arriving in waves.
    fn backoff(&self, job: &TenantJob) -> chrono::Duration {
        let exponent = job.attempts.min(20);
        let ceiling = self
            .config
            .base_backoff
            .saturating_mul(1_u32 << exponent)
            .min(self.config.max_backoff);
        let seed = u64::try_from(job.tenant.id.0).unwrap_or_default()
            ^ u64::from(job.attempts).rotate_left(32)
            ^ u64::from(self.clock.now().timestamp_subsec_nanos());
        let delay = ceiling.mul_f64(0.5 + crate::jitter::fraction(seed) / 2.0);
        chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX)
    }

    async fn reconcile(&self, job: &TenantJob) -> Result<JobOutcome, ReconcileError> {
        let wanted = job.domains.iter().any(|d| d.state != DomainState::Deleting);
        if wanted {
            self.provision(job).await
        } else {
            self.tear_down(job).await
        }
    }

    async fn provision(&self, job: &TenantJob) -> Result<JobOutcome, ReconcileError> {
        let region = &job.tenant.region;
        if !job.vdm_enabled {
            ses("PutAccountVdmAttributes", self.ses.enable_vdm(region).await)?;
            self.store.mark_vdm_enabled(region).await?;
        }
        let (tenant, fresh) = self.ensure_tenant(job).await?;
        let configuration_set = &job.tenant.configuration_set;

        if job.step < ProvisioningStep::ConfigurationSetCreated {
            let created = self
                .ses
                .create_configuration_set(region, configuration_set, job.tenant.workspace)
                .await;
            ses("CreateConfigurationSet", already_done(created))?;
            self.store
                .record_step(job, ProvisioningStep::ConfigurationSetCreated)
                .await?;
        }
        if job.step < ProvisioningStep::EventDestinationSet {
            let topic = self
                .config
                .event_topics
                .get(region)
                .ok_or_else(|| ReconcileError::NoEventTopic(region.clone()))?;
            let put = self
                .ses
                .put_event_destination(region, configuration_set, topic)
                .await;
            ses("PutConfigurationSetEventDestination", put)?;
            self.store
                .record_step(job, ProvisioningStep::EventDestinationSet)
                .await?;
        }
        if job.step < ProvisioningStep::ConfigurationSetAssociated {
            let resource = TenantResource::ConfigurationSet(configuration_set.clone());
            let associated = self.ses.associate(region, &tenant, &resource).await;
            ses("CreateTenantResourceAssociation", already_done(associated))?;
            self.store
                .record_step(job, ProvisioningStep::ConfigurationSetAssociated)
                .await?;
        }

        for domain in &job.domains {
            let identity = TenantResource::Identity(domain.name.clone());
            match domain.state {
                DomainState::Active => {}
                DomainState::Provisioning => {
                    let created = self.ses.create_identity(region, &domain.name).await;
                    ses("CreateEmailIdentity", already_done(created))?;
                    let associated = self.ses.associate(region, &tenant, &identity).await;
                    ses("CreateTenantResourceAssociation", already_done(associated))?;
                    self.store.mark_domain_active(domain.id).await?;
                }
                DomainState::Deleting => {
                    self.remove_identity(region, Some(&tenant), &identity)
                        .await?;
                    self.store.forget_domain(domain.id).await?;
                }
            }
        }
        Ok(JobOutcome::Ready {
            observed_status: fresh.then(|| reported_status(&tenant)).flatten(),
        })
    }

    /// The tenant in SES, created if needed, and whether SES was asked about it. When SES
    /// says the name exists but the tenant is tagged with another workspace, the tenant
    /// is renamed to the workspace's fallback name and this attempt ends; the next one
    /// starts with the new name.
    async fn ensure_tenant(&self, job: &TenantJob) -> Result<(SesTenant, bool), ReconcileError> {
        let region = &job.tenant.region;
        let name = &job.tenant.name;
        let workspace = job.tenant.workspace;
        if let (true, Some(arn)) = (job.step >= ProvisioningStep::TenantCreated, &job.tenant.arn) {
            let recorded = SesTenant {
                name: name.clone(),
                arn: arn.clone(),
                owner: Some(workspace),
                sending_status: AwsSendingStatus::Unknown("not read".to_owned()),
            };
            return Ok((recorded, false));
        }
        let tenant = match self.ses.create_tenant(region, name, workspace).await {
            Ok(tenant) => tenant,
            Err(SesError::AlreadyExists(_)) => {
                match ses("GetTenant", self.ses.get_tenant(region, name).await)? {
                    Some(existing) if existing.owner == Some(workspace) => existing,
                    Some(_) => {
                        self.store
                            .rename(job, &TenantName::fallback_for_workspace(workspace))
                            .await?;
                        return Err(ReconcileError::Ses {
                            operation: "CreateTenant",
                            source: SesError::AlreadyExists(format!(
                                "tenant {name} belongs to another workspace; renamed"
                            )),
                        });
                    }
                    None => {
                        return Err(ReconcileError::Ses {
                            operation: "CreateTenant",
                            source: SesError::NotFound(format!(
                                "tenant {name} vanished between create and get"
                            )),
                        });
                    }
                }
            }
            Err(error) => {
                return Err(ReconcileError::Ses {
                    operation: "CreateTenant",
                    source: error,
                });
            }
        };
        self.store.record_tenant_created(job, &tenant.arn).await?;
        Ok((tenant, true))
    }

    async fn tear_down(&self, job: &TenantJob) -> Result<JobOutcome, ReconcileError> {
        let region = &job.tenant.region;
        // Asked even when no ARN is recorded: a crash right after CreateTenant leaves a
        // tenant we never wrote down.
        let found = ses(
            "GetTenant",
            self.ses.get_tenant(region, &job.tenant.name).await,
        )?;
        let workspace = job.tenant.workspace;
        // A name held by another workspace's tenant means the configuration set of that
        // name is theirs too: ours was never created under it.
        let name_is_someone_elses = found
            .as_ref()
            .is_some_and(|tenant| tenant.owner != Some(workspace));
        let tenant = found.filter(|tenant| tenant.owner == Some(workspace));
        for domain in &job.domains {
            let identity = TenantResource::Identity(domain.name.clone());
            self.remove_identity(region, tenant.as_ref(), &identity)
                .await?;
            self.store.forget_domain(domain.id).await?;
        }
        let configuration_set = &job.tenant.configuration_set;
        if let Some(tenant) = &tenant {
            let resource = TenantResource::ConfigurationSet(configuration_set.clone());
            let removed = self.ses.disassociate(region, tenant, &resource).await;
            ses("DeleteTenantResourceAssociation", already_gone(removed))?;
        }
        if !name_is_someone_elses {
            let deleted = self
                .ses
                .delete_configuration_set(region, configuration_set)
                .await;
            ses("DeleteConfigurationSet", already_gone(deleted))?;
        }
        if tenant.is_some() {
            let deleted = self.ses.delete_tenant(region, &job.tenant.name).await;
            ses("DeleteTenant", already_gone(deleted))?;
        }
        Ok(JobOutcome::TornDown)
    }

    async fn remove_identity(
        &self,
        region: &Region,
        tenant: Option<&SesTenant>,
        identity: &TenantResource,
    ) -> Result<(), ReconcileError> {
        let TenantResource::Identity(domain) = identity else {
            return Ok(());
        };
        if let Some(tenant) = tenant {
            let removed = self.ses.disassociate(region, tenant, identity).await;
            ses("DeleteTenantResourceAssociation", already_gone(removed))?;
        }
        let deleted = self.ses.delete_identity(region, domain).await;
        ses("DeleteEmailIdentity", already_gone(deleted))
    }
}

/// The status SES reported for a tenant just created or found, `None` for one we only
/// know from our own records (the reputation refresh owns that status).
fn reported_status(tenant: &SesTenant) -> Option<SendingStatus> {
    let view = AwsTenantView {
        aggregate: tenant.sending_status.clone(),
        customer_managed: None,
        aws_managed: None,
        policy: None,
    };
    SendingStatus::from_aws(&view).ok()
}

fn ses<T>(operation: &'static str, result: Result<T, SesError>) -> Result<T, ReconcileError> {
    result.map_err(|source| ReconcileError::Ses { operation, source })
}
