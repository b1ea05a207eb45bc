//! The input rules SES checks before it looks at any state: name formats, tag limits and
//! what counts as an email address or a domain.

use std::collections::HashSet;

use crate::error::SesError;
use crate::shapes::{IdentityType, Tag};

/// SES allows up to 50 tags on a resource.
const MAX_TAGS: usize = 50;
const MAX_TAG_KEY: usize = 128;
const MAX_TAG_VALUE: usize = 256;
const MAX_NAME: usize = 64;
const MAX_DOMAIN: usize = 253;
const MAX_LABEL: usize = 63;

/// Checks a tenant, configuration set or event destination name: 1-64 characters of
/// `[A-Za-z0-9_-]`. `what` names the member in the error, e.g. "TenantName".
pub(super) fn resource_name(what: &str, name: &str) -> Result<(), SesError> {
    let valid = (1..=MAX_NAME).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid {
        Ok(())
    } else {
        Err(SesError::BadRequest(format!(
            "{what} '{name}' is invalid: it must be 1-{MAX_NAME} characters of letters, \
             numbers, underscores (_) and hyphens (-)."
        )))
    }
}

/// Checks a tag list: at most 50 tags, unique keys of 1-128 characters, values of at most
/// 256 characters.
pub(super) fn tags(tags: &[Tag]) -> Result<(), SesError> {
    if tags.len() > MAX_TAGS {
        return Err(SesError::BadRequest(format!(
            "A resource can have at most {MAX_TAGS} tags."
        )));
    }
    let mut keys = HashSet::new();
    for tag in tags {
        if tag.key.is_empty() || tag.key.chars().count() > MAX_TAG_KEY {
            return Err(SesError::BadRequest(format!(
                "Tag key '{}' must be 1-{MAX_TAG_KEY} characters.",
                tag.key
            )));
        }
        if tag.value.chars().count() > MAX_TAG_VALUE {
            return Err(SesError::BadRequest(format!(
                "The value of tag '{}' must be at most {MAX_TAG_VALUE} characters.",
                tag.key
            )));
        }
        if !keys.insert(tag.key.as_str()) {
            return Err(SesError::BadRequest(format!(
                "Tag key '{}' appears more than once.",
                tag.key
            )));
        }
    }
    Ok(())
}

/// Reads an identity name: an email address or a domain. Returns its type and the form
/// it is stored under, with the domain lowercased (domains are case-insensitive).
pub(super) fn identity(name: &str) -> Result<(IdentityType, String), SesError> {
    let invalid = || SesError::BadRequest(format!("Invalid email identity: '{name}'."));
    match name.rsplit_once('@') {
        Some((local, domain)) => {
            if local.is_empty() || local.contains(char::is_whitespace) || !is_domain(domain) {
                return Err(invalid());
            }
            Ok((
                IdentityType::EmailAddress,
                format!("{local}@{}", domain.to_ascii_lowercase()),
            ))
        }
        None if is_domain(name) => Ok((IdentityType::Domain, name.to_ascii_lowercase())),
        None => Err(invalid()),
    }
}

/// The form an identity name is stored under, or the name itself when it is not a valid
/// identity (so that looking it up simply finds nothing).
pub(super) fn identity_key(name: &str) -> String {
    identity(name).map_or_else(|_| name.to_owned(), |(_, key)| key)
}

/// A dotted DNS name of labels of letters, digits and inner hyphens.
fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= MAX_DOMAIN
        && labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=MAX_LABEL).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// The bare address in `addr@example.com` or `"Name" <addr@example.com>`.
///
/// # Errors
/// `BadRequestException` when there is no well-formed address.
pub(super) fn email_address(value: &str) -> Result<String, SesError> {
    let bare = match (value.rfind('<'), value.rfind('>')) {
        (Some(open), Some(close)) if open < close => &value[open + 1..close],
        _ => value,
    }
    .trim();
    match identity(bare) {
        Ok((IdentityType::EmailAddress, address)) => Ok(address),
        _ => Err(SesError::BadRequest(format!(
            "Invalid email address: '{value}'."
        ))),
    }
}

/// The domain of a bare address produced by [`email_address`].
pub(super) fn domain_of(address: &str) -> &str {
    address
        .rsplit_once('@')
        .map_or(address, |(_, domain)| domain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names_allow_letters_digits_underscore_and_hyphen() {
        assert!(resource_name("TenantName", "ph-1f3a8c2d6f4b").is_ok());
        assert!(resource_name("TenantName", "Tenant_01").is_ok());
        assert!(resource_name("TenantName", &"a".repeat(64)).is_ok());
        for bad in ["", "has space", "dot.name", "slash/name", &"a".repeat(65)] {
            assert!(resource_name("TenantName", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn tags_are_limited() {
        let tag = |key: &str, value: &str| Tag {
            key: key.into(),
            value: value.into(),
        };
        assert!(tags(&[tag("workspace_id", "1f3a")]).is_ok());
        assert!(tags(&[tag("", "x")]).is_err());
        assert!(tags(&[tag("k", &"v".repeat(257))]).is_err());
        assert!(tags(&[tag("k", "1"), tag("k", "2")]).is_err());
        let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
        assert!(tags(&many).is_err());
    }

    #[test]
    fn identities_are_domains_or_addresses() {
        assert_eq!(
            identity("Mail.Example.com").unwrap(),
            (IdentityType::Domain, "mail.example.com".to_owned())
        );
        assert_eq!(
            identity("Ops@Example.com").unwrap(),
            (IdentityType::EmailAddress, "Ops@example.com".to_owned())
        );
        for bad in [
            "",
            "localhost",
            "a@",
            "@example.com",
            "-bad.com",
            "a b@example.com",
        ] {
            assert!(identity(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_address_is_read_from_a_display_name_form() {
        assert_eq!(
            email_address("\"Posthawk\" <hello@Example.com>").unwrap(),
            "hello@example.com"
        );
        assert_eq!(
            email_address("hello@example.com").unwrap(),
            "hello@example.com"
        );
        assert!(email_address("Posthawk <nobody>").is_err());
        assert_eq!(domain_of("hello@example.com"), "example.com");
    }
}
