//! The OpenAPI 3.1 document of the API, generated from the handlers' `#[utoipa::path]`
//! annotations and the response types, with the bearer-JWT scheme and the reusable
//! error responses; served at `GET /openapi.json` and committed as `docs/openapi.json`.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::envelope::Failure;
use crate::routes::{domains, emails, health, prometheus, tenants};

/// The name of the security scheme operations refer to.
const BEARER_JWT: &str = "bearer_jwt";

/// The API description; [`document`] builds it.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Posthawk tenant reputation API",
        description = "Each customer workspace gets its own AWS SES tenant per region; \
            this API manages the workspace's sending domains (which drive its tenants), sends \
            mail through the right tenant, and serves each tenant's sending status and \
            reputation findings. Every \
            response is JSON in an envelope: `{\"success\": true, \"data\": ...}` or \
            `{\"success\": false, \"error\": {\"code\": \"snake_case\", \"message\": \"...\"}}`; \
            clients branch on `code`, which is stable."
    ),
    paths(
        tenants::tenant_status,
        tenants::open_findings,
        tenants::backfill_event_destinations,
        domains::add_domain,
        domains::list_domains,
        domains::remove_domain,
        emails::send_email,
        health::healthz,
        health::readyz,
        prometheus::metrics,
    ),
    components(responses(
        Unauthorized,
        Forbidden,
        PayloadTooLarge,
        UnsupportedMediaType,
        InternalError,
        ServiceUnavailable
    )),
    modifiers(&BearerJwt),
    tags(
        (name = "tenants", description = "The workspace's SES tenants and their reputation."),
        (name = "domains", description = "The workspace's sending domains, which drive its tenants."),
        (name = "emails", description = "Sending through the workspace's tenant."),
        (name = "health", description = "Probes for load balancers and orchestrators."),
        (name = "observability", description = "Prometheus metrics, for the scraper."),
    )
)]
pub struct ApiDoc;

/// The OpenAPI document.
#[must_use]
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// `GET /openapi.json`: the document itself, not wrapped in the envelope, so that
/// OpenAPI tools can read it.
pub(crate) async fn serve() -> HttpResponse {
    HttpResponse::Ok().json(document())
}

/// Adds the bearer-JWT security scheme.
struct BearerJwt;

impl Modify for BearerJwt {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some(
                "`Authorization: Bearer <token>`: a JWT with `sub`, `workspace_id` (UUID), \
                 `exp`, and optionally `role: \"admin\"` for platform operators.",
            ))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER_JWT, SecurityScheme::Http(scheme));
    }
}

/// The bearer token is missing or invalid (`unauthorized`).
#[derive(ToResponse)]
#[response(
    headers(("WWW-Authenticate" = String,
        description = "`Bearer`, or `Bearer error=\"invalid_token\"` when a token was presented")),
    example = json!({"success": false,
        "error": {"code": "unauthorized", "message": "invalid token"}})
)]
pub struct Unauthorized(pub Failure);

/// The token is valid but lacks the admin role the endpoint needs (`forbidden`).
#[derive(ToResponse)]
#[response(example = json!({"success": false,
    "error": {"code": "forbidden", "message": "this endpoint needs an admin token"}}))]
pub struct Forbidden(pub Failure);

/// The request body is larger than the service accepts (`payload_too_large`).
#[derive(ToResponse)]
#[response(example = json!({"success": false,
    "error": {"code": "payload_too_large", "message": "request body is too large"}}))]
pub struct PayloadTooLarge(pub Failure);

/// The request body is not declared as `application/json` (`unsupported_media_type`).
#[derive(ToResponse)]
#[response(example = json!({"success": false,
    "error": {"code": "unsupported_media_type", "message": "request body must be application/json"}}))]
pub struct UnsupportedMediaType(pub Failure);

/// An unexpected failure (`internal_error`); the details are only in the server's log.
#[derive(ToResponse)]
#[response(example = json!({"success": false,
    "error": {"code": "internal_error", "message": "internal error"}}))]
pub struct InternalError(pub Failure);

/// A dependency is down (`service_unavailable`); retry later.
#[derive(ToResponse)]
#[response(example = json!({"success": false,
    "error": {"code": "service_unavailable", "message": "service unavailable, try again later"}}))]
pub struct ServiceUnavailable(pub Failure);
