//! The JSON envelope around every response: `{"success": true, "data": ...}` or
//! `{"success": false, "error": {"code": "snake_case", "message": "..."}}`, and the only two
//! functions that build responses in it.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

use crate::error::ErrorCode;

/// A successful response: `{"success": true, "data": ...}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Success<T> {
    /// Always `true`.
    #[schema(schema_with = always_true)]
    success: bool,
    /// The payload.
    data: T,
}

/// A failed response: `{"success": false, "error": {"code": ..., "message": ...}}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Failure {
    /// Always `false`.
    #[schema(schema_with = always_false)]
    success: bool,
    /// What went wrong.
    error: ErrorBody,
}

/// What went wrong: a stable code for programs and a sentence for people.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, snake_case; clients branch on this, never on the message.
    code: ErrorCode,
    /// Human-readable; never carries internal details.
    message: String,
}

/// A response with `status` whose body is `data` in the success envelope.
pub fn success<T: Serialize>(status: StatusCode, data: T) -> HttpResponse {
    HttpResponse::build(status).json(Success {
        success: true,
        data,
    })
}

/// The error response for `code`: its status, and the failure envelope with `message`.
///
/// Only [`ApiError`](crate::ApiError) calls this, so that every error goes through its
/// mapping and logging.
pub(crate) fn failure(code: ErrorCode, message: String) -> HttpResponse {
    HttpResponse::build(code.status()).json(Failure {
        success: false,
        error: ErrorBody { code, message },
    })
}

fn always_true() -> Object {
    boolean_constant(true)
}

fn always_false() -> Object {
    boolean_constant(false)
}

fn boolean_constant(value: bool) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([value]))
        .build()
}
