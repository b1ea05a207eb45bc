//! VDM operations: `ListRecommendations` and `BatchGetMetricData`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::SesError;
use crate::model::{MetricQuery, Recommendation, RecommendationFilter};
use crate::pagination::PageRequest;
use crate::protocol::{EpochSeconds, Input, Region, Reply};
use crate::shapes::{
    Metric, MetricDimensionName, MetricNamespace, RecommendationImpact, RecommendationStatus,
    RecommendationType, parse_enum,
};

/// `BatchGetMetricData` takes 1-10 queries.
const MAX_QUERIES: usize = 10;
/// A query id is 1-255 characters.
const MAX_QUERY_ID: usize = 255;
/// A query filters on 1-3 dimensions.
const MAX_DIMENSIONS: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum RecommendationFilterKey {
    Type,
    Impact,
    Status,
    ResourceArn,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListRecommendationsRequest {
    #[serde(default)]
    filter: BTreeMap<RecommendationFilterKey, String>,
    #[serde(flatten)]
    page: PageRequest,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListRecommendationsResponse {
    recommendations: Vec<RecommendationOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// The `Recommendation` shape.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct RecommendationOutput {
    resource_arn: String,
    #[serde(rename = "Type")]
    recommendation_type: RecommendationType,
    description: String,
    status: RecommendationStatus,
    impact: RecommendationImpact,
    created_timestamp: EpochSeconds,
    last_updated_timestamp: EpochSeconds,
}

impl From<&Recommendation> for RecommendationOutput {
    fn from(recommendation: &Recommendation) -> Self {
        Self {
            resource_arn: recommendation.resource_arn.clone(),
            recommendation_type: recommendation.recommendation_type,
            description: recommendation.description.clone(),
            status: recommendation.status,
            impact: recommendation.impact,
            created_timestamp: recommendation.created_at.into(),
            last_updated_timestamp: recommendation.last_updated.into(),
        }
    }
}

/// Reads the filter map: one key alone, or `STATUS` together with `IMPACT` or `TYPE`.
fn recommendation_filter(
    filter: BTreeMap<RecommendationFilterKey, String>,
) -> Result<RecommendationFilter, SesError> {
    use RecommendationFilterKey::{Impact, ResourceArn, Status, Type};

    let keys: Vec<RecommendationFilterKey> = filter.keys().copied().collect();
    let allowed = matches!(keys[..], [] | [_] | [Type, Status] | [Impact, Status]);
    if !allowed {
        return Err(SesError::BadRequest(
            "Filter by one key, or by STATUS together with IMPACT or TYPE.".into(),
        ));
    }
    let mut parsed = RecommendationFilter::default();
    for (key, value) in filter {
        match key {
            Type => parsed.recommendation_type = Some(parse_enum(&value, "Filter.TYPE")?),
            Impact => parsed.impact = Some(parse_enum(&value, "Filter.IMPACT")?),
            Status => parsed.status = Some(parse_enum(&value, "Filter.STATUS")?),
            ResourceArn => parsed.resource_arn = Some(value),
        }
    }
    Ok(parsed)
}

pub(crate) async fn list_recommendations(
    region: Region,
    Input(request): Input<ListRecommendationsRequest>,
) -> Reply<ListRecommendationsResponse> {
    let filter = recommendation_filter(request.filter)?;
    region.run(|ses| {
        let page = ses
            .list_recommendations(&filter, &request.page)?
            .map(RecommendationOutput::from);
        Ok(ListRecommendationsResponse {
            recommendations: page.items,
            next_token: page.next_token,
        })
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchGetMetricDataRequest {
    queries: Vec<MetricDataQuery>,
}

/// The `BatchGetMetricDataQuery` shape.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDataQuery {
    id: String,
    // Only `VDM` exists; deserializing it is the whole check.
    #[expect(dead_code, reason = "validated by deserialization, never read")]
    namespace: MetricNamespace,
    metric: Metric,
    dimensions: Option<BTreeMap<MetricDimensionName, String>>,
    start_date: EpochSeconds,
    end_date: EpochSeconds,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BatchGetMetricDataResponse {
    results: Vec<MetricDataResult>,
    // Per-query errors are only INTERNAL_FAILURE or ACCESS_DENIED, which never happen
    // here; the list is always empty.
    errors: Vec<serde_json::Value>,
}

/// The `MetricDataResult` shape: one value per UTC day of the query's window.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDataResult {
    id: String,
    timestamps: Vec<EpochSeconds>,
    values: Vec<u64>,
}

impl MetricDataQuery {
    fn check(&self) -> Result<(), SesError> {
        if !(1..=MAX_QUERY_ID).contains(&self.id.chars().count()) {
            return Err(SesError::BadRequest(format!(
                "A query Id must be 1-{MAX_QUERY_ID} characters."
            )));
        }
        if self
            .dimensions
            .as_ref()
            .is_some_and(|dimensions| !(1..=MAX_DIMENSIONS).contains(&dimensions.len()))
        {
            return Err(SesError::BadRequest(format!(
                "A query's Dimensions must have 1-{MAX_DIMENSIONS} entries."
            )));
        }
        Ok(())
    }
}

pub(crate) async fn batch_get_metric_data(
    region: Region,
    Input(request): Input<BatchGetMetricDataRequest>,
) -> Reply<BatchGetMetricDataResponse> {
    if !(1..=MAX_QUERIES).contains(&request.queries.len()) {
        return Err(SesError::BadRequest(format!(
            "Queries must have 1-{MAX_QUERIES} entries."
        )));
    }
    for query in &request.queries {
        query.check()?;
    }
    region.run(|ses| {
        let results = request
            .queries
            .into_iter()
            .map(|query| {
                let points = ses.metric_data(&MetricQuery {
                    metric: query.metric,
                    dimensions: query.dimensions.unwrap_or_default(),
                    start: query.start_date.0,
                    end: query.end_date.0,
                })?;
                let (timestamps, values) = points
                    .into_iter()
                    .map(|(day, value)| (EpochSeconds(day), value))
                    .unzip();
                Ok(MetricDataResult {
                    id: query.id,
                    timestamps,
                    values,
                })
            })
            .collect::<Result<Vec<_>, SesError>>()?;
        Ok(BatchGetMetricDataResponse {
            results,
            errors: Vec::new(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(
        entries: &[(RecommendationFilterKey, &str)],
    ) -> Result<RecommendationFilter, SesError> {
        recommendation_filter(
            entries
                .iter()
                .map(|(key, value)| (*key, (*value).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn recommendation_filters_combine_only_status_with_impact_or_type() {
        use RecommendationFilterKey::{Impact, ResourceArn, Status, Type};

        assert!(filter(&[(ResourceArn, "arn")]).is_ok());
        assert!(filter(&[(Status, "OPEN"), (Impact, "HIGH")]).is_ok());
        assert!(filter(&[(Status, "OPEN"), (Type, "BOUNCE")]).is_ok());
        assert!(filter(&[(Status, "OPEN"), (ResourceArn, "arn")]).is_err());
        assert!(filter(&[(Type, "BOUNCE"), (Impact, "HIGH")]).is_err());
        assert!(filter(&[(Status, "CLOSED")]).is_err());
    }
}
