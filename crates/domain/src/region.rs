//! AWS regions, and the set of them this deployment serves.

use std::fmt;

/// An AWS region code such as `us-east-1` or `eu-north-1`.
///
/// Being a well-formed region does not make it served: see [`ServedRegions`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(String);

/// The text is not shaped like an AWS region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an AWS region code such as us-east-1")]
pub struct InvalidRegion(String);

/// A well-formed or malformed region that this deployment does not serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("region {0:?} is not served")]
pub struct RegionNotServed(pub String);

impl Region {
    /// Parses a region code: lowercase words joined by `-`, ending in a number
    /// (`us-east-1`, `us-gov-west-1`, `ap-southeast-4`).
    ///
    /// # Errors
    /// [`InvalidRegion`] when the text is not shaped like a region code.
    pub fn parse(text: &str) -> Result<Self, InvalidRegion> {
        let parts: Vec<&str> = text.split('-').collect();
        let well_formed = match parts.as_slice() {
            [first, middle @ .., last] if !middle.is_empty() => {
                first.len() == 2
                    && first.bytes().all(|b| b.is_ascii_lowercase())
                    && middle
                        .iter()
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
                    && !last.is_empty()
                    && last.len() <= 2
                    && last.bytes().all(|b| b.is_ascii_digit())
            }
            _ => false,
        };
        if well_formed {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidRegion(text.to_owned()))
        }
    }

    /// The region code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The regions this deployment provisions tenants in. Requests naming any other region
/// are refused before anything is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedRegions(Vec<Region>);

impl ServedRegions {
    /// The served set, in the given order, without duplicates.
    ///
    /// # Errors
    /// [`InvalidRegion`] when the list is empty (reported as the empty string).
    pub fn new(regions: impl IntoIterator<Item = Region>) -> Result<Self, InvalidRegion> {
        let mut served: Vec<Region> = Vec::new();
        for region in regions {
            if !served.contains(&region) {
                served.push(region);
            }
        }
        if served.is_empty() {
            return Err(InvalidRegion(String::new()));
        }
        Ok(Self(served))
    }

    /// Parses a comma-separated list such as `us-east-1,eu-north-1`.
    ///
    /// # Errors
    /// [`InvalidRegion`] for the first malformed entry, or when the list is empty.
    pub fn parse_list(text: &str) -> Result<Self, InvalidRegion> {
        let regions = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(Region::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Self::new(regions)
    }

    /// The served region named by `text`.
    ///
    /// # Errors
    /// [`RegionNotServed`] when `text` names no served region (malformed text included).
    pub fn resolve(&self, text: &str) -> Result<Region, RegionNotServed> {
        self.0
            .iter()
            .find(|region| region.as_str() == text)
            .cloned()
            .ok_or_else(|| RegionNotServed(text.to_owned()))
    }

    /// Whether `region` is served.
    #[must_use]
    pub fn contains(&self, region: &Region) -> bool {
        self.0.contains(region)
    }

    /// The served regions, in configuration order.
    pub fn iter(&self) -> impl Iterator<Item = &Region> {
        self.0.iter()
    }
}

impl Default for ServedRegions {
    /// `us-east-1` and `eu-north-1`, the regions of the cloud edition.
    fn default() -> Self {
        Self(vec![
            Region("us-east-1".to_owned()),
            Region("eu-north-1".to_owned()),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_region_codes() {
        for code in ["us-east-1", "eu-north-1", "us-gov-west-1", "ap-southeast-4"] {
            assert_eq!(Region::parse(code).unwrap().as_str(), code);
        }
    }

    #[test]
    fn rejects_text_not_shaped_like_a_region() {
        for bad in [
            "",
            "us",
            "us-east",
            "US-EAST-1",
            "us-east-1a",
            "us--1",
            "../etc",
            "u-east-1",
        ] {
            assert!(Region::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn default_serves_us_east_1_and_eu_north_1() {
        let served = ServedRegions::default();
        assert!(served.resolve("us-east-1").is_ok());
        assert!(served.resolve("eu-north-1").is_ok());
        assert_eq!(
            served.resolve("ap-south-1"),
            Err(RegionNotServed("ap-south-1".into()))
        );
    }

    #[test]
    fn parse_list_trims_dedups_and_refuses_empty_or_malformed() {
        let served = ServedRegions::parse_list(" eu-west-1 , eu-west-1,us-east-2").unwrap();
        let codes: Vec<&str> = served.iter().map(Region::as_str).collect();
        assert_eq!(codes, ["eu-west-1", "us-east-2"]);
        assert!(ServedRegions::parse_list(" , ").is_err());
        assert!(ServedRegions::parse_list("us-east-1,mars").is_err());
    }
}
