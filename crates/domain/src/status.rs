//! A tenant's sending status as the dashboard shows it, and the mapping from the
//! AWS view of the tenant (aggregate, status records, reputation policy) to it.

use std::fmt;
use std::str::FromStr;

/// Whether a workspace can send in a region, as the dashboard badge shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SendingStatus {
    /// Sending allowed.
    Enabled,
    /// Sending stopped by the tenant's reputation policy or by the platform.
    Paused,
    /// Sending stopped by SES itself; the customer must act.
    Enforced,
    /// No tenant yet, provisioning unfinished, or torn down.
    Disabled,
}

/// The colour of the dashboard badge for a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    /// Sending.
    Green,
    /// Not sending because of reputation.
    Red,
    /// Not set up.
    Yellow,
}

/// The text is none of `ENABLED`, `PAUSED`, `ENFORCED`, `DISABLED`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown sending status {0:?}")]
pub struct UnrecognisedStatus(pub String);

impl SendingStatus {
    /// Every status, in the order of the table in the design.
    pub const ALL: [Self; 4] = [Self::Enabled, Self::Paused, Self::Enforced, Self::Disabled];

    /// The wire and storage form: `ENABLED`, `PAUSED`, `ENFORCED` or `DISABLED`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "ENABLED",
            Self::Paused => "PAUSED",
            Self::Enforced => "ENFORCED",
            Self::Disabled => "DISABLED",
        }
    }

    /// The dashboard badge colour.
    #[must_use]
    pub const fn badge(self) -> Badge {
        match self {
            Self::Enabled => Badge::Green,
            Self::Paused | Self::Enforced => Badge::Red,
            Self::Disabled => Badge::Yellow,
        }
    }

    /// Maps what SES reports about a provisioned tenant to the dashboard's status.
    ///
    /// | aggregate | SES-managed | policy / cause | status |
    /// |---|---|---|---|
    /// | ENABLED or REINSTATED | any | any | ENABLED |
    /// | DISABLED | DISABLED | policy `none`, or cause mentions enforcement or review | ENFORCED |
    /// | DISABLED | otherwise | otherwise | PAUSED |
    ///
    /// A tenant that does not exist or is not fully provisioned is DISABLED; that is
    /// decided from our own records, before SES is asked.
    ///
    /// # Errors
    /// [`UnrecognisedStatus`] when SES reports an aggregate this code does not know:
    /// keep the last known status and log it rather than guess.
    pub fn from_aws(view: &AwsTenantView) -> Result<Self, UnrecognisedStatus> {
        match &view.aggregate {
            AwsSendingStatus::Enabled | AwsSendingStatus::Reinstated => Ok(Self::Enabled),
            AwsSendingStatus::Disabled if view.is_enforced_by_ses() => Ok(Self::Enforced),
            AwsSendingStatus::Disabled => Ok(Self::Paused),
            AwsSendingStatus::Unknown(other) => Err(UnrecognisedStatus(other.clone())),
        }
    }
}

impl fmt::Display for SendingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SendingStatus {
    type Err = UnrecognisedStatus;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "ENABLED" => Ok(Self::Enabled),
            "PAUSED" => Ok(Self::Paused),
            "ENFORCED" => Ok(Self::Enforced),
            "DISABLED" => Ok(Self::Disabled),
            other => Err(UnrecognisedStatus(other.to_owned())),
        }
    }
}

/// A sending status as SES reports it (`SendingStatus` in the SES API).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsSendingStatus {
    /// Sending allowed.
    Enabled,
    /// Sending stopped.
    Disabled,
    /// Sending allowed again while findings are still open.
    Reinstated,
    /// A value newer than this code.
    Unknown(String),
}

impl AwsSendingStatus {
    /// Parses the SES wire value; anything unexpected is kept as [`Self::Unknown`].
    #[must_use]
    pub fn from_wire(text: &str) -> Self {
        match text {
            "ENABLED" => Self::Enabled,
            "DISABLED" => Self::Disabled,
            "REINSTATED" => Self::Reinstated,
            other => Self::Unknown(other.to_owned()),
        }
    }
}

/// One of the two status records SES keeps on a reputation entity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRecord {
    /// The record's status.
    pub status: AwsSendingStatus,
    /// Why it was last set, in SES's words.
    pub cause: Option<String>,
}

/// The reputation policy attached to a tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReputationPolicy {
    /// Never pauses automatically (AWS Trust & Safety still can).
    None,
    /// Pauses on high-impact findings (the default for new tenants).
    Standard,
    /// Pauses on any finding.
    Strict,
    /// A policy this code does not know, by ARN.
    Other(String),
}

impl ReputationPolicy {
    /// Parses a policy ARN such as `arn:aws:ses:us-east-1:aws:reputation-policy/standard`.
    #[must_use]
    pub fn from_arn(arn: &str) -> Self {
        match arn.rsplit_once("reputation-policy/").map(|(_, name)| name) {
            Some("none") => Self::None,
            Some("standard") => Self::Standard,
            Some("strict") => Self::Strict,
            _ => Self::Other(arn.to_owned()),
        }
    }
}

/// What SES says about a tenant's ability to send (GetTenant + GetReputationEntity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsTenantView {
    /// `SendingStatusAggregate`: DISABLED when either record is DISABLED.
    pub aggregate: AwsSendingStatus,
    /// The platform's own pause or reinstatement.
    pub customer_managed: Option<StatusRecord>,
    /// SES's verdict, from the reputation policy or from AWS review.
    pub aws_managed: Option<StatusRecord>,
    /// The tenant's reputation policy, when known.
    pub policy: Option<ReputationPolicy>,
}

impl AwsTenantView {
    /// SES stopped the tenant on its own authority rather than by the tenant's policy:
    /// nothing but SES can pause under policy `none`, and SES says "enforcement" or
    /// "review" when its people did it.
    fn is_enforced_by_ses(&self) -> bool {
        let Some(aws) = &self.aws_managed else {
            return false;
        };
        if aws.status != AwsSendingStatus::Disabled {
            return false;
        }
        let policy_never_pauses = self.policy == Some(ReputationPolicy::None);
        let cause_says_enforcement = aws.cause.as_deref().is_some_and(|cause| {
            let cause = cause.to_ascii_lowercase();
            cause.contains("enforce") || cause.contains("review")
        });
        policy_never_pauses || cause_says_enforcement
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(status: AwsSendingStatus, cause: Option<&str>) -> StatusRecord {
        StatusRecord {
            status,
            cause: cause.map(str::to_owned),
        }
    }

    fn view(
        aggregate: AwsSendingStatus,
        aws_managed: StatusRecord,
        policy: ReputationPolicy,
    ) -> AwsTenantView {
        AwsTenantView {
            aggregate,
            customer_managed: Some(record(AwsSendingStatus::Enabled, None)),
            aws_managed: Some(aws_managed),
            policy: Some(policy),
        }
    }

    use AwsSendingStatus::{Disabled, Enabled, Reinstated};

    #[test]
    fn aggregate_enabled_is_enabled() {
        let v = view(Enabled, record(Enabled, None), ReputationPolicy::Standard);
        assert_eq!(SendingStatus::from_aws(&v), Ok(SendingStatus::Enabled));
    }

    #[test]
    fn aggregate_reinstated_is_enabled() {
        let v = view(
            Reinstated,
            record(Reinstated, None),
            ReputationPolicy::Standard,
        );
        assert_eq!(SendingStatus::from_aws(&v), Ok(SendingStatus::Enabled));
    }

    #[test]
    fn ses_disabled_under_policy_none_is_enforced() {
        let v = view(Disabled, record(Disabled, None), ReputationPolicy::None);
        assert_eq!(SendingStatus::from_aws(&v), Ok(SendingStatus::Enforced));
    }

    #[test]
    fn ses_disabled_with_an_enforcement_or_review_cause_is_enforced() {
        for cause in [
            "Enforcement action by AWS Trust & Safety",
            "Under REVIEW for complaints",
        ] {
            let v = view(
                Disabled,
                record(Disabled, Some(cause)),
                ReputationPolicy::Standard,
            );
            assert_eq!(
                SendingStatus::from_aws(&v),
                Ok(SendingStatus::Enforced),
                "{cause}"
            );
        }
    }

    #[test]
    fn ses_disabled_by_the_reputation_policy_is_paused() {
        let v = view(
            Disabled,
            record(Disabled, Some("Bounce rate exceeded the standard policy")),
            ReputationPolicy::Standard,
        );
        assert_eq!(SendingStatus::from_aws(&v), Ok(SendingStatus::Paused));
    }

    #[test]
    fn platform_pause_is_paused_even_under_policy_none() {
        let v = AwsTenantView {
            aggregate: Disabled,
            customer_managed: Some(record(Disabled, Some("paused by the platform"))),
            aws_managed: Some(record(Enabled, None)),
            policy: Some(ReputationPolicy::None),
        };
        assert_eq!(SendingStatus::from_aws(&v), Ok(SendingStatus::Paused));
    }

    #[test]
    fn unknown_aggregate_is_reported_not_guessed() {
        let v = view(
            AwsSendingStatus::from_wire("QUARANTINED"),
            record(Enabled, None),
            ReputationPolicy::Standard,
        );
        assert_eq!(
            SendingStatus::from_aws(&v),
            Err(UnrecognisedStatus("QUARANTINED".into()))
        );
    }

    #[test]
    fn badges_follow_the_status() {
        assert_eq!(SendingStatus::Enabled.badge(), Badge::Green);
        assert_eq!(SendingStatus::Paused.badge(), Badge::Red);
        assert_eq!(SendingStatus::Enforced.badge(), Badge::Red);
        assert_eq!(SendingStatus::Disabled.badge(), Badge::Yellow);
    }

    #[test]
    fn wire_form_round_trips() {
        for status in [
            SendingStatus::Enabled,
            SendingStatus::Paused,
            SendingStatus::Enforced,
            SendingStatus::Disabled,
        ] {
            assert_eq!(status.as_str().parse(), Ok(status));
        }
        assert!("enabled".parse::<SendingStatus>().is_err());
    }

    #[test]
    fn policy_is_read_from_its_arn() {
        let arn = |name: &str| format!("arn:aws:ses:us-east-1:aws:reputation-policy/{name}");
        assert_eq!(
            ReputationPolicy::from_arn(&arn("none")),
            ReputationPolicy::None
        );
        assert_eq!(
            ReputationPolicy::from_arn(&arn("standard")),
            ReputationPolicy::Standard
        );
        assert_eq!(
            ReputationPolicy::from_arn(&arn("strict")),
            ReputationPolicy::Strict
        );
        assert!(matches!(
            ReputationPolicy::from_arn("custom"),
            ReputationPolicy::Other(_)
        ));
    }
}
