//! [`TenantAdmin`] on SES: the tenant, its configuration set with its event destination,
//! the domain identities, and the associations that tie them together.

use anyhow::{Context as _, anyhow};
use aws_sdk_sesv2::types::{
    DashboardAttributes, DashboardOptions, EventDestinationDefinition, EventType, FeatureStatus,
    GuardianAttributes, GuardianOptions, SendingStatus, SnsDestination, Tag, VdmAttributes,
    VdmOptions,
};
use posthawk_domain::ports::{SesError, SesTenant, TenantAdmin, TenantResource};
use posthawk_domain::{ConfigurationSetName, DomainName, Region, TenantName, WorkspaceId};

use crate::SesAdapter;
use crate::convert::aws_status;
use crate::observe::SesCall as _;

/// The tag key that records which workspace owns a tenant or configuration set.
pub const OWNER_TAG_KEY: &str = "posthawk:workspace-id";

#[async_trait::async_trait]
impl TenantAdmin for SesAdapter {
    async fn enable_vdm(&self, region: &Region) -> Result<(), SesError> {
        let attributes = VdmAttributes::builder()
            .vdm_enabled(FeatureStatus::Enabled)
            .dashboard_attributes(
                DashboardAttributes::builder()
                    .engagement_metrics(FeatureStatus::Enabled)
                    .build(),
            )
            .guardian_attributes(
                GuardianAttributes::builder()
                    .optimized_shared_delivery(FeatureStatus::Enabled)
                    .build(),
            )
            .build()
            .context("building VdmAttributes")?;
        self.client(region)
            .await?
            .put_account_vdm_attributes()
            .vdm_attributes(attributes)
            .send()
            .observed("PutAccountVdmAttributes")
            .await?;
        Ok(())
    }

    async fn create_tenant(
        &self,
        region: &Region,
        name: &TenantName,
        owner: WorkspaceId,
    ) -> Result<SesTenant, SesError> {
        let created = self
            .client(region)
            .await?
            .create_tenant()
            .tenant_name(name.as_str())
            .tags(owner_tag(owner)?)
            .send()
            .observed("CreateTenant")
            .await?;
        let mut tenant = ses_tenant(
            name,
            created.tenant_arn(),
            created.tags(),
            created.sending_status(),
        )?;
        // SES echoes the tags; should it ever not, the owner is still the one just set.
        tenant.owner = tenant.owner.or(Some(owner));
        Ok(tenant)
    }

    async fn get_tenant(
        &self,
        region: &Region,
        name: &TenantName,
    ) -> Result<Option<SesTenant>, SesError> {
        let found = self
            .client(region)
            .await?
            .get_tenant()
            .tenant_name(name.as_str())
            .send()
            .observed("GetTenant")
            .await;
        let output = match found {
            Ok(output) => output,
            Err(SesError::NotFound(_)) => return Ok(None),
            Err(other) => return Err(other),
        };
        let tenant = output
            .tenant()
            .ok_or_else(|| anyhow!("SES GetTenant answered without a tenant for {name}"))?;
        ses_tenant(
            name,
            tenant.tenant_arn(),
            tenant.tags(),
            tenant.sending_status(),
        )
        .map(Some)
    }

    async fn delete_tenant(&self, region: &Region, name: &TenantName) -> Result<(), SesError> {
        self.client(region)
            .await?
            .delete_tenant()
            .tenant_name(name.as_str())
            .send()
            .observed("DeleteTenant")
            .await?;
        Ok(())
    }

    async fn create_configuration_set(
        &self,
        region: &Region,
        name: &ConfigurationSetName,
        owner: WorkspaceId,
    ) -> Result<(), SesError> {
        let vdm = VdmOptions::builder()
            .dashboard_options(
                DashboardOptions::builder()
                    .engagement_metrics(FeatureStatus::Enabled)
                    .build(),
            )
            .guardian_options(
                GuardianOptions::builder()
                    .optimized_shared_delivery(FeatureStatus::Enabled)
                    .build(),
            )
            .build();
        self.client(region)
            .await?
            .create_configuration_set()
            .configuration_set_name(name.as_str())
            .vdm_options(vdm)
            .tags(owner_tag(owner)?)
            .send()
            .observed("CreateConfigurationSet")
            .await?;
        Ok(())
    }

    async fn delete_configuration_set(
        &self,
        region: &Region,
        name: &ConfigurationSetName,
    ) -> Result<(), SesError> {
        self.client(region)
            .await?
            .delete_configuration_set()
            .configuration_set_name(name.as_str())
            .send()
            .observed("DeleteConfigurationSet")
            .await?;
        Ok(())
    }

    /// Update first, since the destination normally exists (backfills re-apply it on
    /// every tenant); create on `NotFound`. Update cannot tell a missing destination from a
    /// missing configuration set, but create can: its `NotFound` is the set's. Should
    /// another replica create the destination in between, the update is run again.
    async fn put_event_destination(
        &self,
        region: &Region,
        configuration_set: &ConfigurationSetName,
        topic_arn: &str,
    ) -> Result<(), SesError> {
        let destination = event_destination(topic_arn)?;
        // Each call takes its own turn under the region's rate limit.
        let update = || async {
            self.client(region)
                .await?
                .update_configuration_set_event_destination()
                .configuration_set_name(configuration_set.as_str())
                .event_destination_name(self.event_destination_name())
                .event_destination(destination.clone())
                .send()
                .observed("UpdateConfigurationSetEventDestination")
                .await
        };
        match update().await {
            Err(SesError::NotFound(_)) => {}
            other => return other.map(drop),
        }
        let created = self
            .client(region)
            .await?
            .create_configuration_set_event_destination()
            .configuration_set_name(configuration_set.as_str())
            .event_destination_name(self.event_destination_name())
            .event_destination(destination.clone())
            .send()
            .observed("CreateConfigurationSetEventDestination")
            .await;
        match created {
            // Another replica created it meanwhile: make sure it has our topic.
            Err(SesError::AlreadyExists(_)) => update().await.map(drop),
            other => other.map(drop),
        }
    }

    async fn create_identity(&self, region: &Region, domain: &DomainName) -> Result<(), SesError> {
        self.client(region)
            .await?
            .create_email_identity()
            .email_identity(domain.as_str())
            .send()
            .observed("CreateEmailIdentity")
            .await?;
        Ok(())
    }

    async fn delete_identity(&self, region: &Region, domain: &DomainName) -> Result<(), SesError> {
        self.client(region)
            .await?
            .delete_email_identity()
            .email_identity(domain.as_str())
            .send()
            .observed("DeleteEmailIdentity")
            .await?;
        Ok(())
    }

    async fn associate(
        &self,
        region: &Region,
        tenant: &SesTenant,
        resource: &TenantResource,
    ) -> Result<(), SesError> {
        self.client(region)
            .await?
            .create_tenant_resource_association()
            .tenant_name(tenant.name.as_str())
            .resource_arn(resource_arn(&tenant_account(tenant)?, resource))
            .send()
            .observed("CreateTenantResourceAssociation")
            .await?;
        Ok(())
    }

    async fn disassociate(
        &self,
        region: &Region,
        tenant: &SesTenant,
        resource: &TenantResource,
    ) -> Result<(), SesError> {
        self.client(region)
            .await?
            .delete_tenant_resource_association()
            .tenant_name(tenant.name.as_str())
            .resource_arn(resource_arn(&tenant_account(tenant)?, resource))
            .send()
            .observed("DeleteTenantResourceAssociation")
            .await?;
        Ok(())
    }

    async fn tenant_resources(
        &self,
        region: &Region,
        tenant: &TenantName,
    ) -> Result<Vec<TenantResource>, SesError> {
        let mut pages = self
            .client(region)
            .await?
            .list_tenant_resources()
            .tenant_name(tenant.as_str())
            .into_paginator()
            .send();
        let mut resources = Vec::new();
        while let Some(page) = pages.try_next().observed("ListTenantResources").await? {
            resources.extend(
                page.tenant_resources()
                    .iter()
                    .filter_map(|resource| resource.resource_arn())
                    .filter_map(resource_of_arn),
            );
        }
        Ok(resources)
    }

    async fn event_destination_topic(
        &self,
        region: &Region,
        configuration_set: &ConfigurationSetName,
    ) -> Result<Option<String>, SesError> {
        let destinations = self
            .client(region)
            .await?
            .get_configuration_set_event_destinations()
            .configuration_set_name(configuration_set.as_str())
            .send()
            .observed("GetConfigurationSetEventDestinations")
            .await?;
        Ok(destinations
            .event_destinations()
            .iter()
            .find(|destination| destination.name() == self.event_destination_name())
            .and_then(|destination| destination.sns_destination())
            .map(|sns| sns.topic_arn().to_owned()))
    }

    /// `ListTenants` does not return tags, so each tenant costs one `GetTenant` on top of
    /// the list pages: N + pages calls, at the `GetTenant` rate limit. Only the
    /// `reconcile` command's drift audit calls it, never a request path. A tenant deleted
    /// between the two calls is left out; a tenant whose name this code would never
    /// create is skipped with a warning.
    async fn list_tenants(&self, region: &Region) -> Result<Vec<SesTenant>, SesError> {
        let mut pages = self
            .client(region)
            .await?
            .list_tenants()
            .into_paginator()
            .send();
        let mut names = Vec::new();
        while let Some(page) = pages.try_next().observed("ListTenants").await? {
            for info in page.tenants() {
                if let Some(Ok(name)) = info.tenant_name().map(TenantName::parse) {
                    names.push(name);
                } else {
                    tracing::warn!(
                        region = %region,
                        tenant = ?info.tenant_name(),
                        "skipping a tenant whose name is not a valid tenant name"
                    );
                }
            }
        }
        let mut tenants = Vec::with_capacity(names.len());
        for name in names {
            if let Some(tenant) = self.get_tenant(region, &name).await? {
                tenants.push(tenant);
            }
        }
        Ok(tenants)
    }
}

/// The tag that records `owner` on a tenant or configuration set.
fn owner_tag(owner: WorkspaceId) -> Result<Tag, SesError> {
    let tag = Tag::builder()
        .key(OWNER_TAG_KEY)
        .value(owner.to_string())
        .build()
        .context("building the owner tag")?;
    Ok(tag)
}

/// The owner recorded in `tags`, when the tag is there and holds a workspace id.
fn owner_from_tags(tags: &[Tag]) -> Option<WorkspaceId> {
    tags.iter()
        .find(|tag| tag.key() == OWNER_TAG_KEY)
        .and_then(|tag| WorkspaceId::parse(tag.value()).ok())
}

/// A tenant from the parts SES returns for it (`CreateTenant` and `GetTenant` differ only in
/// where they put them).
fn ses_tenant(
    name: &TenantName,
    arn: Option<&str>,
    tags: &[Tag],
    status: Option<&SendingStatus>,
) -> Result<SesTenant, SesError> {
    let arn = arn.ok_or_else(|| anyhow!("SES returned tenant {name} without an ARN"))?;
    Ok(SesTenant {
        name: name.clone(),
        arn: arn.to_owned(),
        owner: owner_from_tags(tags),
        sending_status: aws_status(status),
    })
}

/// The event destination: every event that tells about delivery and reputation, to SNS.
fn event_destination(topic_arn: &str) -> Result<EventDestinationDefinition, SesError> {
    let sns = SnsDestination::builder()
        .topic_arn(topic_arn)
        .build()
        .context("building SnsDestination")?;
    let events = [
        EventType::Send,
        EventType::Reject,
        EventType::Bounce,
        EventType::Complaint,
        EventType::Delivery,
        EventType::DeliveryDelay,
        EventType::RenderingFailure,
    ];
    Ok(EventDestinationDefinition::builder()
        .enabled(true)
        .set_matching_event_types(Some(events.to_vec()))
        .sns_destination(sns)
        .build())
}

/// `arn:aws:ses:{region}:{account}` of a tenant: everything before `:tenant/`, so the
/// partition, region and account are the tenant's own.
fn tenant_account(tenant: &SesTenant) -> Result<String, SesError> {
    account_of(&tenant.arn)
        .map(str::to_owned)
        .ok_or_else(|| SesError::Rejected(format!("{} is not a tenant ARN", tenant.arn)))
}

fn account_of(tenant_arn: &str) -> Option<&str> {
    tenant_arn
        .split_once(":tenant/")
        .map(|(account, _)| account)
        .filter(|account| account.starts_with("arn:"))
}

/// The resource an associated ARN names, for the ones this service associates
/// (its configuration sets and domain identities); anything else is skipped.
fn resource_of_arn(arn: &str) -> Option<TenantResource> {
    let (_, resource) = arn.rsplit_once(':')?;
    match resource.split_once('/')? {
        ("configuration-set", name) => ConfigurationSetName::parse(name)
            .ok()
            .map(TenantResource::ConfigurationSet),
        ("identity", name) => DomainName::parse(name).ok().map(TenantResource::Identity),
        _ => None,
    }
}

/// The ARN SES wants for `resource` in the account `account` (`arn:aws:ses:{region}:{id}`).
fn resource_arn(account: &str, resource: &TenantResource) -> String {
    match resource {
        TenantResource::ConfigurationSet(name) => format!("{account}:configuration-set/{name}"),
        TenantResource::Identity(domain) => format!("{account}:identity/{domain}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT_ARN: &str = "arn:aws-cn:ses:cn-north-1:123456789012:tenant/ph-1f3a8c2d6f4b/t-42";

    fn tenant(arn: &str) -> SesTenant {
        SesTenant {
            name: TenantName::parse("ph-1f3a8c2d6f4b").unwrap(),
            arn: arn.to_owned(),
            owner: None,
            sending_status: posthawk_domain::AwsSendingStatus::Enabled,
        }
    }

    #[test]
    fn associated_arns_read_back_as_the_resources_they_name() {
        let account = tenant_account(&tenant(TENANT_ARN)).unwrap();
        for resource in [
            TenantResource::ConfigurationSet(
                ConfigurationSetName::parse("ph-1f3a8c2d6f4b").unwrap(),
            ),
            TenantResource::Identity(DomainName::parse("mail.example.com").unwrap()),
        ] {
            assert_eq!(
                resource_of_arn(&resource_arn(&account, &resource)),
                Some(resource)
            );
        }
        let template = "arn:aws:ses:us-east-1:123456789012:template/welcome";
        assert_eq!(resource_of_arn(template), None);
    }

    #[test]
    fn resource_arns_keep_the_tenants_partition_region_and_account() {
        let account = tenant_account(&tenant(TENANT_ARN)).unwrap();
        let set = TenantResource::ConfigurationSet(
            ConfigurationSetName::parse("ph-1f3a8c2d6f4b").unwrap(),
        );
        let identity = TenantResource::Identity(DomainName::parse("mail.example.com").unwrap());
        assert_eq!(
            resource_arn(&account, &set),
            "arn:aws-cn:ses:cn-north-1:123456789012:configuration-set/ph-1f3a8c2d6f4b"
        );
        assert_eq!(
            resource_arn(&account, &identity),
            "arn:aws-cn:ses:cn-north-1:123456789012:identity/mail.example.com"
        );
    }

    #[test]
    fn a_tenant_arn_that_is_not_one_is_rejected() {
        assert!(matches!(
            tenant_account(&tenant("ph-1f3a8c2d6f4b")),
            Err(SesError::Rejected(_))
        ));
    }

    #[test]
    fn the_owner_is_read_from_its_tag_and_a_malformed_one_is_ignored() {
        let owner = WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b").unwrap();
        let other = Tag::builder().key("team").value("x").build().unwrap();
        assert_eq!(
            owner_from_tags(&[other.clone(), owner_tag(owner).unwrap()]),
            Some(owner)
        );
        let malformed = Tag::builder()
            .key(OWNER_TAG_KEY)
            .value("not-a-uuid")
            .build()
            .unwrap();
        assert_eq!(owner_from_tags(&[other, malformed]), None);
    }
}
