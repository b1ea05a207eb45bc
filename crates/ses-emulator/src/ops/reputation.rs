//! Reputation entity operations: get, list, and the customer-managed status and policy
//! updates. The entity reference in the path is a percent-encoded tenant ARN.

use std::collections::BTreeMap;

use actix_web::web::Path;
use serde::{Deserialize, Serialize};

use crate::model::{ReputationEntity, ReputationEntityFilter, StatusRecord};
use crate::pagination::PageRequest;
use crate::protocol::{Empty, EpochSeconds, Input, Region, Reply};
use crate::shapes::{RecommendationImpact, ReputationEntityType, SendingStatus, parse_enum};

/// The `ReputationEntity` shape.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ReputationEntityOutput {
    reputation_entity_reference: String,
    reputation_entity_type: ReputationEntityType,
    reputation_management_policy: String,
    customer_managed_status: StatusRecordOutput,
    aws_ses_managed_status: StatusRecordOutput,
    sending_status_aggregate: SendingStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    reputation_impact: Option<RecommendationImpact>,
}

impl From<ReputationEntity<'_>> for ReputationEntityOutput {
    fn from(entity: ReputationEntity<'_>) -> Self {
        let reputation = &entity.tenant.reputation;
        Self {
            reputation_entity_reference: entity.tenant.arn.clone(),
            reputation_entity_type: ReputationEntityType::Resource,
            reputation_management_policy: reputation.policy().to_owned(),
            customer_managed_status: reputation.customer_managed().into(),
            aws_ses_managed_status: reputation.aws_managed().into(),
            sending_status_aggregate: reputation.sending_status(),
            reputation_impact: entity.impact,
        }
    }
}

/// The `StatusRecord` shape.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct StatusRecordOutput {
    status: SendingStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    cause: Option<String>,
    last_updated_timestamp: EpochSeconds,
}

impl From<&StatusRecord> for StatusRecordOutput {
    fn from(record: &StatusRecord) -> Self {
        Self {
            status: record.status,
            cause: record.cause.clone(),
            last_updated_timestamp: record.last_updated.into(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetReputationEntityResponse {
    reputation_entity: ReputationEntityOutput,
}

pub(crate) async fn get_reputation_entity(
    region: Region,
    path: Path<(String, String)>,
) -> Reply<GetReputationEntityResponse> {
    let (entity_type, reference) = path.into_inner();
    region.run(|ses| {
        let entity = ses.reputation_entity(&entity_type, &reference)?;
        Ok(GetReputationEntityResponse {
            reputation_entity: entity.into(),
        })
    })
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum ReputationEntityFilterKey {
    EntityType,
    ReputationImpact,
    SendingStatus,
    EntityReferencePrefix,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListReputationEntitiesRequest {
    #[serde(default)]
    filter: BTreeMap<ReputationEntityFilterKey, String>,
    #[serde(flatten)]
    page: PageRequest,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListReputationEntitiesResponse {
    reputation_entities: Vec<ReputationEntityOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(crate) async fn list_reputation_entities(
    region: Region,
    Input(request): Input<ListReputationEntitiesRequest>,
) -> Reply<ListReputationEntitiesResponse> {
    let mut filter = ReputationEntityFilter::default();
    for (key, value) in request.filter {
        match key {
            ReputationEntityFilterKey::EntityType => {
                // Every entity is a RESOURCE, so the filter only needs to be valid.
                parse_enum::<ReputationEntityType>(&value, "Filter.ENTITY_TYPE")?;
            }
            ReputationEntityFilterKey::ReputationImpact => {
                filter.impact = Some(parse_enum(&value, "Filter.REPUTATION_IMPACT")?);
            }
            ReputationEntityFilterKey::SendingStatus => {
                filter.sending_status = Some(parse_enum(&value, "Filter.SENDING_STATUS")?);
            }
            ReputationEntityFilterKey::EntityReferencePrefix => {
                filter.reference_prefix = Some(value);
            }
        }
    }
    region.run(|ses| {
        let page = ses
            .list_reputation_entities(&filter, &request.page)?
            .map(ReputationEntityOutput::from);
        Ok(ListReputationEntitiesResponse {
            reputation_entities: page.items,
            next_token: page.next_token,
        })
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UpdateCustomerManagedStatusRequest {
    sending_status: SendingStatus,
}

pub(crate) async fn update_customer_managed_status(
    region: Region,
    path: Path<(String, String)>,
    Input(request): Input<UpdateCustomerManagedStatusRequest>,
) -> Reply<Empty> {
    let (entity_type, reference) = path.into_inner();
    region.run(|ses| {
        ses.update_customer_managed_status(&entity_type, &reference, request.sending_status)
            .map(|()| Empty {})
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UpdatePolicyRequest {
    reputation_entity_policy: String,
}

pub(crate) async fn update_reputation_entity_policy(
    region: Region,
    path: Path<(String, String)>,
    Input(request): Input<UpdatePolicyRequest>,
) -> Reply<Empty> {
    let (entity_type, reference) = path.into_inner();
    region.run(|ses| {
        ses.update_reputation_policy(&entity_type, &reference, &request.reputation_entity_policy)
            .map(|()| Empty {})
    })
}
