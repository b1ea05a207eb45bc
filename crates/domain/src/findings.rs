//! Reputation findings: what SES recommends about a tenant, and what its own bounce and
//! complaint rates say before SES does.

use std::fmt;

use chrono::{DateTime, Utc};

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FindingType {
    /// Bounces against sends.
    BounceRate,
    /// Complaints against sends.
    ComplaintRate,
    /// DKIM set-up.
    Dkim,
    /// DMARC set-up.
    Dmarc,
    /// SPF set-up.
    Spf,
    /// BIMI set-up.
    Bimi,
    /// Third-party feedback loops.
    Feedback3p,
    /// The sending IPs are on a block list.
    IpListing,
    /// A recommendation type newer than this code, kept as SES named it.
    Other(String),
}

impl FindingType {
    /// Maps a VDM recommendation type (`BOUNCE`, `DKIM`, ...) to a finding type.
    #[must_use]
    pub fn from_recommendation_type(kind: &str) -> Self {
        match kind {
            "BOUNCE" => Self::BounceRate,
            "COMPLAINT" => Self::ComplaintRate,
            "DKIM" => Self::Dkim,
            "DMARC" => Self::Dmarc,
            "SPF" => Self::Spf,
            "BIMI" => Self::Bimi,
            "FEEDBACK_3P" => Self::Feedback3p,
            "IP_LISTING" => Self::IpListing,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire and storage form: `BOUNCE_RATE`, `COMPLAINT_RATE`, `DKIM`, ...
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::BounceRate => "BOUNCE_RATE",
            Self::ComplaintRate => "COMPLAINT_RATE",
            Self::Dkim => "DKIM",
            Self::Dmarc => "DMARC",
            Self::Spf => "SPF",
            Self::Bimi => "BIMI",
            Self::Feedback3p => "FEEDBACK_3P",
            Self::IpListing => "IP_LISTING",
            Self::Other(kind) => kind,
        }
    }

    /// Parses the storage form written by [`FindingType::as_str`].
    #[must_use]
    pub fn from_stored(text: &str) -> Self {
        match text {
            "BOUNCE_RATE" => Self::BounceRate,
            "COMPLAINT_RATE" => Self::ComplaintRate,
            other => Self::from_recommendation_type(other),
        }
    }
}

impl fmt::Display for FindingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How urgent a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// Trending toward a threshold.
    Warning,
    /// At or past a threshold: SES may pause the tenant.
    Critical,
}

impl Severity {
    /// `WARNING` or `CRITICAL`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Warning => "WARNING",
            Self::Critical => "CRITICAL",
        }
    }

    /// Parses the storage form; `None` for anything else.
    #[must_use]
    pub fn from_stored(text: &str) -> Option<Self> {
        match text {
            "WARNING" => Some(Self::Warning),
            "CRITICAL" => Some(Self::Critical),
            _ => None,
        }
    }
}

/// An open reputation finding on a tenant, as the dashboard lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// What it is about.
    pub finding_type: FindingType,
    /// How urgent it is.
    pub severity: Severity,
    /// The measured rate (0.038 for 3.8%), when the finding comes from metrics.
    pub rate: Option<f64>,
    /// The threshold the rate is measured against, when known.
    pub threshold: Option<f64>,
    /// A sentence for the customer.
    pub message: String,
    /// When the condition was first seen.
    pub detected_at: DateTime<Utc>,
}

/// How much a VDM recommendation matters, in SES's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecommendationImpact {
    /// Can pause the tenant.
    High,
    /// Worth fixing.
    Low,
}

/// An open VDM recommendation (`ListRecommendations`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recommendation {
    /// The resource it is about: for a tenant, the tenant's ARN.
    pub resource_arn: String,
    /// The VDM type: `BOUNCE`, `COMPLAINT`, `DKIM`, ...
    pub kind: String,
    /// SES's impact rating.
    pub impact: RecommendationImpact,
    /// SES's description, shown to the customer as is.
    pub description: String,
    /// When SES opened it.
    pub created_at: DateTime<Utc>,
}

impl From<Recommendation> for Finding {
    /// HIGH impact is CRITICAL, LOW is WARNING; SES gives no numbers, so no rate.
    fn from(recommendation: Recommendation) -> Self {
        Self {
            finding_type: FindingType::from_recommendation_type(&recommendation.kind),
            severity: match recommendation.impact {
                RecommendationImpact::High => Severity::Critical,
                RecommendationImpact::Low => Severity::Warning,
            },
            rate: None,
            threshold: None,
            message: recommendation.description,
            detected_at: recommendation.created_at,
        }
    }
}

/// A tenant's sending volume over a window, mailbox-simulator sends excluded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendingCounts {
    /// Messages accepted for sending.
    pub sends: u64,
    /// Permanent (hard) bounces; transient ones do not hurt reputation.
    pub permanent_bounces: u64,
    /// Complaints.
    pub complaints: u64,
}

/// When bounce and complaint rates become findings.
///
/// The thresholds are the ones at which SES puts an account under review; a rate at or
/// above `warning_fraction` of a threshold is a WARNING, at or above the threshold
/// CRITICAL. Below `minimum_sends` no rate is meaningful and nothing is reported.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateRule {
    /// Bounce rate SES reviews at (0.05).
    pub bounce_threshold: f64,
    /// Complaint rate SES reviews at (0.001).
    pub complaint_threshold: f64,
    /// Fraction of a threshold from which a rate is "approaching" it (0.6).
    pub warning_fraction: f64,
    /// Sends needed in the window before rates are judged.
    pub minimum_sends: u64,
}

impl Default for RateRule {
    fn default() -> Self {
        Self {
            bounce_threshold: 0.05,
            complaint_threshold: 0.001,
            warning_fraction: 0.6,
            minimum_sends: 200,
        }
    }
}

impl RateRule {
    /// The rate findings `counts` call for, stamped `detected_at`.
    #[must_use]
    pub fn evaluate(&self, counts: SendingCounts, detected_at: DateTime<Utc>) -> Vec<Finding> {
        if counts.sends == 0 || counts.sends < self.minimum_sends {
            return Vec::new();
        }
        let checks = [
            (
                FindingType::BounceRate,
                "Bounce rate",
                counts.permanent_bounces,
                self.bounce_threshold,
            ),
            (
                FindingType::ComplaintRate,
                "Complaint rate",
                counts.complaints,
                self.complaint_threshold,
            ),
        ];
        checks
            .into_iter()
            .filter_map(|(finding_type, label, events, threshold)| {
                #[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
                let rate = events as f64 / counts.sends as f64;
                let severity = self.severity(rate, threshold)?;
                let percent = format_percent(threshold);
                let message = match severity {
                    Severity::Warning => {
                        format!("{label} is approaching {percent} (SES auto-pause threshold).")
                    }
                    Severity::Critical => {
                        format!("{label} is at or above {percent} (SES auto-pause threshold).")
                    }
                };
                Some(Finding {
                    finding_type,
                    severity,
                    rate: Some(rate),
                    threshold: Some(threshold),
                    message,
                    detected_at,
                })
            })
            .collect()
    }

    fn severity(&self, rate: f64, threshold: f64) -> Option<Severity> {
        if rate >= threshold {
            Some(Severity::Critical)
        } else if rate >= threshold * self.warning_fraction {
            Some(Severity::Warning)
        } else {
            None
        }
    }
}

/// `0.05` -> `5%`, `0.001` -> `0.1%`.
fn format_percent(fraction: f64) -> String {
    let text = format!("{:.4}", fraction * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-04-27T22:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn counts(sends: u64, permanent_bounces: u64, complaints: u64) -> SendingCounts {
        SendingCounts {
            sends,
            permanent_bounces,
            complaints,
        }
    }

    fn only(findings: &[Finding]) -> &Finding {
        assert_eq!(findings.len(), 1, "expected one finding, got {findings:?}");
        &findings[0]
    }

    #[test]
    fn bounce_rate_approaching_the_threshold_is_a_warning_as_in_the_seed() {
        let findings = RateRule::default().evaluate(counts(1000, 38, 0), at());
        assert_eq!(
            only(&findings),
            &Finding {
                finding_type: FindingType::BounceRate,
                severity: Severity::Warning,
                rate: Some(0.038),
                threshold: Some(0.05),
                message: "Bounce rate is approaching 5% (SES auto-pause threshold).".into(),
                detected_at: at(),
            }
        );
    }

    #[test]
    fn bounce_rate_just_below_the_warning_line_is_nothing() {
        assert!(
            RateRule::default()
                .evaluate(counts(1000, 29, 0), at())
                .is_empty()
        );
    }

    #[test]
    fn bounce_rate_exactly_at_the_warning_line_is_a_warning() {
        let findings = RateRule::default().evaluate(counts(1000, 30, 0), at());
        assert_eq!(only(&findings).severity, Severity::Warning);
    }

    #[test]
    fn bounce_rate_just_below_the_threshold_is_still_a_warning() {
        let findings = RateRule::default().evaluate(counts(1000, 49, 0), at());
        assert_eq!(only(&findings).severity, Severity::Warning);
    }

    #[test]
    fn bounce_rate_at_the_threshold_is_critical() {
        let findings = RateRule::default().evaluate(counts(1000, 50, 0), at());
        let finding = only(&findings);
        assert_eq!(finding.severity, Severity::Critical);
        assert_eq!(
            finding.message,
            "Bounce rate is at or above 5% (SES auto-pause threshold)."
        );
    }

    #[test]
    fn complaint_rate_is_judged_against_a_tenth_of_a_percent() {
        let rule = RateRule::default();
        assert!(rule.evaluate(counts(10_000, 0, 5), at()).is_empty());
        let warning = rule.evaluate(counts(10_000, 0, 6), at());
        assert_eq!(only(&warning).finding_type, FindingType::ComplaintRate);
        assert_eq!(only(&warning).severity, Severity::Warning);
        assert_eq!(
            only(&warning).message,
            "Complaint rate is approaching 0.1% (SES auto-pause threshold)."
        );
        let critical = rule.evaluate(counts(10_000, 0, 10), at());
        assert_eq!(only(&critical).severity, Severity::Critical);
        assert_eq!(only(&critical).threshold, Some(0.001));
    }

    #[test]
    fn both_rates_can_be_reported_at_once() {
        let findings = RateRule::default().evaluate(counts(1000, 60, 2), at());
        let types: Vec<_> = findings.iter().map(|f| f.finding_type.clone()).collect();
        assert_eq!(types, [FindingType::BounceRate, FindingType::ComplaintRate]);
    }

    #[test]
    fn volume_below_the_minimum_reports_nothing_however_bad() {
        let rule = RateRule {
            minimum_sends: 200,
            ..RateRule::default()
        };
        assert!(rule.evaluate(counts(199, 199, 199), at()).is_empty());
        assert_eq!(rule.evaluate(counts(200, 20, 0), at()).len(), 1);
    }

    #[test]
    fn no_sends_reports_nothing_even_with_a_zero_minimum() {
        let rule = RateRule {
            minimum_sends: 0,
            ..RateRule::default()
        };
        assert!(rule.evaluate(counts(0, 0, 0), at()).is_empty());
    }

    #[test]
    fn high_impact_recommendation_is_critical_low_is_warning() {
        let recommendation = |kind: &str, impact| Recommendation {
            resource_arn: "arn:aws:ses:us-east-1:123456789012:tenant/ph-1/tn-1".into(),
            kind: kind.into(),
            impact,
            description: "The bounce rate exceeded 15.0%".into(),
            created_at: at(),
        };
        let high = Finding::from(recommendation("BOUNCE", RecommendationImpact::High));
        assert_eq!(high.finding_type, FindingType::BounceRate);
        assert_eq!(high.severity, Severity::Critical);
        assert_eq!((high.rate, high.threshold), (None, None));
        assert_eq!(high.message, "The bounce rate exceeded 15.0%");
        let low = Finding::from(recommendation("COMPLAINT", RecommendationImpact::Low));
        assert_eq!(low.finding_type, FindingType::ComplaintRate);
        assert_eq!(low.severity, Severity::Warning);
        assert_eq!(
            Finding::from(recommendation("DKIM", RecommendationImpact::Low)).finding_type,
            FindingType::Dkim
        );
    }

    #[test]
    fn finding_types_round_trip_through_storage() {
        for kind in [
            "BOUNCE_RATE",
            "COMPLAINT_RATE",
            "DKIM",
            "IP_LISTING",
            "SOMETHING_NEW",
        ] {
            assert_eq!(FindingType::from_stored(kind).as_str(), kind);
        }
    }
}
