//! Liveness and readiness probes: `/healthz` answers as long as the process serves
//! requests, `/readyz` only when its dependencies do too.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::envelope::{self, Success};
use crate::error::ApiError;
use crate::openapi::ServiceUnavailable;
use crate::routes::Readiness;

/// The answer of a passing probe.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ProbeView {
    /// Always `ok`.
    #[schema(example = "ok")]
    status: &'static str,
}

const OK: ProbeView = ProbeView { status: "ok" };

/// Liveness
///
/// 200 while the process serves requests. No authentication, no I/O.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "health",
    responses((status = 200, description = "The process is up.", body = Success<ProbeView>,
        example = json!({"success": true, "data": {"status": "ok"}})))
)]
pub(crate) async fn healthz() -> HttpResponse {
    envelope::success(StatusCode::OK, OK)
}

/// Readiness
///
/// 200 when the service can reach its dependencies (the database), 503 otherwise.
/// No authentication.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve.", body = Success<ProbeView>,
            example = json!({"success": true, "data": {"status": "ok"}})),
        (status = 503, response = ServiceUnavailable),
    )
)]
pub(crate) async fn readyz(readiness: web::Data<dyn Readiness>) -> Result<HttpResponse, ApiError> {
    readiness
        .check()
        .await
        .map_err(|cause| ApiError::Unavailable(cause.context("readiness check")))?;
    Ok(envelope::success(StatusCode::OK, OK))
}
