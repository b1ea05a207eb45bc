//! The one place where errors become HTTP responses: every failure a client can see is an
//! [`ApiError`], whose variant fixes the status, the stable [`ErrorCode`] and the public
//! message, and which logs its cause chain (the only place causes go).

use std::error::Error as StdError;
use std::fmt;

use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use posthawk_domain::use_cases::{
    AddDomainError, BackfillError, DomainError, FindingsError, SendError, TenantStatusError,
};
use posthawk_domain::{DomainName, InvalidDomainName, Region, RegionNotServed, SendingStatus};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthError;
use crate::envelope;

/// The stable, machine-readable code of an error response; each has one HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: a path segment, query string or JSON body could not be read.
    BadRequest,
    /// 400: the region is not one this deployment serves.
    RegionNotServed,
    /// 401: the bearer token is missing or invalid.
    Unauthorized,
    /// 403: the token is valid but lacks the role the endpoint needs.
    Forbidden,
    /// 403: the from-address's domain is not one of the workspace's domains.
    DomainNotOwned,
    /// 404: no endpoint at this path.
    NotFound,
    /// 404: the workspace has no tenant in the region.
    TenantNotFound,
    /// 404: the workspace has no domain with this id.
    DomainNotFound,
    /// 405: the endpoint exists but not with this method.
    MethodNotAllowed,
    /// 409: a workspace (this one or another) already has the domain.
    DomainAlreadyRegistered,
    /// 409: the from-domain or its tenant is still being set up in SES; retry later.
    TenantNotReady,
    /// 409: the tenant may not send (PAUSED, ENFORCED or DISABLED).
    TenantNotEnabled,
    /// 413: the request body is larger than allowed.
    PayloadTooLarge,
    /// 415: the request body is not JSON.
    UnsupportedMediaType,
    /// 422: the domain name is not a valid DNS name; the message says which rule it breaks.
    InvalidDomain,
    /// 422: the email cannot be sent as given (no recipients, no body, ...); the message
    /// says why.
    InvalidMessage,
    /// 422: SES refused the message; the message carries SES's reason.
    RejectedBySes,
    /// 500: a bug or an unexpected failure; the details are in the server's log.
    InternalError,
    /// 503: a dependency (the database) is down; retry later.
    ServiceUnavailable,
}

impl ErrorCode {
    /// The HTTP status every response with this code has.
    #[must_use]
    pub const fn status(self) -> StatusCode {
        match self {
            Self::BadRequest | Self::RegionNotServed => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden | Self::DomainNotOwned => StatusCode::FORBIDDEN,
            Self::NotFound | Self::TenantNotFound | Self::DomainNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::DomainAlreadyRegistered | Self::TenantNotReady | Self::TenantNotEnabled => {
                StatusCode::CONFLICT
            }
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::InvalidDomain | Self::InvalidMessage | Self::RejectedBySes => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            Self::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Self::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// Everything that can go wrong in a request, as the client sees it.
///
/// The `Display` text of a variant is the public `message`, written here and never taken
/// from a cause; causes are `source()`s, which only reach the log.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A path segment, query string or JSON body could not be read.
    #[error("{message}")]
    BadRequest {
        /// Says which part of the request is wrong, in our words.
        message: String,
        /// The parser's complaint, for the log.
        #[source]
        cause: Option<anyhow::Error>,
    },
    /// The region is not served by this deployment.
    #[error("region {:?} is not served", .0.0)]
    RegionNotServed(RegionNotServed),
    /// No usable bearer token.
    #[error("{}", .0.public_message())]
    Unauthorized(#[source] AuthError),
    /// A valid token without the admin role on an admin endpoint.
    #[error("this endpoint needs an admin token")]
    Forbidden {
        /// The token's `sub`, for the log.
        subject: String,
    },
    /// The workspace has no tenant in the region.
    #[error("the workspace has no tenant in {0}")]
    TenantNotFound(Region),
    /// The domain name is malformed; the domain's own text says which rule it breaks.
    #[error("{0}")]
    InvalidDomain(InvalidDomainName),
    /// A workspace, this one or another, already has the domain.
    #[error("domain {0} is already registered")]
    DomainAlreadyRegistered(DomainName),
    /// The workspace has no live domain with the id (another workspace's ids included).
    #[error("the workspace has no such domain")]
    DomainNotFound,
    /// The email cannot be sent as given; the domain's text says why.
    #[error("{0}")]
    InvalidMessage(String),
    /// The from-address's domain is not one of the workspace's domains.
    #[error("{0} is not a sending domain of this workspace")]
    DomainNotOwned(DomainName),
    /// The from-domain or its tenant is still being set up in SES.
    #[error("{0} is not ready to send yet: its SES set-up is still in progress")]
    TenantNotReady(DomainName),
    /// The tenant may not send.
    #[error("sending is {0} for this workspace in this region")]
    TenantNotEnabled(SendingStatus),
    /// SES refused the message, with its reason.
    #[error("SES rejected the message: {0}")]
    RejectedBySes(String),
    /// No endpoint at this path.
    #[error("no endpoint at this path")]
    NotFound,
    /// The endpoint does not accept this method.
    #[error("method not allowed on this endpoint")]
    MethodNotAllowed,
    /// The request body is larger than allowed.
    #[error("request body is too large")]
    PayloadTooLarge,
    /// The request body is not `application/json`.
    #[error("request body must be application/json")]
    UnsupportedMediaType,
    /// A dependency is down; worth retrying later.
    #[error("service unavailable, try again later")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else: a bug or an unexpected failure.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    /// A 400 `bad_request` whose public message is `message`.
    #[must_use]
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::BadRequest {
            message: message.into(),
            cause: None,
        }
    }

    /// The stable code of this error.
    #[must_use]
    pub const fn code(&self) -> ErrorCode {
        match self {
            Self::BadRequest { .. } => ErrorCode::BadRequest,
            Self::RegionNotServed(_) => ErrorCode::RegionNotServed,
            Self::Unauthorized(_) => ErrorCode::Unauthorized,
            Self::Forbidden { .. } => ErrorCode::Forbidden,
            Self::TenantNotFound(_) => ErrorCode::TenantNotFound,
            Self::InvalidDomain(_) => ErrorCode::InvalidDomain,
            Self::DomainAlreadyRegistered(_) => ErrorCode::DomainAlreadyRegistered,
            Self::DomainNotFound => ErrorCode::DomainNotFound,
            Self::InvalidMessage(_) => ErrorCode::InvalidMessage,
            Self::DomainNotOwned(_) => ErrorCode::DomainNotOwned,
            Self::TenantNotReady(_) => ErrorCode::TenantNotReady,
            Self::TenantNotEnabled(_) => ErrorCode::TenantNotEnabled,
            Self::RejectedBySes(_) => ErrorCode::RejectedBySes,
            Self::NotFound => ErrorCode::NotFound,
            Self::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            Self::PayloadTooLarge => ErrorCode::PayloadTooLarge,
            Self::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Internal(_) => ErrorCode::InternalError,
        }
    }

    /// Logs the error with its whole cause chain, at a level that says who must act:
    /// `error` for our bugs, `warn` for outages, `info` for refused credentials, `debug`
    /// for the client's own mistakes.
    fn log(&self) {
        let chain = Chain(self);
        match self {
            Self::Internal(_) => tracing::error!(error = %chain, "request failed"),
            Self::Unavailable(_) => tracing::warn!(error = %chain, "dependency unavailable"),
            Self::Unauthorized(_) => tracing::info!(reason = %chain, "request not authenticated"),
            Self::Forbidden { subject } => {
                tracing::info!(%subject, "admin endpoint refused to a non-admin token");
            }
            // Worth an operator's eye: a send that SES refused, or that a tenant's status
            // stopped, may point at a reputation problem or at our own set-up.
            Self::RejectedBySes(_) | Self::TenantNotEnabled(_) => {
                tracing::info!(error = %chain, "send refused");
            }
            _ => tracing::debug!(error = %chain, "request refused"),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code().status()
    }

    fn error_response(&self) -> HttpResponse {
        self.log();
        let mut response = envelope::failure(self.code(), self.to_string());
        if let Self::Unauthorized(reason) = self {
            // RFC 6750 §3: a 401 names the scheme; `invalid_token` tells a client that a
            // fresh token, not the same one again, is needed.
            let challenge = if reason.is_missing_token() {
                HeaderValue::from_static("Bearer")
            } else {
                HeaderValue::from_static("Bearer error=\"invalid_token\"")
            };
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

impl From<AuthError> for ApiError {
    fn from(error: AuthError) -> Self {
        Self::Unauthorized(error)
    }
}

impl From<TenantStatusError> for ApiError {
    fn from(error: TenantStatusError) -> Self {
        match error {
            TenantStatusError::Unavailable(cause) => {
                Self::Unavailable(anyhow::Error::new(cause).context("reading tenant statuses"))
            }
            TenantStatusError::Unexpected(cause) => {
                Self::Internal(cause.context("reading tenant statuses"))
            }
        }
    }
}

impl From<FindingsError> for ApiError {
    fn from(error: FindingsError) -> Self {
        match error {
            FindingsError::RegionNotServed(region) => Self::RegionNotServed(region),
            FindingsError::NoTenant(region) => Self::TenantNotFound(region),
            FindingsError::Unavailable(cause) => {
                Self::Unavailable(anyhow::Error::new(cause).context("reading open findings"))
            }
            FindingsError::Unexpected(cause) => {
                Self::Internal(cause.context("reading open findings"))
            }
        }
    }
}

impl From<BackfillError> for ApiError {
    fn from(error: BackfillError) -> Self {
        match error {
            BackfillError::Unavailable(cause) => Self::Unavailable(
                anyhow::Error::new(cause).context("backfilling event destinations"),
            ),
            BackfillError::Unexpected(cause) => {
                Self::Internal(cause.context("backfilling event destinations"))
            }
        }
    }
}

impl From<AddDomainError> for ApiError {
    fn from(error: AddDomainError) -> Self {
        match error {
            AddDomainError::InvalidDomain(invalid) => Self::InvalidDomain(invalid),
            AddDomainError::RegionNotServed(region) => Self::RegionNotServed(region),
            AddDomainError::AlreadyRegistered(name) => Self::DomainAlreadyRegistered(name),
            AddDomainError::Unavailable(cause) => {
                Self::Unavailable(anyhow::Error::new(cause).context("adding a domain"))
            }
            AddDomainError::Unexpected(cause) => Self::Internal(cause.context("adding a domain")),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::NotFound => Self::DomainNotFound,
            DomainError::Unavailable(cause) => {
                Self::Unavailable(anyhow::Error::new(cause).context("reading or changing domains"))
            }
            DomainError::Unexpected(cause) => {
                Self::Internal(cause.context("reading or changing domains"))
            }
        }
    }
}

impl From<SendError> for ApiError {
    fn from(error: SendError) -> Self {
        match error {
            SendError::InvalidMessage(message) => Self::InvalidMessage(message),
            SendError::DomainNotOwned(domain) => Self::DomainNotOwned(domain),
            SendError::NotProvisioned(domain) => Self::TenantNotReady(domain),
            SendError::TenantNotEnabled(status) => Self::TenantNotEnabled(status),
            SendError::Rejected(reason) => Self::RejectedBySes(reason),
            SendError::Unavailable(cause) => Self::Unavailable(cause.context("sending an email")),
            SendError::Unexpected(cause) => Self::Internal(cause.context("sending an email")),
        }
    }
}

impl From<JsonPayloadError> for ApiError {
    fn from(error: JsonPayloadError) -> Self {
        let message = match &error {
            JsonPayloadError::OverflowKnownLength { .. }
            | JsonPayloadError::Overflow { .. }
            | JsonPayloadError::Payload(PayloadError::Overflow) => return Self::PayloadTooLarge,
            JsonPayloadError::ContentType => return Self::UnsupportedMediaType,
            JsonPayloadError::Deserialize(cause) if cause.is_data() => {
                "request body does not have the expected fields and types"
            }
            JsonPayloadError::Deserialize(_) => "request body is not valid JSON",
            _ => "request body could not be read",
        };
        bad_request_caused_by(message, error)
    }
}

impl From<PathError> for ApiError {
    fn from(error: PathError) -> Self {
        bad_request_caused_by("malformed path parameter", error)
    }
}

impl From<QueryPayloadError> for ApiError {
    fn from(error: QueryPayloadError) -> Self {
        bad_request_caused_by("malformed query string", error)
    }
}

fn bad_request_caused_by<E>(message: &str, cause: E) -> ApiError
where
    E: StdError + Send + Sync + 'static,
{
    ApiError::BadRequest {
        message: message.to_owned(),
        cause: Some(anyhow::Error::new(cause)),
    }
}

/// An error and its `source()`s, joined with `": "`, for one log line.
struct Chain<'a>(&'a dyn StdError);

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(error) = cause {
            write!(f, ": {error}")?;
            cause = error.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_line_carries_every_cause() {
        let root = std::io::Error::other("connection reset by peer");
        let error = ApiError::Internal(anyhow::Error::new(root).context("reading open findings"));
        assert_eq!(
            Chain(&error).to_string(),
            "internal error: reading open findings: connection reset by peer"
        );
    }

    #[test]
    fn the_public_message_of_an_internal_error_says_nothing_of_the_cause() {
        let error = ApiError::Internal(anyhow::anyhow!("password=hunter2"));
        assert_eq!(error.to_string(), "internal error");
    }
}
