//! ARNs of the region's resources: how they are built, and how an ARN a caller sends is
//! read back into the resource it names.

use crate::error::SesError;
use crate::shapes::ResourceType;

/// The region and account every ARN of a [`super::RegionState`] carries.
#[derive(Debug, Clone)]
pub(super) struct Scope {
    region: String,
    account_id: String,
}

/// The names of the reputation policies SES offers.
pub(super) const REPUTATION_POLICIES: [&str; 3] = ["none", "standard", "strict"];

impl Scope {
    pub(super) fn new(region: &str, account_id: &str) -> Self {
        Self {
            region: region.to_owned(),
            account_id: account_id.to_owned(),
        }
    }

    pub(super) fn region(&self) -> &str {
        &self.region
    }

    fn prefix(&self) -> String {
        format!("arn:aws:ses:{}:{}:", self.region, self.account_id)
    }

    /// `arn:aws:ses:{region}:{account}:tenant/{name}/{id}`
    pub(super) fn tenant_arn(&self, name: &str, id: &str) -> String {
        format!("{}tenant/{name}/{id}", self.prefix())
    }

    /// `arn:aws:ses:{region}:{account}:configuration-set/{name}`
    pub(super) fn configuration_set_arn(&self, name: &str) -> String {
        format!("{}configuration-set/{name}", self.prefix())
    }

    /// `arn:aws:ses:{region}:{account}:identity/{name}`
    pub(super) fn identity_arn(&self, name: &str) -> String {
        format!("{}identity/{name}", self.prefix())
    }

    /// `arn:aws:ses:{region}:aws:reputation-policy/{name}`: policies belong to AWS, not to
    /// the account.
    pub(super) fn reputation_policy_arn(&self, name: &str) -> String {
        format!("arn:aws:ses:{}:aws:reputation-policy/{name}", self.region)
    }

    /// Whether `arn` is one of the reputation policies of this region.
    pub(super) fn is_reputation_policy(&self, arn: &str) -> bool {
        REPUTATION_POLICIES
            .iter()
            .any(|name| self.reputation_policy_arn(name) == arn)
    }

    /// The type and name of the resource an ARN of this region and account names.
    ///
    /// # Errors
    /// `BadRequestException` for anything else: SES only associates its own resources of
    /// the same region with a tenant.
    pub(super) fn parse_resource<'a>(
        &self,
        arn: &'a str,
    ) -> Result<(ResourceType, &'a str), SesError> {
        let invalid = || SesError::BadRequest(format!("Invalid resource ARN: {arn}"));
        let resource = arn.strip_prefix(&self.prefix()).ok_or_else(invalid)?;
        let (kind, name) = resource.split_once('/').ok_or_else(invalid)?;
        let kind = match kind {
            "identity" => ResourceType::EmailIdentity,
            "configuration-set" => ResourceType::ConfigurationSet,
            "template" => ResourceType::EmailTemplate,
            _ => return Err(invalid()),
        };
        if name.is_empty() {
            return Err(invalid());
        }
        Ok((kind, name))
    }

    /// The name and id of the tenant a tenant ARN of this region and account names.
    pub(super) fn parse_tenant<'a>(&self, arn: &'a str) -> Option<(&'a str, &'a str)> {
        arn.strip_prefix(&self.prefix())?
            .strip_prefix("tenant/")?
            .split_once('/')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        Scope::new("eu-north-1", "123456789012")
    }

    #[test]
    fn arns_follow_the_ses_formats() {
        assert_eq!(
            scope().tenant_arn("ph-1", "tn-9"),
            "arn:aws:ses:eu-north-1:123456789012:tenant/ph-1/tn-9"
        );
        assert_eq!(
            scope().reputation_policy_arn("standard"),
            "arn:aws:ses:eu-north-1:aws:reputation-policy/standard"
        );
    }

    #[test]
    fn a_resource_arn_reads_back_into_its_type_and_name() {
        let arn = scope().identity_arn("example.com");
        assert_eq!(
            scope().parse_resource(&arn).unwrap(),
            (ResourceType::EmailIdentity, "example.com")
        );
        let arn = scope().configuration_set_arn("ph-1");
        assert_eq!(
            scope().parse_resource(&arn).unwrap(),
            (ResourceType::ConfigurationSet, "ph-1")
        );
    }

    #[test]
    fn an_arn_of_another_region_is_not_a_resource_here() {
        let elsewhere = Scope::new("us-east-1", "123456789012").identity_arn("example.com");
        assert!(scope().parse_resource(&elsewhere).is_err());
        assert!(
            scope()
                .parse_resource("arn:aws:sns:eu-north-1:123456789012:topic")
                .is_err()
        );
    }

    #[test]
    fn a_tenant_arn_reads_back_into_name_and_id() {
        let arn = scope().tenant_arn("ph-1", "tn-9");
        assert_eq!(scope().parse_tenant(&arn), Some(("ph-1", "tn-9")));
        assert_eq!(
            scope().parse_tenant("arn:aws:ses:eu-north-1:1:tenant/x/y"),
            None
        );
    }
}
