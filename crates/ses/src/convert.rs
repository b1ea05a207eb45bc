//! Conversions between SDK shapes and domain types used by more than one port.

use anyhow::anyhow;
use aws_sdk_sesv2::primitives::DateTime as AwsDateTime;
use aws_sdk_sesv2::types::SendingStatus;
use chrono::{DateTime, Utc};
use posthawk_domain::AwsSendingStatus;

/// A sending status as SES reported it; a missing one is kept as an empty
/// [`AwsSendingStatus::Unknown`] so the status mapping logs it instead of guessing.
pub(crate) fn aws_status(status: Option<&SendingStatus>) -> AwsSendingStatus {
    status.map_or_else(
        || AwsSendingStatus::Unknown(String::new()),
        |status| AwsSendingStatus::from_wire(status.as_str()),
    )
}

/// An SDK timestamp as a `chrono` one.
pub(crate) fn to_chrono(at: &AwsDateTime) -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp(at.secs(), at.subsec_nanos())
        .ok_or_else(|| anyhow!("SES returned a timestamp out of range: {at}"))
}

/// A `chrono` timestamp as an SDK one.
pub(crate) fn to_aws(at: DateTime<Utc>) -> AwsDateTime {
    AwsDateTime::from_secs_and_nanos(at.timestamp(), at.timestamp_subsec_nanos())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_to_the_nanosecond() {
        let at = DateTime::parse_from_rfc3339("2026-04-27T22:00:00.123456789Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(to_chrono(&to_aws(at)).unwrap(), at);
    }

    #[test]
    fn statuses_are_read_from_the_wire_and_a_missing_one_is_unknown() {
        assert_eq!(
            aws_status(Some(&SendingStatus::Reinstated)),
            AwsSendingStatus::Reinstated
        );
        assert_eq!(aws_status(None), AwsSendingStatus::Unknown(String::new()));
    }
}
