//! Virtual Deliverability Manager: the account's VDM settings and the recommendations
//! ("findings") SES raises on tenants, which also set a tenant's reputation impact.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RegionState;
use crate::error::SesError;
use crate::pagination::{Page, PageRequest, RECOMMENDATION_PAGES, paginate};
use crate::shapes::{
    RecommendationImpact, RecommendationStatus, RecommendationType, VdmAttributes,
};

/// A VDM recommendation on a resource (here: always a tenant).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// The emulator's id, in creation order; SES shows none.
    pub id: u64,
    /// The ARN of the resource it is about.
    pub resource_arn: String,
    /// What kind of problem it is.
    #[serde(rename = "type")]
    pub recommendation_type: RecommendationType,
    /// How much it matters.
    pub impact: RecommendationImpact,
    /// SES's explanation.
    pub description: String,
    /// Open or fixed.
    pub status: RecommendationStatus,
    /// When it was raised.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub last_updated: DateTime<Utc>,
}

/// What `ListRecommendations` can filter on; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub(crate) struct RecommendationFilter {
    pub recommendation_type: Option<RecommendationType>,
    pub impact: Option<RecommendationImpact>,
    pub status: Option<RecommendationStatus>,
    pub resource_arn: Option<String>,
}

impl RegionState {
    /// `PutAccountVdmAttributes`: replaces the account's VDM settings.
    pub(crate) fn put_account_vdm_attributes(&mut self, attributes: VdmAttributes) {
        self.vdm_attributes = Some(attributes);
    }

    /// The account's VDM settings, `None` until they are put.
    pub(crate) fn account_vdm_attributes(&self) -> Option<&VdmAttributes> {
        self.vdm_attributes.as_ref()
    }

    /// `ListRecommendations`, oldest first.
    pub(crate) fn list_recommendations(
        &self,
        filter: &RecommendationFilter,
        page: &PageRequest,
    ) -> Result<Page<&Recommendation>, SesError> {
        let matching = self.recommendations.iter().filter(|recommendation| {
            filter
                .recommendation_type
                .is_none_or(|kind| recommendation.recommendation_type == kind)
                && filter
                    .impact
                    .is_none_or(|impact| recommendation.impact == impact)
                && filter
                    .status
                    .is_none_or(|status| recommendation.status == status)
                && filter
                    .resource_arn
                    .as_deref()
                    .is_none_or(|arn| recommendation.resource_arn == arn)
        });
        // Zero-padded, so that the string order of the keys is the id order.
        paginate(
            matching,
            |recommendation| format!("{:020}", recommendation.id),
            page,
            RECOMMENDATION_PAGES,
        )
    }

    /// Raises a recommendation on a tenant (control API). A tenant has at most one open
    /// recommendation of each type: raising it again updates its impact and description.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant, `BadRequestException` for an empty
    /// description.
    pub(crate) fn open_recommendation(
        &mut self,
        tenant_name: &str,
        recommendation_type: RecommendationType,
        impact: RecommendationImpact,
        description: &str,
    ) -> Result<&Recommendation, SesError> {
        if description.trim().is_empty() {
            return Err(SesError::BadRequest(
                "A recommendation needs a description.".into(),
            ));
        }
        let arn = self.tenant(tenant_name)?.arn.clone();
        let now = Utc::now();
        let index = match self.open_recommendation_index(&arn, recommendation_type) {
            Some(index) => {
                let open = &mut self.recommendations[index];
                open.impact = impact;
                open.description = description.to_owned();
                open.last_updated = now;
                index
            }
            None => {
                self.recommendations.push(Recommendation {
                    id: self.next_recommendation_id,
                    resource_arn: arn,
                    recommendation_type,
                    impact,
                    description: description.to_owned(),
                    status: RecommendationStatus::Open,
                    created_at: now,
                    last_updated: now,
                });
                self.next_recommendation_id += 1;
                self.recommendations.len() - 1
            }
        };
        Ok(&self.recommendations[index])
    }

    /// Marks a tenant's open recommendation of a type as fixed (control API).
    ///
    /// # Errors
    /// `NotFoundException` when the tenant does not exist or has no such open
    /// recommendation.
    pub(crate) fn fix_recommendation(
        &mut self,
        tenant_name: &str,
        recommendation_type: RecommendationType,
    ) -> Result<&Recommendation, SesError> {
        let arn = self.tenant(tenant_name)?.arn.clone();
        let index = self
            .open_recommendation_index(&arn, recommendation_type)
            .ok_or_else(|| {
                SesError::NotFound(format!(
                    "Tenant {tenant_name} has no open {recommendation_type} recommendation."
                ))
            })?;
        let fixed = &mut self.recommendations[index];
        fixed.status = RecommendationStatus::Fixed;
        fixed.last_updated = Utc::now();
        Ok(fixed)
    }

    /// The highest impact among the open recommendations on a resource.
    pub(super) fn reputation_impact(&self, resource_arn: &str) -> Option<RecommendationImpact> {
        self.recommendations
            .iter()
            .filter(|recommendation| {
                recommendation.status == RecommendationStatus::Open
                    && recommendation.resource_arn == resource_arn
            })
            .map(|recommendation| recommendation.impact)
            .max()
    }

    fn open_recommendation_index(
        &self,
        resource_arn: &str,
        recommendation_type: RecommendationType,
    ) -> Option<usize> {
        self.recommendations.iter().position(|recommendation| {
            recommendation.status == RecommendationStatus::Open
                && recommendation.resource_arn == resource_arn
                && recommendation.recommendation_type == recommendation_type
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region() -> RegionState {
        let mut region = RegionState::new("us-east-1", "123456789012", 10);
        region.create_tenant("ph-1", Vec::new(), None).unwrap();
        region
    }

    #[test]
    fn the_impact_is_the_highest_among_open_recommendations() {
        let mut region = region();
        let arn = region.tenant("ph-1").unwrap().arn.clone();
        assert_eq!(region.reputation_impact(&arn), None);

        region
            .open_recommendation(
                "ph-1",
                RecommendationType::Dmarc,
                RecommendationImpact::Low,
                "d",
            )
            .unwrap();
        region
            .open_recommendation(
                "ph-1",
                RecommendationType::Bounce,
                RecommendationImpact::High,
                "b",
            )
            .unwrap();
        assert_eq!(
            region.reputation_impact(&arn),
            Some(RecommendationImpact::High)
        );

        region
            .fix_recommendation("ph-1", RecommendationType::Bounce)
            .unwrap();
        assert_eq!(
            region.reputation_impact(&arn),
            Some(RecommendationImpact::Low)
        );
    }

    #[test]
    fn reopening_an_open_recommendation_updates_it() {
        let mut region = region();
        region
            .open_recommendation(
                "ph-1",
                RecommendationType::Bounce,
                RecommendationImpact::Low,
                "a",
            )
            .unwrap();
        let updated = region
            .open_recommendation(
                "ph-1",
                RecommendationType::Bounce,
                RecommendationImpact::High,
                "b",
            )
            .unwrap()
            .clone();

        assert_eq!(region.recommendations.len(), 1);
        assert_eq!(updated.impact, RecommendationImpact::High);
        assert_eq!(updated.description, "b");
    }

    #[test]
    fn fixing_what_is_not_open_is_not_found() {
        let mut region = region();
        let error = region
            .fix_recommendation("ph-1", RecommendationType::Spf)
            .unwrap_err();
        assert_eq!(error.error_type(), "NotFoundException");
    }
}
