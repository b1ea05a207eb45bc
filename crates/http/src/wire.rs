//! How domain values are written on the wire, shared by every route module: timestamps,
//! and the OpenAPI schemas of the closed string enums whose text the domain owns.

use chrono::{DateTime, SecondsFormat, Utc};
use posthawk_domain::ports::DomainState;
use posthawk_domain::{SendingStatus, Severity};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

/// ISO-8601 in UTC with a `Z` and whole seconds (`2026-04-28T10:00:00Z`), the form of
/// every time in the API; sub-second precision is dropped, not rounded.
pub(crate) fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The schema of a [`SendingStatus`], listing the domain's own wire forms.
pub(crate) fn sending_status_schema() -> Object {
    // The match makes a new domain status a compile error here instead of a silently
    // incomplete document.
    let all = [
        SendingStatus::Enabled,
        SendingStatus::Paused,
        SendingStatus::Enforced,
        SendingStatus::Disabled,
    ];
    let _exhaustive = |status: SendingStatus| match status {
        SendingStatus::Enabled
        | SendingStatus::Paused
        | SendingStatus::Enforced
        | SendingStatus::Disabled => (),
    };
    string_enum(
        "Whether the workspace can send in the region: ENABLED (green), PAUSED or \
         ENFORCED (red), DISABLED (yellow: no tenant yet, provisioning unfinished, or torn down).",
        all.map(SendingStatus::as_str),
    )
}

/// The schema of a [`Severity`], listing the domain's own wire forms.
pub(crate) fn severity_schema() -> Object {
    let all = [Severity::Warning, Severity::Critical];
    let _exhaustive = |severity: Severity| match severity {
        Severity::Warning | Severity::Critical => (),
    };
    string_enum(
        "WARNING when trending toward a threshold, CRITICAL at or past it.",
        all.map(Severity::as_str),
    )
}

/// The schema of a [`DomainState`], listing the domain's own wire forms.
pub(crate) fn domain_status_schema() -> Object {
    let all = [
        DomainState::Provisioning,
        DomainState::Active,
        DomainState::Deleting,
    ];
    let _exhaustive = |state: DomainState| match state {
        DomainState::Provisioning | DomainState::Active | DomainState::Deleting => (),
    };
    string_enum(
        "provisioning until the domain's SES identity exists and belongs to the workspace's \
         tenant, then active (it can send); deleting once removed, until SES is cleaned up.",
        all.map(DomainState::as_str),
    )
}

fn string_enum<const N: usize>(description: &str, values: [&str; N]) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_utc_with_z_and_whole_seconds() {
        let at = DateTime::parse_from_rfc3339("2026-04-28T12:00:00.987654+02:00")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(timestamp(at), "2026-04-28T10:00:00Z");
    }
}
