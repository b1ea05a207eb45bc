//! Reputation entities: every tenant's sending status records (its own and SES's), its
//! reputation policy, and the rule that folds them into the status SES enforces.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::RegionState;
use super::tenants::Tenant;
use crate::error::SesError;
use crate::pagination::{Page, PageRequest, STANDARD_PAGES, paginate};
use crate::shapes::{RecommendationImpact, ReputationEntityType, SendingStatus};

/// One sending status record: who set it, to what, why and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRecord {
    /// The status this record asks for.
    pub status: SendingStatus,
    /// Why it was set, when whoever set it said so.
    pub cause: Option<String>,
    /// When it was last set.
    pub last_updated: DateTime<Utc>,
}

impl StatusRecord {
    fn enabled(at: DateTime<Utc>) -> Self {
        Self {
            status: SendingStatus::Enabled,
            cause: None,
            last_updated: at,
        }
    }
}

/// A tenant's reputation entity.
///
/// The aggregate is kept up to date by the only two ways a record changes, so it can be
/// read (and serialized) like any other field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reputation {
    policy: String,
    customer_managed: StatusRecord,
    aws_managed: StatusRecord,
    sending_status_aggregate: SendingStatus,
}

impl Reputation {
    /// A new entity: both records enabled, under `policy`.
    pub(super) fn new(policy: String, at: DateTime<Utc>) -> Self {
        Self {
            policy,
            customer_managed: StatusRecord::enabled(at),
            aws_managed: StatusRecord::enabled(at),
            sending_status_aggregate: SendingStatus::Enabled,
        }
    }

    /// The ARN of the reputation policy in force.
    pub fn policy(&self) -> &str {
        &self.policy
    }

    /// The status the account owner set (`UpdateReputationEntityCustomerManagedStatus`).
    pub fn customer_managed(&self) -> &StatusRecord {
        &self.customer_managed
    }

    /// The status SES set (through its policy or its Trust & Safety team).
    pub fn aws_managed(&self) -> &StatusRecord {
        &self.aws_managed
    }

    /// The status SES enforces: `DISABLED` when either record is, `REINSTATED` when SES
    /// reinstated the tenant, `ENABLED` otherwise.
    pub fn sending_status(&self) -> SendingStatus {
        self.sending_status_aggregate
    }

    fn set_customer_managed(&mut self, status: SendingStatus, at: DateTime<Utc>) {
        self.customer_managed = StatusRecord {
            status,
            cause: None,
            last_updated: at,
        };
        self.sending_status_aggregate = self.aggregate();
    }

    fn set_aws_managed(&mut self, status: SendingStatus, cause: Option<String>, at: DateTime<Utc>) {
        self.aws_managed = StatusRecord {
            status,
            cause,
            last_updated: at,
        };
        self.sending_status_aggregate = self.aggregate();
    }

    fn aggregate(&self) -> SendingStatus {
        let statuses = [self.customer_managed.status, self.aws_managed.status];
        if statuses.contains(&SendingStatus::Disabled) {
            SendingStatus::Disabled
        } else if self.aws_managed.status == SendingStatus::Reinstated {
            SendingStatus::Reinstated
        } else {
            SendingStatus::Enabled
        }
    }
}

/// A reputation entity as the Get and List operations show it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReputationEntity<'a> {
    pub tenant: &'a Tenant,
    /// The highest impact among the tenant's open recommendations.
    pub impact: Option<RecommendationImpact>,
}

/// What `ListReputationEntities` can filter on; `None` matches everything. (Its
/// `ENTITY_TYPE` filter has one possible value, `RESOURCE`, which every entity matches.)
#[derive(Debug, Clone, Default)]
pub(crate) struct ReputationEntityFilter {
    pub impact: Option<RecommendationImpact>,
    pub sending_status: Option<SendingStatus>,
    pub reference_prefix: Option<String>,
}

impl RegionState {
    /// `GetReputationEntity`.
    ///
    /// # Errors
    /// `BadRequestException` for an unknown entity type, `NotFoundException` when the
    /// reference is not the ARN of a tenant of this region.
    pub(crate) fn reputation_entity(
        &self,
        entity_type: &str,
        reference: &str,
    ) -> Result<ReputationEntity<'_>, SesError> {
        let tenant = self.entity_tenant(entity_type, reference)?;
        Ok(self.entity_of(tenant))
    }

    /// `ListReputationEntities`, ordered by reference.
    pub(crate) fn list_reputation_entities(
        &self,
        filter: &ReputationEntityFilter,
        page: &PageRequest,
    ) -> Result<Page<ReputationEntity<'_>>, SesError> {
        // Every entity is a tenant's, and the map is ordered by name, not by ARN.
        let mut entities: Vec<ReputationEntity<'_>> = self
            .tenants
            .values()
            .map(|tenant| self.entity_of(tenant))
            .filter(|entity| {
                filter
                    .impact
                    .is_none_or(|impact| entity.impact == Some(impact))
                    && filter
                        .sending_status
                        .is_none_or(|status| entity.tenant.reputation.sending_status() == status)
                    && filter
                        .reference_prefix
                        .as_deref()
                        .is_none_or(|prefix| entity.tenant.arn.starts_with(prefix))
            })
            .collect();
        entities.sort_by(|a, b| a.tenant.arn.cmp(&b.tenant.arn));
        paginate(
            entities,
            |entity| entity.tenant.arn.clone(),
            page,
            STANDARD_PAGES,
        )
    }

    /// `UpdateReputationEntityCustomerManagedStatus`: the account owner pauses or resumes a
    /// tenant.
    ///
    /// # Errors
    /// `BadRequestException` for an unknown entity type or reference: the operation has no
    /// `NotFoundException` in the SES model.
    pub(crate) fn update_customer_managed_status(
        &mut self,
        entity_type: &str,
        reference: &str,
        status: SendingStatus,
    ) -> Result<(), SesError> {
        let tenant = self.entity_tenant_mut(entity_type, reference)?;
        tenant.reputation.set_customer_managed(status, Utc::now());
        Ok(())
    }

    /// `UpdateReputationEntityPolicy`.
    ///
    /// # Errors
    /// `BadRequestException` for an unknown entity or a policy ARN that is not one of the
    /// region's (`none`, `standard`, `strict`).
    pub(crate) fn update_reputation_policy(
        &mut self,
        entity_type: &str,
        reference: &str,
        policy: &str,
    ) -> Result<(), SesError> {
        if !self.scope.is_reputation_policy(policy) {
            return Err(SesError::BadRequest(format!(
                "Invalid reputation policy: {policy}. Use {}.",
                self.scope.reputation_policy_arn("(none|standard|strict)")
            )));
        }
        let tenant = self.entity_tenant_mut(entity_type, reference)?;
        tenant.reputation.policy = policy.to_owned();
        Ok(())
    }

    /// Sets the status SES itself keeps for a tenant (control API): what SES does when its
    /// policy or its Trust & Safety team pauses or reinstates a tenant.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant.
    pub(crate) fn set_aws_managed_status(
        &mut self,
        tenant_name: &str,
        status: SendingStatus,
        cause: Option<String>,
    ) -> Result<&Tenant, SesError> {
        if let Some(cause) = &cause {
            // StatusCause is 1-512 characters in the SES model.
            if cause.is_empty() || cause.chars().count() > 512 {
                return Err(SesError::BadRequest(
                    "A cause must be 1-512 characters.".into(),
                ));
            }
        }
        let tenant = self.tenant_mut(tenant_name)?;
        tenant.reputation.set_aws_managed(status, cause, Utc::now());
        Ok(tenant)
    }

    fn entity_of<'a>(&'a self, tenant: &'a Tenant) -> ReputationEntity<'a> {
        ReputationEntity {
            tenant,
            impact: self.reputation_impact(&tenant.arn),
        }
    }

    fn entity_tenant(&self, entity_type: &str, reference: &str) -> Result<&Tenant, SesError> {
        let name = self.entity_tenant_name(entity_type, reference)?;
        self.tenants
            .get(name)
            .filter(|tenant| tenant.arn == reference)
            .ok_or_else(|| {
                SesError::NotFound(format!("Reputation entity {reference} does not exist."))
            })
    }

    fn entity_tenant_mut(
        &mut self,
        entity_type: &str,
        reference: &str,
    ) -> Result<&mut Tenant, SesError> {
        let name = self.entity_tenant_name(entity_type, reference)?.to_owned();
        self.tenants
            .get_mut(&name)
            .filter(|tenant| tenant.arn == reference)
            .ok_or_else(|| {
                SesError::BadRequest(format!("Reputation entity {reference} does not exist."))
            })
    }

    /// The tenant name inside a reputation entity reference (a tenant ARN).
    fn entity_tenant_name<'a>(
        &self,
        entity_type: &str,
        reference: &'a str,
    ) -> Result<&'a str, SesError> {
        crate::shapes::parse_enum::<ReputationEntityType>(entity_type, "ReputationEntityType")?;
        let (name, _id) = self.scope.parse_tenant(reference).ok_or_else(|| {
            SesError::BadRequest(format!(
                "Invalid reputation entity reference: {reference}. Use a tenant ARN."
            ))
        })?;
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reputation() -> Reputation {
        Reputation::new("policy".into(), Utc::now())
    }

    #[test]
    fn a_new_entity_is_enabled() {
        assert_eq!(reputation().sending_status(), SendingStatus::Enabled);
    }

    #[test]
    fn either_record_disabled_disables_the_aggregate() {
        let mut by_customer = reputation();
        by_customer.set_customer_managed(SendingStatus::Disabled, Utc::now());
        assert_eq!(by_customer.sending_status(), SendingStatus::Disabled);

        let mut by_ses = reputation();
        by_ses.set_aws_managed(SendingStatus::Disabled, Some("review".into()), Utc::now());
        assert_eq!(by_ses.sending_status(), SendingStatus::Disabled);
    }

    #[test]
    fn ses_reinstating_gives_reinstated_unless_the_customer_paused() {
        let mut entity = reputation();
        entity.set_aws_managed(SendingStatus::Reinstated, None, Utc::now());
        assert_eq!(entity.sending_status(), SendingStatus::Reinstated);

        entity.set_customer_managed(SendingStatus::Disabled, Utc::now());
        assert_eq!(entity.sending_status(), SendingStatus::Disabled);
    }

    #[test]
    fn a_customer_reinstatement_alone_is_just_enabled() {
        let mut entity = reputation();
        entity.set_customer_managed(SendingStatus::Reinstated, Utc::now());
        assert_eq!(entity.sending_status(), SendingStatus::Enabled);
    }
}
