//! Email identities (domains and addresses). They verify the moment they are created: the
//! emulator has no DNS to check.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{RegionState, rules};
use crate::error::SesError;
use crate::shapes::{IdentityType, Tag};

/// SES's default quota of identities per region.
const MAX_IDENTITIES: usize = 10_000;

/// An SES email identity, verified for sending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmailIdentity {
    /// The domain or address, domain part lowercased.
    pub name: String,
    /// `arn:aws:ses:{region}:{account}:identity/{name}`
    pub arn: String,
    /// Domain or address.
    pub identity_type: IdentityType,
    /// When it was created (and, here, verified).
    pub created_at: DateTime<Utc>,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// The configuration set used by sends from it that name none.
    pub configuration_set: Option<String>,
    /// The Easy DKIM tokens of a domain identity (none for an address).
    pub dkim_tokens: Vec<String>,
}

impl RegionState {
    /// `CreateEmailIdentity`: the identity is verified at once.
    ///
    /// # Errors
    /// `BadRequestException` for a name that is neither a domain nor an address, or bad
    /// tags; `AlreadyExistsException` when it exists; `NotFoundException` for an unknown
    /// default configuration set; `LimitExceededException` at the region's quota.
    pub(crate) fn create_email_identity(
        &mut self,
        name: &str,
        tags: Vec<Tag>,
        configuration_set: Option<String>,
    ) -> Result<&EmailIdentity, SesError> {
        let (identity_type, key) = rules::identity(name)?;
        rules::tags(&tags)?;
        if self.identities.contains_key(&key) {
            return Err(SesError::AlreadyExists(format!(
                "Email identity {name} already exists."
            )));
        }
        if let Some(set) = &configuration_set {
            self.configuration_set(set)?;
        }
        if self.identities.len() >= MAX_IDENTITIES {
            return Err(SesError::LimitExceeded(format!(
                "The maximum number of identities ({MAX_IDENTITIES}) has been reached."
            )));
        }
        let dkim_tokens = match identity_type {
            IdentityType::EmailAddress => Vec::new(),
            _ => (0..3)
                .map(|_| uuid::Uuid::new_v4().simple().to_string())
                .collect(),
        };
        let identity = EmailIdentity {
            arn: self.scope.identity_arn(&key),
            name: key.clone(),
            identity_type,
            created_at: Utc::now(),
            tags,
            configuration_set,
            dkim_tokens,
        };
        Ok(self.identities.entry(key).or_insert(identity))
    }

    /// `GetEmailIdentity`.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown identity.
    pub(crate) fn email_identity(&self, name: &str) -> Result<&EmailIdentity, SesError> {
        self.identities
            .get(&rules::identity_key(name))
            .ok_or_else(|| identity_not_found(name))
    }

    /// `DeleteEmailIdentity`.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown identity, `BadRequestException` while it is
    /// associated with a tenant.
    pub(crate) fn delete_email_identity(&mut self, name: &str) -> Result<(), SesError> {
        let identity = self.email_identity(name)?;
        let (key, arn) = (identity.name.clone(), identity.arn.clone());
        self.ensure_unassociated(&arn)?;
        self.identities.remove(&key);
        Ok(())
    }

    /// `PutEmailIdentityConfigurationSetAttributes`: sets or (with `None`) removes the
    /// identity's default configuration set.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown identity or configuration set.
    pub(crate) fn put_email_identity_configuration_set(
        &mut self,
        name: &str,
        configuration_set: Option<String>,
    ) -> Result<(), SesError> {
        if let Some(set) = &configuration_set {
            self.configuration_set(set)?;
        }
        let key = rules::identity_key(name);
        let identity = self
            .identities
            .get_mut(&key)
            .ok_or_else(|| identity_not_found(name))?;
        identity.configuration_set = configuration_set;
        Ok(())
    }

    /// The identity that authorizes sending from `address` (a bare address): the address
    /// itself if it is an identity, else its domain.
    pub(super) fn sending_identity(&self, address: &str) -> Option<&EmailIdentity> {
        self.identities
            .get(address)
            .or_else(|| self.identities.get(rules::domain_of(address)))
    }
}

fn identity_not_found(name: &str) -> SesError {
    SesError::NotFound(format!("Email identity {name} does not exist."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_authorized_by_itself_or_its_domain() {
        let mut region = RegionState::new("us-east-1", "123456789012", 10);
        region
            .create_email_identity("Example.com", Vec::new(), None)
            .unwrap();
        region
            .create_email_identity("ceo@other.com", Vec::new(), None)
            .unwrap();

        let by_domain = region.sending_identity("hello@example.com").unwrap();
        assert_eq!(by_domain.name, "example.com");
        let by_address = region.sending_identity("ceo@other.com").unwrap();
        assert_eq!(by_address.name, "ceo@other.com");
        assert!(region.sending_identity("cfo@other.com").is_none());
    }

    #[test]
    fn a_default_configuration_set_must_exist() {
        let mut region = RegionState::new("us-east-1", "123456789012", 10);
        let error = region
            .create_email_identity("example.com", Vec::new(), Some("missing".into()))
            .unwrap_err();
        assert_eq!(error.error_type(), "NotFoundException");
    }
}
