//! The edge where SDK errors become [`SesError`]s: one mapping for every operation, by
//! the SES error code, so callers never see SDK types. Call sites reach it through
//! `observe.rs` (`.send().observed("GetTenant")`), which also records the call.

use aws_sdk_sesv2::config::http::HttpResponse;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use posthawk_domain::ports::SesError;

/// A quota such as tenants per region: retrying cannot help (see [`crate::client`]).
pub(crate) const LIMIT_EXCEEDED: &str = "LimitExceededException";
/// Another request changed the resource at the same time: retrying usually helps.
pub(crate) const CONCURRENT_MODIFICATION: &str = "ConcurrentModificationException";

/// Translates an SDK error into the domain's terms.
///
/// Service errors are classified by their code, as SES documents them; what is left is
/// `Unavailable` when SES or the network is at fault (timeouts, dispatch failures, 5xx)
/// and `Unexpected` otherwise, both carrying the full cause chain. Variants that carry a
/// message carry SES's own message.
pub(crate) fn map_sdk_error<E>(
    operation: &'static str,
    error: SdkError<E, HttpResponse>,
) -> SesError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let (code, message, status) = match &error {
        SdkError::ServiceError(service) => (
            service.err().code().map(str::to_owned),
            service.err().message().map(str::to_owned),
            Some(service.raw().status().as_u16()),
        ),
        SdkError::ResponseError(response) => (None, None, Some(response.raw().status().as_u16())),
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => {
            return SesError::Unavailable(
                anyhow::Error::new(error).context(format!("SES {operation} did not complete")),
            );
        }
        _ => (None, None, None),
    };
    // SES's message when it gave one, else the code, so the text is never empty.
    let said = || {
        message
            .clone()
            .or_else(|| code.clone())
            .unwrap_or_else(|| "no message".to_owned())
    };
    match code.as_deref() {
        Some("AlreadyExistsException") => SesError::AlreadyExists(said()),
        Some("NotFoundException") => SesError::NotFound(said()),
        Some("TooManyRequestsException") => SesError::Throttled,
        Some(LIMIT_EXCEEDED) => SesError::QuotaExceeded(said()),
        Some(
            "BadRequestException"
            | "MessageRejected"
            | "MailFromDomainNotVerifiedException"
            | "ConflictException",
        ) => SesError::Rejected(said()),
        Some("SendingPausedException" | "AccountSuspendedException") => {
            SesError::SendingPaused(said())
        }
        Some(CONCURRENT_MODIFICATION | "InternalServiceErrorException") => SesError::Unavailable(
            with_context(operation, code.as_deref(), message.as_deref(), error),
        ),
        _ if status.is_some_and(|status| status >= 500) => SesError::Unavailable(with_context(
            operation,
            code.as_deref(),
            message.as_deref(),
            error,
        )),
        _ => SesError::Unexpected(with_context(
            operation,
            code.as_deref(),
            message.as_deref(),
            error,
        )),
    }
}

/// The error as a cause chain headed by what was called and what SES said.
fn with_context<E>(
    operation: &'static str,
    code: Option<&str>,
    message: Option<&str>,
    error: SdkError<E, HttpResponse>,
) -> anyhow::Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = match (code, message) {
        (Some(code), Some(message)) => format!(": {code}: {message}"),
        (Some(text), None) | (None, Some(text)) => format!(": {text}"),
        (None, None) => String::new(),
    };
    anyhow::Error::new(error).context(format!("SES {operation} failed{detail}"))
}

#[cfg(test)]
mod tests {
    use aws_sdk_sesv2::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_sesv2::operation::create_tenant::CreateTenantError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    use super::*;

    fn service_error(status: u16, code: &str, message: &str) -> SesError {
        let error = CreateTenantError::generic(
            ErrorMetadata::builder().code(code).message(message).build(),
        );
        let raw = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
        map_sdk_error("CreateTenant", SdkError::service_error(error, raw))
    }

    #[test]
    fn resource_state_codes_carry_the_ses_message() {
        assert!(matches!(
            service_error(400, "AlreadyExistsException", "Tenant ph-1 exists."),
            SesError::AlreadyExists(message) if message == "Tenant ph-1 exists."
        ));
        assert!(matches!(
            service_error(404, "NotFoundException", "No tenant ph-1."),
            SesError::NotFound(message) if message == "No tenant ph-1."
        ));
    }

    #[test]
    fn throttling_and_quota_are_told_apart() {
        assert!(matches!(
            service_error(429, "TooManyRequestsException", "Slow down."),
            SesError::Throttled
        ));
        assert!(matches!(
            service_error(400, "LimitExceededException", "Tenant quota reached."),
            SesError::QuotaExceeded(message) if message == "Tenant quota reached."
        ));
    }

    #[test]
    fn invalid_requests_are_rejected_with_the_ses_message() {
        for code in [
            "BadRequestException",
            "MessageRejected",
            "MailFromDomainNotVerifiedException",
            "ConflictException",
        ] {
            assert!(
                matches!(service_error(400, code, "Nope."), SesError::Rejected(message) if message == "Nope."),
                "{code}"
            );
        }
    }

    #[test]
    fn paused_or_suspended_sending_is_sending_paused() {
        for code in ["SendingPausedException", "AccountSuspendedException"] {
            assert!(
                matches!(service_error(400, code, "Paused."), SesError::SendingPaused(message) if message == "Paused."),
                "{code}"
            );
        }
    }

    #[test]
    fn server_side_failures_are_unavailable_with_their_cause() {
        let SesError::Unavailable(cause) =
            service_error(500, "ConcurrentModificationException", "Try again.")
        else {
            panic!("expected Unavailable");
        };
        assert_eq!(
            cause.to_string(),
            "SES CreateTenant failed: ConcurrentModificationException: Try again."
        );
        assert!(matches!(
            service_error(503, "ServiceUnavailable", "Down."),
            SesError::Unavailable(_)
        ));
    }

    #[test]
    fn timeouts_and_dispatch_failures_are_unavailable() {
        let timeout = map_sdk_error::<CreateTenantError>(
            "CreateTenant",
            SdkError::timeout_error("took too long"),
        );
        assert!(matches!(timeout, SesError::Unavailable(_)));
        let dispatch = map_sdk_error::<CreateTenantError>(
            "CreateTenant",
            SdkError::dispatch_failure(ConnectorError::io("connection refused".into())),
        );
        let SesError::Unavailable(cause) = dispatch else {
            panic!("expected Unavailable");
        };
        assert!(
            format!("{cause:#}").contains("connection refused"),
            "the chain keeps the cause: {cause:#}"
        );
    }

    #[test]
    fn an_unknown_client_error_is_unexpected_with_the_full_chain() {
        let SesError::Unexpected(cause) = service_error(403, "AccessDeniedException", "Denied.")
        else {
            panic!("expected Unexpected");
        };
        let chain = format!("{cause:#}");
        assert!(
            chain.starts_with("SES CreateTenant failed: AccessDeniedException: Denied."),
            "{chain}"
        );
    }
}
