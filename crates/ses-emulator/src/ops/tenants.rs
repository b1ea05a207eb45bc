//! Tenant operations: create, get, list, delete, resource associations and tenant
//! suppression settings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Tenant, TenantFilter};
use crate::pagination::PageRequest;
use crate::protocol::{Empty, EpochSeconds, Input, Region, Reply};
use crate::shapes::{
    ResourceType, SendingStatus, SuppressionListReason, SuppressionListScope, Tag,
    TenantSuppressionAttributes, parse_enum,
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct CreateTenantRequest {
    tenant_name: String,
    #[serde(default)]
    tags: Vec<Tag>,
    suppression_attributes: Option<TenantSuppressionAttributes>,
}

/// The `Tenant` shape, which is also `CreateTenant`'s whole output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TenantOutput {
    tenant_name: String,
    tenant_id: String,
    tenant_arn: String,
    created_timestamp: EpochSeconds,
    tags: Vec<Tag>,
    sending_status: SendingStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppression_attributes: Option<TenantSuppressionAttributes>,
}

impl From<&Tenant> for TenantOutput {
    fn from(tenant: &Tenant) -> Self {
        Self {
            tenant_name: tenant.name.clone(),
            tenant_id: tenant.id.clone(),
            tenant_arn: tenant.arn.clone(),
            created_timestamp: tenant.created_at.into(),
            tags: tenant.tags.clone(),
            sending_status: tenant.sending_status(),
            suppression_attributes: tenant.suppression_attributes.clone(),
        }
    }
}

pub(crate) async fn create_tenant(
    region: Region,
    Input(request): Input<CreateTenantRequest>,
) -> Reply<TenantOutput> {
    region.run(|ses| {
        ses.create_tenant(
            &request.tenant_name,
            request.tags,
            request.suppression_attributes,
        )
        .map(TenantOutput::from)
    })
}

/// The input of `GetTenant` and `DeleteTenant`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct TenantNameRequest {
    tenant_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct GetTenantResponse {
    tenant: TenantOutput,
}

pub(crate) async fn get_tenant(
    region: Region,
    Input(request): Input<TenantNameRequest>,
) -> Reply<GetTenantResponse> {
    region.run(|ses| {
        ses.tenant(&request.tenant_name)
            .map(|tenant| GetTenantResponse {
                tenant: tenant.into(),
            })
    })
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum ListTenantsFilterKey {
    TenantNameContains,
    SendingStatus,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListTenantsRequest {
    #[serde(default)]
    filter: BTreeMap<ListTenantsFilterKey, String>,
    #[serde(flatten)]
    page: PageRequest,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListTenantsResponse {
    tenants: Vec<TenantInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct TenantInfo {
    tenant_name: String,
    tenant_id: String,
    tenant_arn: String,
    created_timestamp: EpochSeconds,
    sending_status: SendingStatus,
}

impl From<&Tenant> for TenantInfo {
    fn from(tenant: &Tenant) -> Self {
        Self {
            tenant_name: tenant.name.clone(),
            tenant_id: tenant.id.clone(),
            tenant_arn: tenant.arn.clone(),
            created_timestamp: tenant.created_at.into(),
            sending_status: tenant.sending_status(),
        }
    }
}

pub(crate) async fn list_tenants(
    region: Region,
    Input(request): Input<ListTenantsRequest>,
) -> Reply<ListTenantsResponse> {
    let mut filter = TenantFilter::default();
    for (key, value) in request.filter {
        match key {
            ListTenantsFilterKey::TenantNameContains => filter.name_contains = Some(value),
            ListTenantsFilterKey::SendingStatus => {
                filter.sending_status = Some(parse_enum(&value, "Filter.SENDING_STATUS")?);
            }
        }
    }
    region.run(|ses| {
        let page = ses
            .list_tenants(&filter, &request.page)?
            .map(TenantInfo::from);
        Ok(ListTenantsResponse {
            tenants: page.items,
            next_token: page.next_token,
        })
    })
}

pub(crate) async fn delete_tenant(
    region: Region,
    Input(request): Input<TenantNameRequest>,
) -> Reply<Empty> {
    region.run(|ses| ses.delete_tenant(&request.tenant_name).map(|()| Empty {}))
}

/// The input of both association operations.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AssociationRequest {
    tenant_name: String,
    resource_arn: String,
}

pub(crate) async fn create_tenant_resource_association(
    region: Region,
    Input(request): Input<AssociationRequest>,
) -> Reply<Empty> {
    region.run(|ses| {
        ses.associate_resource(&request.tenant_name, &request.resource_arn)
            .map(|()| Empty {})
    })
}

pub(crate) async fn delete_tenant_resource_association(
    region: Region,
    Input(request): Input<AssociationRequest>,
) -> Reply<Empty> {
    region.run(|ses| {
        ses.disassociate_resource(&request.tenant_name, &request.resource_arn)
            .map(|()| Empty {})
    })
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum ListTenantResourcesFilterKey {
    ResourceType,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListTenantResourcesRequest {
    tenant_name: String,
    #[serde(default)]
    filter: BTreeMap<ListTenantResourcesFilterKey, String>,
    #[serde(flatten)]
    page: PageRequest,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListTenantResourcesResponse {
    tenant_resources: Vec<TenantResourceOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct TenantResourceOutput {
    resource_type: ResourceType,
    resource_arn: String,
}

pub(crate) async fn list_tenant_resources(
    region: Region,
    Input(request): Input<ListTenantResourcesRequest>,
) -> Reply<ListTenantResourcesResponse> {
    let resource_type: Option<ResourceType> = request
        .filter
        .get(&ListTenantResourcesFilterKey::ResourceType)
        .map(|value| parse_enum(value, "Filter.RESOURCE_TYPE"))
        .transpose()?;
    region.run(|ses| {
        let page = ses
            .tenant_resources(&request.tenant_name, resource_type, &request.page)?
            .map(|resource| TenantResourceOutput {
                resource_type: resource.resource_type,
                resource_arn: resource.resource_arn.clone(),
            });
        Ok(ListTenantResourcesResponse {
            tenant_resources: page.items,
            next_token: page.next_token,
        })
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListResourceTenantsRequest {
    resource_arn: String,
    #[serde(flatten)]
    page: PageRequest,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListResourceTenantsResponse {
    resource_tenants: Vec<ResourceTenantMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ResourceTenantMetadata {
    tenant_name: String,
    tenant_id: String,
    resource_arn: String,
    associated_timestamp: EpochSeconds,
}

pub(crate) async fn list_resource_tenants(
    region: Region,
    Input(request): Input<ListResourceTenantsRequest>,
) -> Reply<ListResourceTenantsResponse> {
    region.run(|ses| {
        let page = ses
            .resource_tenants(&request.resource_arn, &request.page)?
            .map(|(tenant, resource)| ResourceTenantMetadata {
                tenant_name: tenant.name.clone(),
                tenant_id: tenant.id.clone(),
                resource_arn: resource.resource_arn.clone(),
                associated_timestamp: resource.associated_at.into(),
            });
        Ok(ListResourceTenantsResponse {
            resource_tenants: page.items,
            next_token: page.next_token,
        })
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct PutTenantSuppressionAttributesRequest {
    tenant_name: String,
    suppressed_reasons: Option<Vec<SuppressionListReason>>,
    suppression_scope: Option<SuppressionListScope>,
}

pub(crate) async fn put_tenant_suppression_attributes(
    region: Region,
    Input(request): Input<PutTenantSuppressionAttributesRequest>,
) -> Reply<Empty> {
    let attributes = TenantSuppressionAttributes {
        suppressed_reasons: request.suppressed_reasons,
        suppression_scope: request.suppression_scope,
    };
    region.run(|ses| {
        ses.put_tenant_suppression_attributes(&request.tenant_name, attributes)
            .map(|()| Empty {})
    })
}
