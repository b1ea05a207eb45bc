//! Tenants and their resource associations: creation under the regional quota, lookup,
//! listing, deletion (which drops associations, never the resources), and the rule that
//! an associated resource cannot be deleted.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::reputation::Reputation;
use super::{RegionState, rules};
use crate::error::SesError;
use crate::pagination::{Page, PageRequest, STANDARD_PAGES, paginate};
use crate::shapes::{ResourceType, SendingStatus, Tag, TenantSuppressionAttributes};

/// An SES tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tenant {
    /// The name, unique in the region.
    pub name: String,
    /// The id SES generated, part of the ARN.
    pub id: String,
    /// `arn:aws:ses:{region}:{account}:tenant/{name}/{id}`
    pub arn: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// Its own suppression settings, if any were put.
    pub suppression_attributes: Option<TenantSuppressionAttributes>,
    /// Its reputation entity: policy, status records and the aggregate status.
    pub reputation: Reputation,
    /// The resources associated with it, by ARN.
    pub resources: BTreeMap<String, TenantResource>,
}

impl Tenant {
    /// The status SES enforces for the tenant, the aggregate of its reputation entity.
    pub fn sending_status(&self) -> SendingStatus {
        self.reputation.sending_status()
    }

    /// Whether the resource with this ARN is associated with the tenant.
    pub fn has_resource(&self, arn: &str) -> bool {
        self.resources.contains_key(arn)
    }
}

/// A resource associated with a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenantResource {
    /// What kind of resource it is.
    pub resource_type: ResourceType,
    /// Its ARN.
    pub resource_arn: String,
    /// When the association was made.
    pub associated_at: DateTime<Utc>,
}

/// What `ListTenants` can filter on; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub(crate) struct TenantFilter {
    pub name_contains: Option<String>,
    pub sending_status: Option<SendingStatus>,
}

impl RegionState {
    /// `CreateTenant`: a new tenant with the standard reputation policy, enabled.
    ///
    /// # Errors
    /// `BadRequestException` for a bad name or tags, `AlreadyExistsException` when the name
    /// is taken, `LimitExceededException` when the region's quota is used up.
    pub(crate) fn create_tenant(
        &mut self,
        name: &str,
        tags: Vec<Tag>,
        suppression_attributes: Option<TenantSuppressionAttributes>,
    ) -> Result<&Tenant, SesError> {
        rules::resource_name("TenantName", name)?;
        rules::tags(&tags)?;
        if self.tenants.contains_key(name) {
            return Err(SesError::AlreadyExists(format!(
                "Tenant {name} already exists."
            )));
        }
        if self.tenants.len() >= self.tenant_quota {
            return Err(SesError::LimitExceeded(format!(
                "The maximum number of tenants ({}) in {} has been reached.",
                self.tenant_quota,
                self.region()
            )));
        }
        let id = format!("tn-{}", uuid::Uuid::new_v4().simple());
        let now = Utc::now();
        let tenant = Tenant {
            arn: self.scope.tenant_arn(name, &id),
            name: name.to_owned(),
            id,
            created_at: now,
            tags,
            suppression_attributes,
            reputation: Reputation::new(self.scope.reputation_policy_arn("standard"), now),
            resources: BTreeMap::new(),
        };
        Ok(self.tenants.entry(name.to_owned()).or_insert(tenant))
    }

    /// `GetTenant`.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant.
    pub(crate) fn tenant(&self, name: &str) -> Result<&Tenant, SesError> {
        self.tenants.get(name).ok_or_else(|| tenant_not_found(name))
    }

    pub(super) fn tenant_mut(&mut self, name: &str) -> Result<&mut Tenant, SesError> {
        self.tenants
            .get_mut(name)
            .ok_or_else(|| tenant_not_found(name))
    }

    /// `ListTenants`, ordered by name.
    pub(crate) fn list_tenants(
        &self,
        filter: &TenantFilter,
        page: &PageRequest,
    ) -> Result<Page<&Tenant>, SesError> {
        let matching = self.tenants.values().filter(|tenant| {
            filter
                .name_contains
                .as_deref()
                .is_none_or(|part| tenant.name.contains(part))
                && filter
                    .sending_status
                    .is_none_or(|status| tenant.sending_status() == status)
        });
        paginate(
            matching,
            |tenant| tenant.name.as_str(),
            page,
            STANDARD_PAGES,
        )
    }

    /// `DeleteTenant`: removes the tenant, its associations and its recommendations; the
    /// associated resources themselves stay.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant.
    pub(crate) fn delete_tenant(&mut self, name: &str) -> Result<(), SesError> {
        let tenant = self
            .tenants
            .remove(name)
            .ok_or_else(|| tenant_not_found(name))?;
        self.recommendations
            .retain(|recommendation| recommendation.resource_arn != tenant.arn);
        Ok(())
    }

    /// `CreateTenantResourceAssociation`.
    ///
    /// # Errors
    /// `BadRequestException` for an ARN that is not an SES resource of this region,
    /// `NotFoundException` when the tenant or the resource does not exist,
    /// `AlreadyExistsException` when they are already associated.
    pub(crate) fn associate_resource(
        &mut self,
        tenant_name: &str,
        resource_arn: &str,
    ) -> Result<(), SesError> {
        let (resource_type, canonical_arn) = self.existing_resource(resource_arn)?;
        let tenant = self.tenant_mut(tenant_name)?;
        if tenant.has_resource(&canonical_arn) {
            return Err(SesError::AlreadyExists(format!(
                "Resource {resource_arn} is already associated with tenant {tenant_name}."
            )));
        }
        tenant.resources.insert(
            canonical_arn.clone(),
            TenantResource {
                resource_type,
                resource_arn: canonical_arn,
                associated_at: Utc::now(),
            },
        );
        Ok(())
    }

    /// `DeleteTenantResourceAssociation`.
    ///
    /// # Errors
    /// `NotFoundException` when the tenant does not exist or the resource is not
    /// associated with it.
    pub(crate) fn disassociate_resource(
        &mut self,
        tenant_name: &str,
        resource_arn: &str,
    ) -> Result<(), SesError> {
        let canonical_arn = self.canonical_resource_arn(resource_arn);
        let tenant = self.tenant_mut(tenant_name)?;
        tenant
            .resources
            .remove(&canonical_arn)
            .map(drop)
            .ok_or_else(|| {
                SesError::NotFound(format!(
                    "Resource {resource_arn} is not associated with tenant {tenant_name}."
                ))
            })
    }

    /// `ListTenantResources`, ordered by ARN.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant.
    pub(crate) fn tenant_resources(
        &self,
        tenant_name: &str,
        resource_type: Option<ResourceType>,
        page: &PageRequest,
    ) -> Result<Page<&TenantResource>, SesError> {
        let matching = self
            .tenant(tenant_name)?
            .resources
            .values()
            .filter(|resource| resource_type.is_none_or(|kind| resource.resource_type == kind));
        paginate(
            matching,
            |resource| resource.resource_arn.as_str(),
            page,
            STANDARD_PAGES,
        )
    }

    /// `ListResourceTenants`, ordered by tenant name.
    ///
    /// # Errors
    /// `NotFoundException` when the resource does not exist.
    pub(crate) fn resource_tenants(
        &self,
        resource_arn: &str,
        page: &PageRequest,
    ) -> Result<Page<(&Tenant, &TenantResource)>, SesError> {
        let (_, canonical_arn) = self.existing_resource(resource_arn)?;
        let associations = self.tenants.values().filter_map(|tenant| {
            tenant
                .resources
                .get(&canonical_arn)
                .map(|resource| (tenant, resource))
        });
        paginate(
            associations,
            |(tenant, _)| tenant.name.as_str(),
            page,
            STANDARD_PAGES,
        )
    }

    /// `PutTenantSuppressionAttributes`.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant.
    pub(crate) fn put_tenant_suppression_attributes(
        &mut self,
        tenant_name: &str,
        attributes: TenantSuppressionAttributes,
    ) -> Result<(), SesError> {
        self.tenant_mut(tenant_name)?.suppression_attributes = Some(attributes);
        Ok(())
    }

    /// Refuses to delete a resource that is still associated with a tenant: SES wants it
    /// disassociated first.
    ///
    /// # Errors
    /// `BadRequestException` naming the tenants it is associated with.
    pub(super) fn ensure_unassociated(&self, resource_arn: &str) -> Result<(), SesError> {
        let tenants: Vec<&str> = self
            .tenants
            .values()
            .filter(|tenant| tenant.has_resource(resource_arn))
            .map(|tenant| tenant.name.as_str())
            .collect();
        if tenants.is_empty() {
            Ok(())
        } else {
            Err(SesError::BadRequest(format!(
                "Resource {resource_arn} is associated with tenant(s) {}; \
                 delete the associations first.",
                tenants.join(", ")
            )))
        }
    }

    /// The type and stored ARN of the existing resource an ARN names.
    fn existing_resource(&self, arn: &str) -> Result<(ResourceType, String), SesError> {
        let (resource_type, name) = self.scope.parse_resource(arn)?;
        let stored_arn = match resource_type {
            ResourceType::EmailIdentity => self
                .identities
                .get(&rules::identity_key(name))
                .map(|identity| identity.arn.clone()),
            ResourceType::ConfigurationSet => self
                .configuration_sets
                .get(name)
                .map(|configuration_set| configuration_set.arn.clone()),
            // The emulator has no templates, so no template ARN names one that exists.
            ResourceType::EmailTemplate => None,
        };
        stored_arn
            .map(|stored_arn| (resource_type, stored_arn))
            .ok_or_else(|| SesError::NotFound(format!("Resource {arn} does not exist.")))
    }

    /// The ARN a resource is stored under, which differs from the one sent only in the
    /// case of an identity's domain.
    fn canonical_resource_arn(&self, arn: &str) -> String {
        match self.scope.parse_resource(arn) {
            Ok((ResourceType::EmailIdentity, name)) => {
                self.scope.identity_arn(&rules::identity_key(name))
            }
            _ => arn.to_owned(),
        }
    }
}

fn tenant_not_found(name: &str) -> SesError {
    SesError::NotFound(format!("Tenant {name} does not exist."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(quota: usize) -> RegionState {
        RegionState::new("us-east-1", "123456789012", quota)
    }

    #[test]
    fn a_new_tenant_is_enabled_under_the_standard_policy() {
        let mut region = region(10);
        let tenant = region.create_tenant("ph-1", Vec::new(), None).unwrap();

        assert_eq!(tenant.sending_status(), SendingStatus::Enabled);
        assert_eq!(
            tenant.reputation.policy(),
            "arn:aws:ses:us-east-1:aws:reputation-policy/standard"
        );
        assert!(
            tenant
                .arn
                .starts_with("arn:aws:ses:us-east-1:123456789012:tenant/ph-1/tn-")
        );
    }

    #[test]
    fn the_quota_caps_the_tenants_of_a_region() {
        let mut region = region(1);
        region.create_tenant("a", Vec::new(), None).unwrap();

        let error = region.create_tenant("b", Vec::new(), None).unwrap_err();
        assert_eq!(error.error_type(), "LimitExceededException");
    }

    #[test]
    fn a_taken_name_already_exists() {
        let mut region = region(10);
        region.create_tenant("a", Vec::new(), None).unwrap();

        let error = region.create_tenant("a", Vec::new(), None).unwrap_err();
        assert_eq!(error.error_type(), "AlreadyExistsException");
    }

    #[test]
    fn a_template_cannot_be_associated() {
        let mut region = region(10);
        region.create_tenant("a", Vec::new(), None).unwrap();

        let arn = "arn:aws:ses:us-east-1:123456789012:template/welcome";
        let error = region.associate_resource("a", arn).unwrap_err();
        assert_eq!(error.error_type(), "NotFoundException");
    }
}
