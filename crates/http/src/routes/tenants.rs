//! `/tenants/...`: the caller's tenant status in every region where its workspace has
//! domains, and the open reputation findings of its tenant in one region.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use posthawk_domain::Finding;
use posthawk_domain::use_cases::{
    BackfillReport, EventDestinationBackfill, ReputationQueries, TenantStatus,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{AdminCaller, Caller};
use crate::envelope::{self, Success};
use crate::error::ApiError;
use crate::openapi::{Forbidden, InternalError, ServiceUnavailable, Unauthorized};
use crate::wire;

/// A workspace's tenant in one region, as the dashboard's domain cards show it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TenantStatusView {
    /// The AWS region.
    #[schema(example = "us-east-1")]
    ses_region: String,
    /// The SES tenant's name (what it is, or will be, called).
    #[schema(example = "ph-1f3a8c2d6f4b")]
    tenant_name: String,
    /// The configuration set every send through the tenant names.
    #[schema(example = "ph-1f3a8c2d6f4b")]
    configuration_set_name: String,
    /// The badge.
    #[schema(schema_with = wire::sending_status_schema)]
    sending_status: &'static str,
    /// The workspace's domains in the region.
    domain_count: u32,
    /// When SES was last asked, or null if never.
    #[schema(value_type = Option<String>, format = DateTime, required = true,
        example = "2026-04-28T10:00:00Z")]
    last_checked_at: Option<String>,
}

impl From<TenantStatus> for TenantStatusView {
    fn from(status: TenantStatus) -> Self {
        Self {
            ses_region: status.region.as_str().to_owned(),
            tenant_name: status.tenant_name.as_str().to_owned(),
            configuration_set_name: status.configuration_set_name.as_str().to_owned(),
            sending_status: status.sending_status.as_str(),
            domain_count: status.domain_count,
            last_checked_at: status.last_checked_at.map(wire::timestamp),
        }
    }
}

/// An open reputation finding on a tenant.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FindingView {
    /// What it is about: BOUNCE_RATE, COMPLAINT_RATE, DKIM, DMARC, SPF, BIMI, FEEDBACK_3P,
    /// IP_LISTING, or a newer SES recommendation type as SES names it.
    #[schema(example = "BOUNCE_RATE")]
    finding_type: String,
    /// How urgent it is.
    #[schema(schema_with = wire::severity_schema)]
    severity: &'static str,
    /// The measured rate (0.038 for 3.8%), or null when the finding is not about a rate.
    #[schema(required = true, example = 0.038)]
    rate: Option<f64>,
    /// The rate SES acts at, or null when not known.
    #[schema(required = true, example = 0.05)]
    threshold: Option<f64>,
    /// A sentence for the customer.
    #[schema(example = "Bounce rate is approaching 5% (SES auto-pause threshold).")]
    message: String,
    /// When the condition was first seen.
    #[schema(value_type = String, format = DateTime, example = "2026-04-27T22:00:00Z")]
    detected_at: String,
}

impl From<Finding> for FindingView {
    fn from(finding: Finding) -> Self {
        Self {
            finding_type: finding.finding_type.as_str().to_owned(),
            severity: finding.severity.as_str(),
            rate: finding.rate,
            threshold: finding.threshold,
            message: finding.message,
            detected_at: wire::timestamp(finding.detected_at),
        }
    }
}

/// Tenant status per region
///
/// The tenant status for every region this workspace has domains in, served regions
/// first. Used by the dashboard domain cards to show the reputation badge.
#[utoipa::path(
    get,
    path = "/tenants/status",
    operation_id = "tenant_status",
    tag = "tenants",
    security(("bearer_jwt" = [])),
    responses(
        (status = 200, description = "One row per region where the workspace has domains.",
            body = Success<Vec<TenantStatusView>>,
            example = json!({"success": true, "data": [
                {"ses_region": "us-east-1", "tenant_name": "ph-1f3a8c2d6f4b",
                 "configuration_set_name": "ph-1f3a8c2d6f4b", "sending_status": "ENABLED",
                 "domain_count": 3, "last_checked_at": "2026-04-28T10:00:00Z"},
                {"ses_region": "eu-north-1", "tenant_name": "ph-1f3a8c2d6f4b",
                 "configuration_set_name": "ph-1f3a8c2d6f4b", "sending_status": "ENABLED",
                 "domain_count": 1, "last_checked_at": "2026-04-28T10:00:00Z"}
            ]})),
        (status = 401, response = Unauthorized),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    )
)]
pub(crate) async fn tenant_status(
    caller: Caller,
    queries: web::Data<ReputationQueries>,
) -> Result<HttpResponse, ApiError> {
    let statuses = queries.tenant_status(caller.workspace()).await?;
    let rows: Vec<TenantStatusView> = statuses.into_iter().map(Into::into).collect();
    Ok(envelope::success(StatusCode::OK, rows))
}

/// Open findings in a region
///
/// The active findings (warnings, recommendations) of the workspace's tenant in one
/// region, most severe first. SES surfaces these when bounce or complaint rates trend
/// toward its thresholds.
#[utoipa::path(
    get,
    path = "/tenants/{region}/findings",
    operation_id = "open_findings",
    tag = "tenants",
    security(("bearer_jwt" = [])),
    params(("region" = String, Path, description = "AWS SES region (us-east-1 | eu-north-1)",
        example = "us-east-1")),
    responses(
        (status = 200, description = "The tenant's open findings; an empty list when there are none.",
            body = Success<Vec<FindingView>>,
            example = json!({"success": true, "data": [
                {"finding_type": "BOUNCE_RATE", "severity": "WARNING", "rate": 0.038,
                 "threshold": 0.05,
                 "message": "Bounce rate is approaching 5% (SES auto-pause threshold).",
                 "detected_at": "2026-04-27T22:00:00Z"}
            ]})),
        (status = 400, description = "The region is not served by this deployment.",
            body = envelope::Failure,
            example = json!({"success": false, "error": {"code": "region_not_served",
                "message": "region \"ap-south-1\" is not served"}})),
        (status = 401, response = Unauthorized),
        (status = 404, description = "The workspace has no tenant in the region.",
            body = envelope::Failure,
            example = json!({"success": false, "error": {"code": "tenant_not_found",
                "message": "the workspace has no tenant in eu-north-1"}})),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    )
)]
pub(crate) async fn open_findings(
    caller: Caller,
    region: web::Path<String>,
    queries: web::Data<ReputationQueries>,
) -> Result<HttpResponse, ApiError> {
    let findings = queries.open_findings(caller.workspace(), &region).await?;
    let rows: Vec<FindingView> = findings.into_iter().map(Into::into).collect();
    Ok(envelope::success(StatusCode::OK, rows))
}

/// What the event-destination backfill did.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct BackfillView {
    /// Configuration sets whose SNS event destination was put.
    #[schema(example = 12)]
    tenants_updated: u64,
    /// Configuration sets that failed; each is logged with its tenant and cause.
    #[schema(example = 0)]
    errors: u64,
}

impl From<BackfillReport> for BackfillView {
    fn from(report: BackfillReport) -> Self {
        Self {
            tenants_updated: report.tenants_updated,
            errors: report.errors,
        }
    }
}

/// Re-apply event destinations (admin)
///
/// Re-applies the region's SNS event destination on every workspace tenant's
/// configuration set (updated when present, created when missing). Used after changing
/// the SNS topic or recovering from a partial provisioning failure. Idempotent.
#[utoipa::path(
    post,
    path = "/tenants/backfill-event-destinations",
    operation_id = "backfill_event_destinations",
    tag = "tenants",
    security(("bearer_jwt" = [])),
    responses(
        (status = 200, description = "How many configuration sets were updated, and how many failed.",
            body = Success<BackfillView>,
            example = json!({"success": true, "data": {"tenants_updated": 12, "errors": 0}})),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 500, response = InternalError),
        (status = 503, response = ServiceUnavailable),
    )
)]
pub(crate) async fn backfill_event_destinations(
    _admin: AdminCaller,
    backfill: web::Data<EventDestinationBackfill>,
) -> Result<HttpResponse, ApiError> {
    let report = backfill.run(&|_, _| {}).await?;
    Ok(envelope::success(
        StatusCode::OK,
        BackfillView::from(report),
    ))
}
