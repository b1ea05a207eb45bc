//! `GET /tenants/status` and `GET /tenants/{region}/findings`: the seed's exact shapes,
//! each workspace seeing only its own tenants, and every domain error's status and code.

use actix_web::http::StatusCode;
use posthawk_domain::ports::{
    MockFindingStore, MockTenantStore, ProvisioningState, RegionSummary, StoreError, TenantId,
    TenantRecord,
};
use posthawk_domain::{
    ConfigurationSetName, Finding, FindingType, Region, SendingStatus, Severity, TenantName,
    WorkspaceId,
};
use serde_json::json;

use crate::support::{TestApp, assert_error, at, token, workspace_a, workspace_b};

const STATUS: &str = "/tenants/status";
const FINDINGS: &str = "/tenants/us-east-1/findings";

fn region(code: &str) -> Region {
    Region::parse(code).unwrap()
}

fn tenant(workspace: WorkspaceId, code: &str, id: i64) -> TenantRecord {
    let name = TenantName::for_workspace(workspace);
    TenantRecord {
        id: TenantId(id),
        workspace,
        region: region(code),
        configuration_set: ConfigurationSetName::for_tenant(&name),
        name,
        arn: Some(format!("arn:aws:ses:{code}:123456789012:tenant/t-{id}")),
        provisioning: ProvisioningState::Ready,
        sending_status: SendingStatus::Enabled,
        last_checked_at: Some(at("2026-04-28T10:00:00Z")),
    }
}

fn summary(workspace: WorkspaceId, code: &str, domain_count: u32) -> RegionSummary {
    RegionSummary {
        region: region(code),
        domain_count,
        tenant: Some(tenant(workspace, code, 7)),
    }
}

/// A store that answers `regions_of_workspace` for `workspace` only, exactly once.
fn status_store(workspace: WorkspaceId, rows: Vec<RegionSummary>) -> MockTenantStore {
    let mut store = MockTenantStore::new();
    store
        .expect_regions_of_workspace()
        .withf(move |asked| *asked == workspace)
        .times(1)
        .return_once(move |_| Ok(rows));
    store
}

fn seed_finding() -> Finding {
    Finding {
        finding_type: FindingType::BounceRate,
        severity: Severity::Warning,
        rate: Some(0.038),
        threshold: Some(0.05),
        message: "Bounce rate is approaching 5% (SES auto-pause threshold).".into(),
        detected_at: at("2026-04-27T22:00:00Z"),
    }
}

/// Stores that find `workspace`'s tenant 7 in us-east-1, with `findings` open.
fn findings_stores(
    workspace: WorkspaceId,
    findings: Vec<Finding>,
) -> (MockTenantStore, MockFindingStore) {
    let mut tenants = MockTenantStore::new();
    tenants
        .expect_tenant()
        .withf(move |asked, region| *asked == workspace && region.as_str() == "us-east-1")
        .times(1)
        .return_once(move |_, _| Ok(Some(tenant(workspace, "us-east-1", 7))));
    let mut store = MockFindingStore::new();
    store
        .expect_open_findings()
        .withf(|id| *id == TenantId(7))
        .times(1)
        .return_once(move |_| Ok(findings));
    (tenants, store)
}

#[actix_web::test]
async fn tenant_status_has_the_seed_shape() {
    let tenants = status_store(
        workspace_a(),
        vec![
            summary(workspace_a(), "us-east-1", 3),
            summary(workspace_a(), "eu-north-1", 1),
        ],
    );

    let reply = TestApp {
        tenants,
        ..TestApp::default()
    }
    .get_with_token(STATUS, &token(workspace_a()))
    .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({
            "success": true,
            "data": [
                {
                    "ses_region": "us-east-1",
                    "tenant_name": "ph-1f3a8c2d6f4b",
                    "configuration_set_name": "ph-1f3a8c2d6f4b",
                    "sending_status": "ENABLED",
                    "domain_count": 3,
                    "last_checked_at": "2026-04-28T10:00:00Z"
                },
                {
                    "ses_region": "eu-north-1",
                    "tenant_name": "ph-1f3a8c2d6f4b",
                    "configuration_set_name": "ph-1f3a8c2d6f4b",
                    "sending_status": "ENABLED",
                    "domain_count": 1,
                    "last_checked_at": "2026-04-28T10:00:00Z"
                }
            ]
        })
    );
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

#[actix_web::test]
async fn tenant_status_fields_come_in_the_seeds_order() {
    let tenants = status_store(workspace_a(), vec![summary(workspace_a(), "us-east-1", 3)]);

    let reply = TestApp {
        tenants,
        ..TestApp::default()
    }
    .get_with_token(STATUS, &token(workspace_a()))
    .await;

    let fields = [
        "\"ses_region\"",
        "\"tenant_name\"",
        "\"configuration_set_name\"",
        "\"sending_status\"",
        "\"domain_count\"",
        "\"last_checked_at\"",
    ];
    let positions: Vec<usize> = fields
        .iter()
        .map(|field| reply.body.find(field).unwrap())
        .collect();
    assert!(positions.is_sorted(), "{}", reply.body);
}

#[actix_web::test]
async fn region_never_checked_reports_null_last_checked_at() {
    let waiting = RegionSummary {
        region: region("eu-north-1"),
        domain_count: 1,
        tenant: None,
    };
    let tenants = status_store(workspace_a(), vec![waiting]);

    let reply = TestApp {
        tenants,
        ..TestApp::default()
    }
    .get_with_token(STATUS, &token(workspace_a()))
    .await;

    assert_eq!(
        reply.json()["data"],
        json!([{
            "ses_region": "eu-north-1",
            "tenant_name": "ph-1f3a8c2d6f4b",
            "configuration_set_name": "ph-1f3a8c2d6f4b",
            "sending_status": "DISABLED",
            "domain_count": 1,
            "last_checked_at": null
        }])
    );
}

#[actix_web::test]
async fn workspace_without_domains_gets_an_empty_list() {
    let tenants = status_store(workspace_a(), vec![]);

    let reply = TestApp {
        tenants,
        ..TestApp::default()
    }
    .get_with_token(STATUS, &token(workspace_a()))
    .await;

    assert_eq!(reply.json(), json!({"success": true, "data": []}));
}

#[actix_web::test]
async fn each_token_reads_only_its_own_workspaces_statuses() {
    for (workspace, domains) in [(workspace_a(), 3), (workspace_b(), 5)] {
        // The store only answers for the token's own workspace; asking for any other
        // would find no expectation and fail the test.
        let tenants = status_store(workspace, vec![summary(workspace, "us-east-1", domains)]);

        let reply = TestApp {
            tenants,
            ..TestApp::default()
        }
        .get_with_token(STATUS, &token(workspace))
        .await;

        let row = &reply.json()["data"][0];
        assert_eq!(row["domain_count"], domains);
        assert_eq!(
            row["tenant_name"],
            TenantName::for_workspace(workspace).as_str()
        );
    }
}

#[actix_web::test]
async fn tenant_status_while_the_store_is_down_is_503() {
    let mut tenants = MockTenantStore::new();
    tenants.expect_regions_of_workspace().return_once(|_| {
        Err(StoreError::Unavailable(anyhow::anyhow!(
            "pool timed out after 5s"
        )))
    });

    let reply = TestApp {
        tenants,
        ..TestApp::default()
    }
    .get_with_token(STATUS, &token(workspace_a()))
    .await;

    assert_error(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
        "service unavailable, try again later",
    );
    assert!(!reply.body.contains("pool"), "{}", reply.body);
}

#[actix_web::test]
async fn unexpected_store_failure_is_500_and_shows_nothing_of_its_cause() {
    let mut tenants = MockTenantStore::new();
    tenants.expect_regions_of_workspace().return_once(|_| {
        Err(StoreError::Unexpected(anyhow::anyhow!(
            "relation \"tenants\" does not exist at postgres://app:hunter2@db/posthawk"
        )))
    });

    let reply = TestApp {
        tenants,
        ..TestApp::default()
    }
    .get_with_token(STATUS, &token(workspace_a()))
    .await;

    assert_error(
        &reply,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal_error",
        "internal error",
    );
    for secret in ["relation", "postgres", "hunter2", "tenants"] {
        assert!(!reply.body.contains(secret), "{}", reply.body);
    }
}

#[actix_web::test]
async fn findings_have_the_seed_shape() {
    let (tenants, findings) = findings_stores(workspace_a(), vec![seed_finding()]);

    let reply = TestApp {
        tenants,
        findings,
        ..TestApp::default()
    }
    .get_with_token(FINDINGS, &token(workspace_a()))
    .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({
            "success": true,
            "data": [
                {
                    "finding_type": "BOUNCE_RATE",
                    "severity": "WARNING",
                    "rate": 0.038,
                    "threshold": 0.05,
                    "message": "Bounce rate is approaching 5% (SES auto-pause threshold).",
                    "detected_at": "2026-04-27T22:00:00Z"
                }
            ]
        })
    );
    let fields = [
        "\"finding_type\"",
        "\"severity\"",
        "\"rate\"",
        "\"threshold\"",
        "\"message\"",
        "\"detected_at\"",
    ];
    let positions: Vec<usize> = fields
        .iter()
        .map(|field| reply.body.find(field).unwrap())
        .collect();
    assert!(positions.is_sorted(), "{}", reply.body);
}

#[actix_web::test]
async fn finding_without_a_rate_has_null_rate_and_threshold_and_whole_second_times() {
    let recommendation = Finding {
        finding_type: FindingType::Other("NEW_KIND".into()),
        severity: Severity::Critical,
        rate: None,
        threshold: None,
        message: "Set up DMARC.".into(),
        detected_at: at("2026-04-27T22:00:00.750+00:00"),
    };
    let (tenants, findings) = findings_stores(workspace_a(), vec![recommendation]);

    let reply = TestApp {
        tenants,
        findings,
        ..TestApp::default()
    }
    .get_with_token(FINDINGS, &token(workspace_a()))
    .await;

    assert_eq!(
        reply.json()["data"],
        json!([{
            "finding_type": "NEW_KIND",
            "severity": "CRITICAL",
            "rate": null,
            "threshold": null,
            "message": "Set up DMARC.",
            "detected_at": "2026-04-27T22:00:00Z"
        }])
    );
}

#[actix_web::test]
async fn each_token_reads_only_its_own_workspaces_findings() {
    // Only workspace B's tenant is arranged; B's token must be the one asking.
    let (tenants, findings) = findings_stores(workspace_b(), vec![]);

    let reply = TestApp {
        tenants,
        findings,
        ..TestApp::default()
    }
    .get_with_token(FINDINGS, &token(workspace_b()))
    .await;

    assert_eq!(reply.json(), json!({"success": true, "data": []}));
}

#[actix_web::test]
async fn findings_in_a_region_not_served_are_400_without_a_lookup() {
    // No store expectations: any lookup would fail the test.
    let reply = TestApp::default()
        .get_with_token("/tenants/ap-south-1/findings", &token(workspace_a()))
        .await;

    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "region_not_served",
        "region \"ap-south-1\" is not served",
    );
}

#[actix_web::test]
async fn findings_where_the_workspace_has_no_tenant_are_404() {
    let mut tenants = MockTenantStore::new();
    tenants
        .expect_tenant()
        .withf(|asked, region| *asked == workspace_a() && region.as_str() == "eu-north-1")
        .return_once(|_, _| Ok(None));

    let reply = TestApp {
        tenants,
        ..TestApp::default()
    }
    .get_with_token("/tenants/eu-north-1/findings", &token(workspace_a()))
    .await;

    assert_error(
        &reply,
        StatusCode::NOT_FOUND,
        "tenant_not_found",
        "the workspace has no tenant in eu-north-1",
    );
}

#[actix_web::test]
async fn findings_while_the_store_is_down_are_503() {
    let mut tenants = MockTenantStore::new();
    tenants
        .expect_tenant()
        .return_once(|_, _| Ok(Some(tenant(workspace_a(), "us-east-1", 7))));
    let mut findings = MockFindingStore::new();
    findings
        .expect_open_findings()
        .return_once(|_| Err(StoreError::Unavailable(anyhow::anyhow!("pool timed out"))));

    let reply = TestApp {
        tenants,
        findings,
        ..TestApp::default()
    }
    .get_with_token(FINDINGS, &token(workspace_a()))
    .await;

    assert_error(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
        "service unavailable, try again later",
    );
}

#[actix_web::test]
async fn findings_without_a_token_are_401_before_any_lookup() {
    let reply = TestApp::default()
        .send(actix_web::test::TestRequest::get().uri(FINDINGS))
        .await;

    crate::support::assert_unauthorized(&reply, "missing bearer token");
}

mod backfill {
    use actix_web::http::StatusCode;
    use actix_web::test::TestRequest;
    use posthawk_domain::ports::{ProvisioningState, SesError, TenantId, TenantRecord};
    use posthawk_domain::{ConfigurationSetName, Region, SendingStatus, TenantName};
    use posthawk_http::TokenIssuer;
    use serde_json::json;

    use crate::support::{SECRET, TOPIC_EU, TOPIC_US, TestApp, token, workspace_a};

    const PATH: &str = "/tenants/backfill-event-destinations";

    fn tenant(id: i64, name: &str, region: &str) -> TenantRecord {
        let name = TenantName::parse(name).unwrap();
        TenantRecord {
            id: TenantId(id),
            workspace: workspace_a(),
            region: Region::parse(region).unwrap(),
            configuration_set: ConfigurationSetName::for_tenant(&name),
            name,
            arn: Some(format!("arn:aws:ses:{region}:123456789012:tenant/x/{id}")),
            provisioning: ProvisioningState::Ready,
            sending_status: SendingStatus::Enabled,
            last_checked_at: None,
        }
    }

    fn admin_token() -> String {
        TokenIssuer::hs256(SECRET, None, None)
            .mint(workspace_a(), true, std::time::Duration::from_secs(60))
            .unwrap()
    }

    #[actix_web::test]
    async fn puts_each_regions_topic_on_every_configuration_set_and_counts_failures() {
        let mut app = TestApp::default();
        app.tenants
            .expect_tenants_with_configuration_set()
            .times(1)
            .returning(|| {
                Ok(vec![
                    tenant(1, "ph-aaaaaaaaaaaa", "us-east-1"),
                    tenant(2, "ph-bbbbbbbbbbbb", "eu-north-1"),
                    tenant(3, "ph-cccccccccccc", "us-east-1"),
                ])
            });
        app.admin
            .expect_put_event_destination()
            .withf(|region, set, topic| {
                let expected = if region.as_str() == "us-east-1" {
                    TOPIC_US
                } else {
                    TOPIC_EU
                };
                topic == expected && set.as_str() != "ph-cccccccccccc"
            })
            .times(2)
            .returning(|_, _, _| Ok(()));
        app.admin
            .expect_put_event_destination()
            .withf(|_, set, _| set.as_str() == "ph-cccccccccccc")
            .times(1)
            .returning(|_, _, _| Err(SesError::Throttled));

        let reply = app
            .send(
                TestRequest::post()
                    .uri(PATH)
                    .insert_header(("Authorization", format!("Bearer {}", admin_token()))),
            )
            .await;

        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            reply.json(),
            json!({"success": true, "data": {"tenants_updated": 2, "errors": 1}})
        );
    }

    #[actix_web::test]
    async fn a_workspace_token_without_the_admin_role_is_refused_and_changes_nothing() {
        // No store or SES expectations: any call would fail the test.
        let reply = TestApp::default()
            .send(
                TestRequest::post()
                    .uri(PATH)
                    .insert_header(("Authorization", format!("Bearer {}", token(workspace_a())))),
            )
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.json()["error"]["code"], "forbidden");
    }

    #[actix_web::test]
    async fn without_a_token_it_is_unauthorized() {
        let reply = TestApp::default().send(TestRequest::post().uri(PATH)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
}
