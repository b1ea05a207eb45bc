//! [`ReputationSource`] on SES: the tenant's reputation entity, its open VDM
//! recommendations and its VDM sending metrics.

use anyhow::{Context as _, anyhow};
use aws_sdk_sesv2::types::{
    BatchGetMetricDataQuery, ListRecommendationsFilterKey, Metric, MetricDataResult,
    MetricDimensionName, MetricNamespace, RecommendationImpact as AwsImpact, RecommendationStatus,
    ReputationEntityType, StatusRecord as AwsStatusRecord,
};
use chrono::{DateTime, Utc};
use posthawk_domain::ports::{ReputationSource, SesError};
use posthawk_domain::{
    AwsTenantView, Recommendation, RecommendationImpact, Region, ReputationPolicy, SendingCounts,
    StatusRecord, TenantName,
};

use crate::SesAdapter;
use crate::convert::{aws_status, to_aws, to_chrono};
use crate::observe::SesCall as _;

/// The metric queries of [`ReputationSource::sending_counts`], by query id.
const SENDS: &str = "sends";
const PERMANENT_BOUNCES: &str = "permanent_bounces";
const COMPLAINTS: &str = "complaints";

#[async_trait::async_trait]
impl ReputationSource for SesAdapter {
    async fn tenant_view(
        &self,
        region: &Region,
        tenant_arn: &str,
    ) -> Result<AwsTenantView, SesError> {
        let output = self
            .client(region)
            .await?
            .get_reputation_entity()
            .reputation_entity_type(ReputationEntityType::Resource)
            .reputation_entity_reference(tenant_arn)
            .send()
            .observed("GetReputationEntity")
            .await?;
        let entity = output.reputation_entity().ok_or_else(|| {
            anyhow!("SES GetReputationEntity answered without an entity for {tenant_arn}")
        })?;
        Ok(AwsTenantView {
            aggregate: aws_status(entity.sending_status_aggregate()),
            customer_managed: entity.customer_managed_status().map(status_record),
            aws_managed: entity.aws_ses_managed_status().map(status_record),
            policy: entity
                .reputation_management_policy()
                .map(ReputationPolicy::from_arn),
        })
    }

    async fn open_recommendations(&self, region: &Region) -> Result<Vec<Recommendation>, SesError> {
        // One region-wide listing instead of one call per tenant: ListRecommendations is
        // limited to one call per second per account.
        let mut pages = self
            .client(region)
            .await?
            .list_recommendations()
            .filter(
                ListRecommendationsFilterKey::Status,
                RecommendationStatus::Open.as_str(),
            )
            .page_size(100)
            .into_paginator()
            .send();
        let mut open = Vec::new();
        while let Some(page) = pages.try_next().observed("ListRecommendations").await? {
            for recommendation in page.recommendations() {
                // The filter already asked for open ones; a stale page must not reopen one.
                if recommendation.status() != Some(&RecommendationStatus::Open) {
                    continue;
                }
                let Some(resource_arn) = recommendation.resource_arn() else {
                    continue;
                };
                let created_at = recommendation
                    .created_timestamp()
                    .ok_or_else(|| {
                        anyhow!("SES returned a recommendation without CreatedTimestamp")
                    })
                    .and_then(to_chrono)?;
                open.push(Recommendation {
                    resource_arn: resource_arn.to_owned(),
                    kind: recommendation
                        .r#type()
                        .map_or_else(String::new, |kind| kind.as_str().to_owned()),
                    impact: impact(recommendation.impact(), resource_arn),
                    description: recommendation.description().unwrap_or_default().to_owned(),
                    created_at,
                });
            }
        }
        Ok(open)
    }

    async fn sending_counts(
        &self,
        region: &Region,
        tenant: &TenantName,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<SendingCounts, SesError> {
        let query = |id: &str, metric: Metric| {
            BatchGetMetricDataQuery::builder()
                .id(id)
                .namespace(MetricNamespace::Vdm)
                .metric(metric)
                .dimensions(MetricDimensionName::TenantName, tenant.as_str())
                .start_date(to_aws(since))
                .end_date(to_aws(until))
                .build()
                .with_context(|| format!("building the {id} metric query"))
        };
        let output = self
            .client(region)
            .await?
            .batch_get_metric_data()
            .queries(query(SENDS, Metric::Send)?)
            .queries(query(PERMANENT_BOUNCES, Metric::PermanentBounce)?)
            .queries(query(COMPLAINTS, Metric::Complaint)?)
            .send()
            .observed("BatchGetMetricData")
            .await?;
        // A failed query would read as zero events, i.e. a clean reputation: refuse it.
        if !output.errors().is_empty() {
            let failures: Vec<String> = output
                .errors()
                .iter()
                .map(|error| {
                    format!(
                        "{}: {} {}",
                        error.id().unwrap_or("?"),
                        error.code().map_or("?", |code| code.as_str()),
                        error.message().unwrap_or_default()
                    )
                })
                .collect();
            return Err(SesError::Unexpected(anyhow!(
                "SES BatchGetMetricData failed for tenant {tenant}: {}",
                failures.join("; ")
            )));
        }
        let total = |id: &str| {
            output
                .results()
                .iter()
                .filter(|result| result.id() == Some(id))
                .flat_map(MetricDataResult::values)
                .map(|&value| u64::try_from(value).unwrap_or(0))
                .fold(0_u64, u64::saturating_add)
        };
        Ok(SendingCounts {
            sends: total(SENDS),
            permanent_bounces: total(PERMANENT_BOUNCES),
            complaints: total(COMPLAINTS),
        })
    }
}

fn status_record(record: &AwsStatusRecord) -> StatusRecord {
    StatusRecord {
        status: aws_status(record.status()),
        cause: record.cause().map(str::to_owned),
    }
}

/// HIGH or LOW; anything else is treated as LOW, the less alarming reading, and logged so
/// a new SES value gets noticed.
fn impact(impact: Option<&AwsImpact>, tenant_arn: &str) -> RecommendationImpact {
    match impact {
        Some(AwsImpact::High) => RecommendationImpact::High,
        Some(AwsImpact::Low) => RecommendationImpact::Low,
        other => {
            tracing::warn!(
                tenant_arn,
                impact = ?other.map(AwsImpact::as_str),
                "unknown recommendation impact, treated as LOW"
            );
            RecommendationImpact::Low
        }
    }
}
