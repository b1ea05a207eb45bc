//! Tenant and configuration set names: `ph-` + the first 12 hex digits of the workspace
//! UUID, and the longer fallback when that short name belongs to another workspace.

use std::fmt;

use crate::WorkspaceId;

const PREFIX: &str = "ph-";
const SHORT_HEX_LEN: usize = 12;
const MAX_LEN: usize = 64;

/// A name SES accepts for a tenant or configuration set: 1 to 64 of `[A-Za-z0-9_-]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a valid SES name: 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'")]
pub struct InvalidName(String);

fn validate(text: &str) -> Result<(), InvalidName> {
    let valid_chars = text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if (1..=MAX_LEN).contains(&text.len()) && valid_chars {
        Ok(())
    } else {
        Err(InvalidName(text.to_owned()))
    }
}

/// The name of a workspace's SES tenant in one region.
///
/// Names are unique per region. 48 bits of UUID make a collision between two workspaces
/// rare (about 0.2% among a million workspaces) but not impossible, so a workspace
/// whose short name is already owned by another one gets [`TenantName::fallback_for_workspace`],
/// which uses all 128 bits; [`TenantName::resolve`] applies that rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantName(String);

impl TenantName {
    /// The usual name: `ph-` + the first 12 hex digits of the workspace UUID.
    #[must_use]
    pub fn for_workspace(workspace: WorkspaceId) -> Self {
        let hex = workspace.simple_hex();
        Self(format!("{PREFIX}{}", &hex[..SHORT_HEX_LEN]))
    }

    /// The collision fallback: `ph-` + all 32 hex digits of the workspace UUID.
    #[must_use]
    pub fn fallback_for_workspace(workspace: WorkspaceId) -> Self {
        Self(format!("{PREFIX}{}", workspace.simple_hex()))
    }

    /// The name a workspace gets, given who already owns its short name in the region
    /// (`None` when nobody does). Never hands one workspace's tenant to another.
    #[must_use]
    pub fn resolve(workspace: WorkspaceId, short_name_owner: Option<WorkspaceId>) -> Self {
        match short_name_owner {
            Some(owner) if owner != workspace => Self::fallback_for_workspace(workspace),
            _ => Self::for_workspace(workspace),
        }
    }

    /// Whether the name follows this service's naming (`ph-…`), i.e. this service may
    /// have given it out.
    #[must_use]
    pub fn is_ours(&self) -> bool {
        self.0.starts_with(PREFIX)
    }

    /// Parses a stored or SES-reported name.
    ///
    /// # Errors
    /// [`InvalidName`] unless the text is 1 to 64 of `[A-Za-z0-9_-]`.
    pub fn parse(text: &str) -> Result<Self, InvalidName> {
        validate(text).map(|()| Self(text.to_owned()))
    }

    /// The name as SES knows it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The name of a configuration set. Each tenant has one of the same name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConfigurationSetName(String);

impl ConfigurationSetName {
    /// The configuration set that belongs to `tenant`: the same name.
    #[must_use]
    pub fn for_tenant(tenant: &TenantName) -> Self {
        Self(tenant.0.clone())
    }

    /// Parses a stored or SES-reported name.
    ///
    /// # Errors
    /// [`InvalidName`] unless the text is 1 to 64 of `[A-Za-z0-9_-]`.
    pub fn parse(text: &str) -> Result<Self, InvalidName> {
        validate(text).map(|()| Self(text.to_owned()))
    }

    /// The name as SES knows it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for ConfigurationSetName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace(text: &str) -> WorkspaceId {
        WorkspaceId::parse(text).unwrap()
    }

    #[test]
    fn tenant_name_is_ph_and_the_first_12_hex_digits_in_lowercase() {
        let id = workspace("1F3A8C2D-6F4B-4C1E-9A2B-3C4D5E6F7A8B");
        assert_eq!(TenantName::for_workspace(id).as_str(), "ph-1f3a8c2d6f4b");
    }

    #[test]
    fn configuration_set_takes_the_tenant_name() {
        let tenant = TenantName::for_workspace(workspace("1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b"));
        assert_eq!(
            ConfigurationSetName::for_tenant(&tenant).as_str(),
            tenant.as_str()
        );
    }

    #[test]
    fn fallback_name_uses_all_32_hex_digits() {
        let id = workspace("1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b");
        let fallback = TenantName::fallback_for_workspace(id);
        assert_eq!(fallback.as_str(), "ph-1f3a8c2d6f4b4c1e9a2b3c4d5e6f7a8b");
        assert!(TenantName::parse(fallback.as_str()).is_ok());
    }

    #[test]
    fn short_name_owned_by_another_workspace_resolves_to_the_fallback() {
        let ours = workspace("1f3a8c2d-6f4b-4c1e-9a2b-000000000001");
        let theirs = workspace("1f3a8c2d-6f4b-4c1e-9a2b-000000000002");
        assert_eq!(
            TenantName::for_workspace(ours),
            TenantName::for_workspace(theirs),
            "the two workspaces must collide for this test to mean anything"
        );
        assert_eq!(
            TenantName::resolve(ours, Some(theirs)),
            TenantName::fallback_for_workspace(ours)
        );
    }

    #[test]
    fn short_name_free_or_already_ours_resolves_to_the_short_name() {
        let ours = workspace("1f3a8c2d-6f4b-4c1e-9a2b-000000000001");
        assert_eq!(
            TenantName::resolve(ours, None),
            TenantName::for_workspace(ours)
        );
        assert_eq!(
            TenantName::resolve(ours, Some(ours)),
            TenantName::for_workspace(ours)
        );
    }

    #[test]
    fn parse_accepts_what_ses_accepts_and_nothing_else() {
        assert!(TenantName::parse("ph-1f3a8c2d6f4b").is_ok());
        assert!(TenantName::parse("A_z-0").is_ok());
        assert!(TenantName::parse(&"a".repeat(64)).is_ok());
        for bad in ["", "has space", "dot.ted", "slash/", "ünï", &"a".repeat(65)] {
            assert!(TenantName::parse(bad).is_err(), "{bad:?} should be refused");
            assert!(ConfigurationSetName::parse(bad).is_err());
        }
    }
}
