//! Sending domains: the DNS names a workspace verifies with SES and sends from.

use std::fmt;

const MAX_LEN: usize = 253;
const MAX_LABEL_LEN: usize = 63;

/// A validated, lowercased DNS domain name with at least two labels (`mail.example.com`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainName(String);

/// Why a domain name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a valid domain name: {reason}")]
pub struct InvalidDomainName {
    name: String,
    reason: &'static str,
}

impl DomainName {
    /// Parses a domain name, ignoring case and one trailing dot.
    ///
    /// # Errors
    /// [`InvalidDomainName`] saying which rule the name breaks.
    pub fn parse(text: &str) -> Result<Self, InvalidDomainName> {
        let refuse = |reason| InvalidDomainName {
            name: text.to_owned(),
            reason,
        };
        let name = text.strip_suffix('.').unwrap_or(text).to_ascii_lowercase();
        if name.is_empty() || name.len() > MAX_LEN {
            return Err(refuse("it must be 1 to 253 characters long"));
        }
        let labels: Vec<&str> = name.split('.').collect();
        if labels.len() < 2 {
            return Err(refuse("it needs at least two labels, like example.com"));
        }
        for label in &labels {
            if label.is_empty() || label.len() > MAX_LABEL_LEN {
                return Err(refuse("each label must be 1 to 63 characters long"));
            }
            if !label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(refuse("labels may hold only letters, digits and '-'"));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(refuse("labels may not start or end with '-'"));
            }
        }
        if labels
            .last()
            .is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(refuse("the top-level label may not be numeric"));
        }
        Ok(Self(name))
    }

    /// The domain, lowercased, without a trailing dot.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_and_a_trailing_dot() {
        assert_eq!(
            DomainName::parse("Mail.Example.COM.").unwrap().as_str(),
            "mail.example.com"
        );
    }

    #[test]
    fn accepts_ordinary_and_punycode_names() {
        for ok in [
            "example.com",
            "a-b.example.co.uk",
            "xn--bcher-kva.example",
            "1.example.org",
        ] {
            assert!(DomainName::parse(ok).is_ok(), "{ok:?} should be accepted");
        }
    }

    #[test]
    fn refuses_malformed_names() {
        let long_label = format!("{}.com", "a".repeat(64));
        let long_name = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        for bad in [
            "",
            "localhost",
            "exa mple.com",
            "-example.com",
            "example-.com",
            "example..com",
            "example.123",
            "ex_ample.com",
            "example.com/path",
            &long_label,
            &long_name,
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
