//! Reputation tracking: refreshing each provisioned tenant's sending status and findings
//! from SES on a schedule, more often while something is going on.
//!
//! A pass claims a batch of due tenants from the store (shared by every replica), reads
//! each tenant's reputation entity and sending metrics, maps them with the domain's
//! rules, records the status (and its history) and the findings, and schedules the
//! tenant's next refresh. Recommendations are listed once per region and pass, not once
//! per tenant: SES allows one ListRecommendations call per second.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::StreamExt as _;

use crate::ports::{
    Clock, FindingStore, RefreshJob, RefreshStore, ReputationSource, SesError, StoreError,
    TenantStore,
};
use crate::use_cases::error_chain;
use crate::{Finding, RateRule, Recommendation, Region, SendingStatus};

/// Tracking settings.
#[derive(Debug, Clone)]
pub struct TrackingConfig {
    /// Between refreshes of a quiet tenant.
    pub quiet_interval: Duration,
    /// Between refreshes of a tenant with open findings or a recent status change.
    pub active_interval: Duration,
    /// How long after a status change a tenant counts as active.
    pub active_window: Duration,
    /// The metrics window the rate rule judges.
    pub metrics_window: Duration,
    /// When bounce and complaint rates become findings.
    pub rate_rule: RateRule,
    /// Tenants claimed per pass.
    pub batch_size: usize,
    /// Tenants refreshed at once within a pass (the SES adapter's rate limit still
    /// applies).
    pub concurrency: usize,
    /// How long a claimed tenant is held before another replica may refresh it.
    pub claim_lease: Duration,
    /// Delay before retrying a tenant whose refresh SES throttled.
    pub throttled_retry: Duration,
}

impl Default for TrackingConfig {
    fn default() -> Self {
        Self {
            quiet_interval: Duration::from_secs(15 * 60),
            active_interval: Duration::from_secs(2 * 60),
            active_window: Duration::from_secs(60 * 60),
            metrics_window: Duration::from_secs(24 * 60 * 60),
            rate_rule: RateRule::default(),
            batch_size: 100,
            concurrency: 8,
            claim_lease: Duration::from_secs(5 * 60),
            throttled_retry: Duration::from_secs(30),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Tenants refreshed.
    pub refreshed: u32,
    /// Of those, whose status changed.
    pub status_changes: u32,
    /// Tenants SES throttled; retried soon.
    pub throttled: u32,
    /// Tenants whose refresh failed otherwise; retried at the active interval.
    pub failed: u32,
}

/// Why one tenant's refresh failed.
#[derive(Debug, thiserror::Error)]
enum RefreshError {
    #[error("SES call {operation} failed")]
    Ses {
        operation: &'static str,
        #[source]
        source: SesError,
    },
    #[error("the tenant has no recorded ARN")]
    NoArn,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn ses<T>(operation: &'static str, result: Result<T, SesError>) -> Result<T, RefreshError> {
    result.map_err(|source| RefreshError::Ses { operation, source })
}

/// Keeps every provisioned tenant's status and findings up to date.
#[derive(Clone)]
pub struct ReputationTracker {
    tenants: Arc<dyn TenantStore>,
    schedule: Arc<dyn RefreshStore>,
    findings: Arc<dyn FindingStore>,
    ses: Arc<dyn ReputationSource>,
    clock: Arc<dyn Clock>,
    config: Arc<TrackingConfig>,
}

impl ReputationTracker {
    /// A tracker over the given stores and SES.
    #[must_use]
    pub fn new(
        tenants: Arc<dyn TenantStore>,
        schedule: Arc<dyn RefreshStore>,
        findings: Arc<dyn FindingStore>,
        ses: Arc<dyn ReputationSource>,
        clock: Arc<dyn Clock>,
        config: TrackingConfig,
    ) -> Self {
        Self {
            tenants,
            schedule,
            findings,
            ses,
            clock,
            config: Arc::new(config),
        }
    }

    /// Claims a batch of due tenants and refreshes them.
    ///
    /// # Errors
    /// [`StoreError`] when the schedule cannot be read; a single tenant's failure is
    /// counted in the report and retried later instead.
    pub async fn run_once(&self) -> Result<SweepReport, StoreError> {
        let now = self.clock.now();
        let jobs = self
            .schedule
            .claim_due_refreshes(now, self.config.batch_size, self.config.claim_lease)
            .await?;
        let mut report = SweepReport::default();
        if jobs.is_empty() {
            return Ok(report);
        }
        let recommendations = self.recommendations_by_tenant(&jobs).await;
        let recommendations = &recommendations;
        let outcomes: Vec<_> = futures::stream::iter(jobs)
            .map(|job| async move { self.refresh(&job, recommendations).await })
            .buffer_unordered(self.config.concurrency.max(1))
            .collect()
            .await;
        for outcome in outcomes {
            match outcome {
                Ok(changed) => {
                    report.refreshed += 1;
                    report.status_changes += u32::from(changed);
                }
                Err(Throttled) => report.throttled += 1,
                Err(Failed) => report.failed += 1,
            }
        }
        Ok(report)
    }

    /// The open recommendations of each region the jobs are in, by resource ARN. A
    /// region whose listing fails maps to `Err`: its tenants keep their findings this
    /// pass rather than losing them to a transient error.
    async fn recommendations_by_tenant(
        &self,
        jobs: &[RefreshJob],
    ) -> HashMap<Region, Result<HashMap<String, Vec<Recommendation>>, ()>> {
        let mut by_region = HashMap::new();
        for job in jobs {
            let region = &job.tenant.region;
            if by_region.contains_key(region) {
                continue;
            }
            let listed = match self.ses.open_recommendations(region).await {
                Ok(all) => {
                    let mut by_arn: HashMap<String, Vec<Recommendation>> = HashMap::new();
                    for recommendation in all {
                        by_arn
                            .entry(recommendation.resource_arn.clone())
                            .or_default()
                            .push(recommendation);
                    }
                    Ok(by_arn)
                }
                Err(error) => {
                    tracing::warn!(%region, error = ?error, "could not list recommendations");
                    Err(())
                }
            };
            by_region.insert(region.clone(), listed);
        }
        by_region
    }

    /// Refreshes one tenant and schedules its next refresh; `Ok(true)` when its status
    /// changed.
    async fn refresh(
        &self,
        job: &RefreshJob,
        recommendations: &HashMap<Region, Result<HashMap<String, Vec<Recommendation>>, ()>>,
    ) -> Result<bool, Outcome> {
        let tenant = &job.tenant;
        let now = self.clock.now();
        match self.refresh_tenant(job, recommendations, now).await {
            Ok((changed, active)) => {
                let interval = if active || changed {
                    self.config.active_interval
                } else {
                    self.config.quiet_interval
                };
                self.reschedule(job, now, interval, 0.1).await;
                Ok(changed)
            }
            Err(RefreshError::Ses {
                source: SesError::Throttled,
                ..
            }) => {
                self.reschedule(job, now, self.config.throttled_retry, 0.5)
                    .await;
                Err(Throttled)
            }
            Err(error) => {
                tracing::warn!(
                    tenant = %tenant.name,
                    region = %tenant.region,
                    error = %error_chain(&error),
                    "reputation refresh failed"
                );
                self.reschedule(job, now, self.config.active_interval, 0.1)
                    .await;
                Err(Failed)
            }
        }
    }

    /// The refresh itself: status, then findings. Returns whether the status changed and
    /// whether the tenant is active (open findings or a recent change).
    async fn refresh_tenant(
        &self,
        job: &RefreshJob,
        recommendations: &HashMap<Region, Result<HashMap<String, Vec<Recommendation>>, ()>>,
        now: DateTime<Utc>,
    ) -> Result<(bool, bool), RefreshError> {
        let tenant = &job.tenant;
        let arn = tenant.arn.as_deref().ok_or(RefreshError::NoArn)?;
        let view = ses(
            "GetReputationEntity",
            self.ses.tenant_view(&tenant.region, arn).await,
        )?;
        let status = SendingStatus::from_aws(&view).unwrap_or_else(|unknown| {
            tracing::warn!(
                tenant = %tenant.name,
                region = %tenant.region,
                aggregate = %unknown.0,
                kept = %tenant.sending_status,
                "SES reported a sending status this version does not know; keeping the last one"
            );
            tenant.sending_status
        });
        let change = self.tenants.record_status(tenant.id, status, now).await?;
        if let Some(change) = &change {
            tracing::info!(
                tenant = %tenant.name,
                region = %tenant.region,
                from = ?change.from,
                to = %change.to,
                "tenant sending status changed"
            );
        }

        let since =
            now - chrono::Duration::from_std(self.config.metrics_window).unwrap_or_default();
        let counts = ses(
            "BatchGetMetricData",
            self.ses
                .sending_counts(&tenant.region, &tenant.name, since, now)
                .await,
        )?;
        let open_findings = match recommendations.get(&tenant.region) {
            Some(Ok(by_arn)) => {
                let mut current: Vec<Finding> = by_arn
                    .get(arn)
                    .into_iter()
                    .flatten()
                    .cloned()
                    .map(Finding::from)
                    .collect();
                current.extend(self.config.rate_rule.evaluate(counts, now));
                let current = merge_by_type(current);
                self.findings
                    .sync_findings(tenant.id, &current, now)
                    .await?;
                !current.is_empty()
            }
            // Without this pass's recommendations the stored findings stay as they are.
            _ => !self.findings.open_findings(tenant.id).await?.is_empty(),
        };
        let recently_changed = job.last_change_at.is_some_and(|at| {
            now - at < chrono::Duration::from_std(self.config.active_window).unwrap_or_default()
        });
        Ok((change.is_some(), open_findings || recently_changed))
    }

    async fn reschedule(
        &self,
        job: &RefreshJob,
        now: DateTime<Utc>,
        interval: Duration,
        spread: f64,
    ) {
        // Spread refreshes so that tenants provisioned together do not stay in lockstep.
        let seed = u64::try_from(job.tenant.id.0).unwrap_or_default()
            ^ u64::from(now.timestamp_subsec_nanos()).rotate_left(29);
        let factor = 1.0 - spread + 2.0 * spread * crate::jitter::fraction(seed);
        let delay = chrono::Duration::from_std(interval.mul_f64(factor)).unwrap_or_default();
        if let Err(error) = self
            .schedule
            .schedule_refresh(job.tenant.id, now + delay)
            .await
        {
            // The claim lease expires on its own and the tenant comes due again.
            tracing::warn!(tenant = %job.tenant.name, error = ?error, "could not schedule the next refresh");
        }
    }
}

/// A refresh that did not complete, for the pass report.
#[derive(Debug)]
enum Outcome {
    Throttled,
    Failed,
}
use Outcome::{Failed, Throttled};

/// One finding per type: the most severe, and among equals the one with a measured rate.
fn merge_by_type(mut findings: Vec<Finding>) -> Vec<Finding> {
    findings.sort_by(|a, b| {
        a.finding_type
            .as_str()
            .cmp(b.finding_type.as_str())
            .then(b.severity.cmp(&a.severity))
            .then(b.rate.is_some().cmp(&a.rate.is_some()))
    });
    findings.dedup_by(|later, earlier| later.finding_type == earlier.finding_type);
    findings.sort_by_key(|finding| std::cmp::Reverse(finding.severity));
    findings
}
