//! The errors the emulator answers with, one variant per AWS exception it raises, and the
//! single place where an error becomes an AWS-shaped HTTP response.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// An SES error: what the SDK turns into its typed exceptions.
///
/// On the wire it is the HTTP status of the exception in the SES model, the exception's
/// name in the `x-amzn-ErrorType` header and `{"message": "..."}` as the body: the SDK
/// reads the code from the header and the message from the body.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SesError {
    /// 400 `BadRequestException`: the request breaks a rule of the API.
    #[error("BadRequestException: {0}")]
    BadRequest(String),
    /// 404 `NotFoundException`: a named resource does not exist.
    #[error("NotFoundException: {0}")]
    NotFound(String),
    /// 400 `AlreadyExistsException`: the resource to create is already there.
    #[error("AlreadyExistsException: {0}")]
    AlreadyExists(String),
    /// 400 `LimitExceededException`: a quota is used up.
    #[error("LimitExceededException: {0}")]
    LimitExceeded(String),
    /// 429 `TooManyRequestsException`: the caller is being throttled.
    #[error("TooManyRequestsException: {0}")]
    TooManyRequests(String),
    /// 400 `SendingPausedException`: sending is paused for the tenant or configuration set.
    #[error("SendingPausedException: {0}")]
    SendingPaused(String),
    /// 400 `MessageRejected`: the message cannot be sent, e.g. from an unverified identity.
    #[error("MessageRejected: {0}")]
    MessageRejected(String),
    /// 409 `ConflictException`: the change conflicts with the resource's state.
    #[error("ConflictException: {0}")]
    Conflict(String),
    /// 500 `InternalServiceErrorException`: the emulator itself failed.
    #[error("InternalServiceErrorException: {0}")]
    Internal(String),
    /// 404 `UnknownOperationException`: no operation has this method and path.
    #[error("UnknownOperationException: {0}")]
    UnknownOperation(String),
    /// Any status and exception name, as a fault injected through the control API asks for.
    #[error("{error_type}: {message}")]
    Injected {
        /// The HTTP status, 400-599.
        status: u16,
        /// The exception name sent in `x-amzn-ErrorType`.
        error_type: String,
        /// The message sent in the body.
        message: String,
    },
}

impl SesError {
    /// The exception name, as sent in `x-amzn-ErrorType`.
    pub fn error_type(&self) -> &str {
        match self {
            Self::BadRequest(_) => "BadRequestException",
            Self::NotFound(_) => "NotFoundException",
            Self::AlreadyExists(_) => "AlreadyExistsException",
            Self::LimitExceeded(_) => "LimitExceededException",
            Self::TooManyRequests(_) => "TooManyRequestsException",
            Self::SendingPaused(_) => "SendingPausedException",
            Self::MessageRejected(_) => "MessageRejected",
            Self::Conflict(_) => "ConflictException",
            Self::Internal(_) => "InternalServiceErrorException",
            Self::UnknownOperation(_) => "UnknownOperationException",
            Self::Injected { error_type, .. } => error_type,
        }
    }

    /// The human-readable message, as sent in the body.
    pub fn message(&self) -> &str {
        match self {
            Self::BadRequest(message)
            | Self::NotFound(message)
            | Self::AlreadyExists(message)
            | Self::LimitExceeded(message)
            | Self::TooManyRequests(message)
            | Self::SendingPaused(message)
            | Self::MessageRejected(message)
            | Self::Conflict(message)
            | Self::Internal(message)
            | Self::UnknownOperation(message)
            | Self::Injected { message, .. } => message,
        }
    }

    /// The HTTP status SES answers this exception with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_)
            | Self::AlreadyExists(_)
            | Self::LimitExceeded(_)
            | Self::SendingPaused(_)
            | Self::MessageRejected(_) => StatusCode::BAD_REQUEST,
            Self::NotFound(_) | Self::UnknownOperation(_) => StatusCode::NOT_FOUND,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            // Fault injection validates the status, so the fallback is never taken.
            Self::Injected { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
}

impl ResponseError for SesError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status())
            .insert_header(("x-amzn-ErrorType", self.error_type()))
            .json(ErrorBody {
                message: self.message(),
            })
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;

    use super::*;

    #[test]
    fn an_error_renders_as_aws_does() {
        let response = SesError::NotFound("Tenant t does not exist.".into()).error_response();

        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            response.headers().get("x-amzn-ErrorType").unwrap(),
            "NotFoundException"
        );
        let body = response.into_body().try_into_bytes().unwrap();
        assert_eq!(&body[..], br#"{"message":"Tenant t does not exist."}"#);
    }

    #[test]
    fn an_injected_error_keeps_its_status_and_type() {
        let error = SesError::Injected {
            status: 503,
            error_type: "ServiceUnavailable".into(),
            message: "try later".into(),
        };
        assert_eq!(error.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error.error_type(), "ServiceUnavailable");
    }
}
