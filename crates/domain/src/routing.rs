//! How a message names its tenant so SES files its metrics under the right workspace.

use crate::{ConfigurationSetName, TenantName};

/// The tenant and configuration set a message must carry.
///
/// Both travel on every send: through the API as `TenantName` + `ConfigurationSetName`,
/// through SMTP as the headers from [`TenantRouting::smtp_headers`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRouting {
    /// The tenant SES attributes the send to.
    pub tenant: TenantName,
    /// The configuration set associated with that tenant.
    pub configuration_set: ConfigurationSetName,
}

impl TenantRouting {
    /// SMTP header naming the tenant.
    pub const TENANT_HEADER: &'static str = "X-SES-TENANT";
    /// SMTP header naming the configuration set.
    pub const CONFIGURATION_SET_HEADER: &'static str = "X-SES-CONFIGURATION-SET";

    /// Routing through `tenant` and its own configuration set.
    #[must_use]
    pub fn for_tenant(tenant: TenantName) -> Self {
        let configuration_set = ConfigurationSetName::for_tenant(&tenant);
        Self {
            tenant,
            configuration_set,
        }
    }

    /// The two headers an SMTP relay adds to a message so SES routes it to the tenant.
    #[must_use]
    pub fn smtp_headers(&self) -> [(&'static str, &str); 2] {
        [
            (Self::TENANT_HEADER, self.tenant.as_str()),
            (
                Self::CONFIGURATION_SET_HEADER,
                self.configuration_set.as_str(),
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_headers_name_the_tenant_and_its_configuration_set() {
        let routing = TenantRouting::for_tenant(TenantName::parse("ph-1f3a8c2d6f4b").unwrap());
        assert_eq!(
            routing.smtp_headers(),
            [
                ("X-SES-TENANT", "ph-1f3a8c2d6f4b"),
                ("X-SES-CONFIGURATION-SET", "ph-1f3a8c2d6f4b"),
            ]
        );
    }
}
