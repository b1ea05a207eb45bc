//! Workspace identity: the customer account every tenant belongs to.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// A customer workspace, identified by its UUID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WorkspaceId(Uuid);

/// The text is not a UUID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("workspace id must be a UUID, got {0:?}")]
pub struct InvalidWorkspaceId(String);

impl WorkspaceId {
    /// Wraps an already-parsed UUID.
    #[must_use]
    pub const fn from_uuid(id: Uuid) -> Self {
        Self(id)
    }

    /// Parses any UUID form (hyphenated, simple, braced, URN).
    ///
    /// # Errors
    /// [`InvalidWorkspaceId`] when the text is not a UUID.
    pub fn parse(text: &str) -> Result<Self, InvalidWorkspaceId> {
        Uuid::parse_str(text)
            .map(Self)
            .map_err(|_| InvalidWorkspaceId(text.to_owned()))
    }

    /// The UUID itself.
    #[must_use]
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// The 32 lowercase hex digits of the UUID, without hyphens.
    pub(crate) fn simple_hex(&self) -> String {
        self.0.simple().to_string()
    }
}

impl FromStr for WorkspaceId {
    type Err = InvalidWorkspaceId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for WorkspaceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl From<Uuid> for WorkspaceId {
    fn from(id: Uuid) -> Self {
        Self(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hyphenated_and_simple_forms_alike() {
        let hyphenated = WorkspaceId::parse("1F3A8C2D-6F4B-4C1E-9A2B-3C4D5E6F7A8B").unwrap();
        let simple = WorkspaceId::parse("1f3a8c2d6f4b4c1e9a2b3c4d5e6f7a8b").unwrap();
        assert_eq!(hyphenated, simple);
        assert_eq!(
            hyphenated.to_string(),
            "1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b"
        );
    }

    #[test]
    fn rejects_text_that_is_not_a_uuid() {
        assert_eq!(
            WorkspaceId::parse("workspace-1"),
            Err(InvalidWorkspaceId("workspace-1".into()))
        );
    }
}
