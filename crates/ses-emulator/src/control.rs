//! The control API under `/_emulator/`: what tests and local runs use to play SES's part
//! (pause a tenant, raise a finding, seed metrics), to inject faults and to look inside.
//! JSON in and out, no authentication; each handler is a thin wrapper over
//! [`EmulatorState`]. Errors have the same shape as SES's.

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use actix_web::web::{self, Json, Path};
use serde::Deserialize;

use crate::error::SesError;
use crate::faults::Fault;
use crate::model::{Recommendation, RegionInventory, SentMessage, Tenant};
use crate::protocol::Input;
use crate::shapes::{Metric, RecommendationImpact, RecommendationType, SendingStatus, parse_enum};
use crate::state::{EmulatorState, Inventory};

/// The reserved path prefix of the control API.
pub const CONTROL_PREFIX: &str = "/_emulator";

type ControlReply<T> = Result<Json<T>, SesError>;

/// Registers the control API's routes.
pub(crate) fn register(config: &mut web::ServiceConfig) {
    const TENANT: &str = "/regions/{region}/tenants/{tenant}";
    config.service(
        web::scope(CONTROL_PREFIX)
            .route("/inventory", web::get().to(inventory))
            .route(
                "/regions/{region}/inventory",
                web::get().to(region_inventory),
            )
            .route("/regions/{region}/messages", web::get().to(sent_messages))
            .route(
                &format!("{TENANT}/aws-managed-status"),
                web::put().to(set_aws_managed_status),
            )
            .route(
                &format!("{TENANT}/recommendations"),
                web::post().to(open_recommendation),
            )
            .route(
                &format!("{TENANT}/recommendations/{{type}}/fix"),
                web::post().to(fix_recommendation),
            )
            .route(
                &format!("{TENANT}/metrics"),
                web::post().to(add_metric_counts),
            )
            .route("/faults", web::get().to(faults))
            .route("/faults", web::delete().to(clear_faults))
            .route("/faults/{operation}", web::post().to(inject_fault))
            .route(
                "/faults/{operation}",
                web::delete().to(clear_operation_faults),
            )
            .route("/calls", web::get().to(call_counts))
            .route("/reset", web::post().to(reset)),
    );
}

async fn inventory(state: EmulatorState) -> Json<Inventory> {
    Json(state.inventory_all())
}

async fn region_inventory(state: EmulatorState, region: Path<String>) -> Json<RegionInventory> {
    Json(state.inventory(&region))
}

async fn sent_messages(state: EmulatorState, region: Path<String>) -> Json<Vec<SentMessage>> {
    Json(state.sent_messages(&region))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AwsManagedStatus {
    status: SendingStatus,
    cause: Option<String>,
}

async fn set_aws_managed_status(
    state: EmulatorState,
    path: Path<(String, String)>,
    Input(body): Input<AwsManagedStatus>,
) -> ControlReply<Tenant> {
    let (region, tenant) = path.into_inner();
    state
        .set_aws_managed_status(&region, &tenant, body.status, body.cause.as_deref())
        .map(Json)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewRecommendation {
    #[serde(rename = "type")]
    recommendation_type: RecommendationType,
    impact: RecommendationImpact,
    description: String,
}

async fn open_recommendation(
    state: EmulatorState,
    path: Path<(String, String)>,
    Input(body): Input<NewRecommendation>,
) -> ControlReply<Recommendation> {
    let (region, tenant) = path.into_inner();
    state
        .open_recommendation(
            &region,
            &tenant,
            body.recommendation_type,
            body.impact,
            &body.description,
        )
        .map(Json)
}

async fn fix_recommendation(
    state: EmulatorState,
    path: Path<(String, String, String)>,
) -> ControlReply<Recommendation> {
    let (region, tenant, recommendation_type) = path.into_inner();
    let recommendation_type = parse_enum(&recommendation_type, "type")?;
    state
        .fix_recommendation(&region, &tenant, recommendation_type)
        .map(Json)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricCounts {
    counts: BTreeMap<Metric, u64>,
}

async fn add_metric_counts(
    state: EmulatorState,
    path: Path<(String, String)>,
    Input(body): Input<MetricCounts>,
) -> Result<HttpResponse, SesError> {
    let (region, tenant) = path.into_inner();
    state.add_metric_counts(&region, &tenant, body.counts)?;
    Ok(HttpResponse::NoContent().finish())
}

async fn faults(state: EmulatorState) -> Json<BTreeMap<String, Vec<Fault>>> {
    Json(state.faults())
}

async fn inject_fault(
    state: EmulatorState,
    operation: Path<String>,
    Input(fault): Input<Fault>,
) -> Result<HttpResponse, SesError> {
    state.inject_fault(&operation, fault)?;
    Ok(HttpResponse::NoContent().finish())
}

async fn clear_faults(state: EmulatorState) -> HttpResponse {
    state.clear_faults();
    HttpResponse::NoContent().finish()
}

async fn clear_operation_faults(state: EmulatorState, operation: Path<String>) -> HttpResponse {
    state.clear_faults_for(&operation);
    HttpResponse::NoContent().finish()
}

async fn call_counts(state: EmulatorState) -> Json<BTreeMap<String, u64>> {
    Json(state.call_counts())
}

async fn reset(state: EmulatorState) -> HttpResponse {
    state.reset();
    HttpResponse::NoContent().finish()
}
