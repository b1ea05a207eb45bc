//! `/domains`: adding, listing and removing the caller's sending domains, the desired
//! state from which the service provisions (and tears down) the workspace's SES tenants.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use posthawk_domain::ports::{DomainId, DomainRecord, DomainState};
use posthawk_domain::use_cases::DomainService;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Caller;
use crate::envelope::{self, Success};
use crate::error::ApiError;
use crate::openapi::{
    InternalError, PayloadTooLarge, ServiceUnavailable, Unauthorized, UnsupportedMediaType,
};
use crate::wire;

/// A domain to add.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AddDomainRequest {
    /// The DNS name to send from; case and one trailing dot are ignored.
    #[schema(example = "mail.example.com")]
    name: String,
    /// The AWS region to send from: one this deployment serves.
    #[schema(example = "us-east-1")]
    region: String,
}

/// A sending domain of the workspace.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct DomainView {
    /// The domain's id, for `DELETE /domains/{id}`.
    #[schema(value_type = String, format = Uuid, example = "0b6e1f0e-7c1a-4d0b-9b7e-2f1d3c4b5a69")]
    id: String,
    /// The domain, lowercased, without a trailing dot.
    #[schema(example = "mail.example.com")]
    name: String,
    /// The AWS region it sends from.
    #[schema(example = "us-east-1")]
    region: String,
    /// Where it is in its life.
    #[schema(schema_with = wire::domain_status_schema)]
    status: &'static str,
    /// When it was added.
    #[schema(value_type = String, format = DateTime, example = "2026-04-28T10:00:00Z")]
    created_at: String,
}

impl From<DomainRecord> for DomainView {
    fn from(domain: DomainRecord) -> Self {
        Self {
            id: domain.id.to_string(),
            name: domain.name.as_str().to_owned(),
            region: domain.region.as_str().to_owned(),
            status: domain.state.as_str(),
            created_at: wire::timestamp(domain.created_at),
        }
    }
}

/// A domain whose removal has been accepted.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RemovedDomainView {
    /// The domain's id.
    #[schema(value_type = String, format = Uuid, example = "0b6e1f0e-7c1a-4d0b-9b7e-2f1d3c4b5a69")]
    id: String,
    /// Its new status: `deleting` until SES is cleaned up, after which the domain is gone.
    #[schema(schema_with = wire::domain_status_schema)]
    status: &'static str,
}

/// Add a sending domain
///
/// Records the domain for the workspace and starts setting it up in SES: its identity,
/// and the workspace's tenant in the region if this is its first domain there. The set-up
/// finishes in the background when it cannot finish right away; `status` says where it
/// is (`provisioning`, then `active`).
#[utoipa::path(
    post,
    path = "/domains",
    operation_id = "add_domain",
    tag = "domains",
    security(("bearer_jwt" = [])),
    request_body(content = AddDomainRequest,
        example = json!({"name": "mail.example.com", "region": "us-east-1"})),
    responses(
        (status = 201, description = "The domain, recorded.", body = Success<DomainView>,
            example = json!({"success": true, "data": {
                "id": "0b6e1f0e-7c1a-4d0b-9b7e-2f1d3c4b5a69", "name": "mail.example.com",
                "region": "us-east-1", "status": "provisioning",
                "created_at": "2026-04-28T10:00:00Z"}})),
        (status = 400, description = "The body could not be read (`bad_request`), or the \
            region is not served by this deployment (`region_not_served`).",
            body = envelope::Failure,
            examples(
                ("bad_request" = (summary = "Malformed JSON, a missing or unknown field, or a wrong type",
                    value = json!({"success": false, "error": {"code": "bad_request",
                        "message": "request body does not have the expected fields and types"}}))),
                ("region_not_served" = (summary = "The region is not served",
                    value = json!({"success": false, "error": {"code": "region_not_served",
                        "message": "region \"ap-south-1\" is not served"}}))),
            )),
        (status = 401, response = Unauthorized),
        (status = 409, description = "A workspace already has this domain.",
            body = envelope::Failure,
            example = json!({"success": false, "error": {"code": "domain_already_registered",
                "message": "domain mail.example.com is already registered"}})),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "The name is not a valid domain name; the message says why.",
            body = envelope::Failure,
            example = json!({"success": false, "error": {"code": "invalid_domain",
                "message": "\"localhost\" is not a valid domain name: it needs at least two labels, like example.com"}})),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    )
)]
pub(crate) async fn add_domain(
    caller: Caller,
    domains: web::Data<DomainService>,
    body: web::Json<AddDomainRequest>,
) -> Result<HttpResponse, ApiError> {
    let AddDomainRequest { name, region } = body.into_inner();
    let domain = domains
        .add_domain(caller.workspace(), &name, &region)
        .await?;
    Ok(envelope::success(
        StatusCode::CREATED,
        DomainView::from(domain),
    ))
}

/// List the sending domains
///
/// The workspace's domains, oldest first, including those being deleted until SES is
/// cleaned up.
#[utoipa::path(
    get,
    path = "/domains",
    operation_id = "list_domains",
    tag = "domains",
    security(("bearer_jwt" = [])),
    responses(
        (status = 200, description = "The workspace's domains; an empty list when it has none.",
            body = Success<Vec<DomainView>>,
            example = json!({"success": true, "data": [
                {"id": "0b6e1f0e-7c1a-4d0b-9b7e-2f1d3c4b5a69", "name": "mail.example.com",
                 "region": "us-east-1", "status": "active",
                 "created_at": "2026-04-28T10:00:00Z"},
                {"id": "5d2c9a41-3e8b-4f6a-a1c7-9e0b8d7f6a52", "name": "news.example.com",
                 "region": "eu-north-1", "status": "provisioning",
                 "created_at": "2026-04-28T10:05:00Z"}
            ]})),
        (status = 401, response = Unauthorized),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    )
)]
pub(crate) async fn list_domains(
    caller: Caller,
    domains: web::Data<DomainService>,
) -> Result<HttpResponse, ApiError> {
    let domains = domains.list_domains(caller.workspace()).await?;
    let rows: Vec<DomainView> = domains.into_iter().map(Into::into).collect();
    Ok(envelope::success(StatusCode::OK, rows))
}

/// Remove a sending domain
///
/// Marks the domain for deletion and starts removing it from SES, with the workspace's
/// tenant in the region when it was the last domain there. The removal is accepted, not
/// necessarily finished: the domain shows as `deleting` in `GET /domains` until SES is
/// cleaned up.
#[utoipa::path(
    delete,
    path = "/domains/{id}",
    operation_id = "remove_domain",
    tag = "domains",
    security(("bearer_jwt" = [])),
    params(("id" = Uuid, Path, description = "The domain's id, from `GET /domains`.",
        example = "0b6e1f0e-7c1a-4d0b-9b7e-2f1d3c4b5a69")),
    responses(
        (status = 202, description = "The removal is accepted.", body = Success<RemovedDomainView>,
            example = json!({"success": true, "data": {
                "id": "0b6e1f0e-7c1a-4d0b-9b7e-2f1d3c4b5a69", "status": "deleting"}})),
        (status = 400, description = "The id is not a UUID.", body = envelope::Failure,
            example = json!({"success": false, "error": {"code": "bad_request",
                "message": "malformed path parameter"}})),
        (status = 401, response = Unauthorized),
        (status = 404, description = "The workspace has no such domain, or it is already \
            being deleted.",
            body = envelope::Failure,
            example = json!({"success": false, "error": {"code": "domain_not_found",
                "message": "the workspace has no such domain"}})),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    )
)]
pub(crate) async fn remove_domain(
    caller: Caller,
    domains: web::Data<DomainService>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = DomainId(id.into_inner());
    domains.remove_domain(caller.workspace(), id).await?;
    Ok(envelope::success(
        StatusCode::ACCEPTED,
        RemovedDomainView {
            id: id.to_string(),
            status: DomainState::Deleting.as_str(),
        },
    ))
}
