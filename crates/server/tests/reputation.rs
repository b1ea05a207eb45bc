//! End to end: reputation events staged in the SES emulator reach `GET /tenants/status`
//! and `GET /tenants/{region}/findings` through the refresh worker, and the admin
//! backfill re-applies event destinations.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use aws_sdk_sesv2::types::{ReputationEntityType, SendingStatus as SdkSendingStatus};
use posthawk_domain::{TenantName, WorkspaceId};
use posthawk_postgres::testing::TestDatabase;
use posthawk_ses_emulator::{
    Emulator, EmulatorConfig, Fault, Metric, RecommendationImpact, RecommendationType,
    SendingStatus,
};
use serde_json::{Value, json};
use support::{TestApp, config, new_workspace, spawn_app, start};

const REGION: &str = "us-east-1";

/// An app with one provisioned workspace in `REGION`.
async fn provisioned() -> (TestApp, TestDatabase, WorkspaceId, String) {
    let (app, db) = spawn_app().await;
    let workspace = new_workspace();
    app.add_domain(
        workspace,
        &format!("mail.{}.example", uuid::Uuid::new_v4().simple()),
        REGION,
    )
    .await;
    app.settled(workspace).await;
    let tenant = TenantName::for_workspace(workspace).to_string();
    (app, db, workspace, tenant)
}

fn status_is(expected: &'static str) -> impl Fn(&Value) -> bool {
    move |row| row["sending_status"] == expected
}

#[tokio::test]
async fn ses_pausing_a_tenant_under_its_policy_shows_paused_and_reinstatement_enabled() {
    let (app, _db, workspace, tenant) = provisioned().await;
    app.status_row_where(workspace, REGION, status_is("ENABLED"))
        .await;

    app.ses
        .set_aws_managed_status(
            REGION,
            &tenant,
            SendingStatus::Disabled,
            Some("Bounce rate above the standard policy"),
        )
        .unwrap();
    let paused = app
        .status_row_where(workspace, REGION, status_is("PAUSED"))
        .await;
    assert!(paused["last_checked_at"].as_str().unwrap().ends_with('Z'));

    app.ses
        .set_aws_managed_status(REGION, &tenant, SendingStatus::Reinstated, None)
        .unwrap();
    app.status_row_where(workspace, REGION, status_is("ENABLED"))
        .await;
}

#[tokio::test]
async fn ses_enforcement_shows_enforced() {
    let (app, _db, workspace, tenant) = provisioned().await;
    app.ses
        .set_aws_managed_status(
            REGION,
            &tenant,
            SendingStatus::Disabled,
            Some("Enforcement action following a review by AWS Trust & Safety"),
        )
        .unwrap();
    app.status_row_where(workspace, REGION, status_is("ENFORCED"))
        .await;
}

#[tokio::test]
async fn the_platforms_own_pause_shows_paused() {
    let (app, _db, workspace, _tenant) = provisioned().await;
    let arn = app.inventory(REGION).tenants[0].arn.clone();
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(aws_sdk_sesv2::config::BehaviorVersion::latest())
        .region(aws_sdk_sesv2::config::Region::new(REGION))
        .endpoint_url(&app.ses_endpoint)
        .credentials_provider(aws_sdk_sesv2::config::Credentials::new(
            "t", "t", None, None, "test",
        ))
        .build();
    aws_sdk_sesv2::Client::from_conf(config)
        .update_reputation_entity_customer_managed_status()
        .reputation_entity_type(ReputationEntityType::Resource)
        .reputation_entity_reference(arn)
        .sending_status(SdkSendingStatus::Disabled)
        .send()
        .await
        .unwrap();
    app.status_row_where(workspace, REGION, status_is("PAUSED"))
        .await;
}

#[tokio::test]
async fn a_bounce_rate_approaching_the_threshold_is_a_warning_with_rate_and_threshold() {
    let (app, _db, workspace, tenant) = provisioned().await;
    app.ses
        .add_metric_counts(
            REGION,
            &tenant,
            [(Metric::Send, 1000), (Metric::PermanentBounce, 38)],
        )
        .unwrap();
    let findings = app
        .findings_where(workspace, REGION, |f| !f.is_empty())
        .await;
    let [finding] = findings.as_slice() else {
        panic!("{findings:?}")
    };
    assert_eq!(finding["finding_type"], "BOUNCE_RATE");
    assert_eq!(finding["severity"], "WARNING");
    assert_eq!(finding["rate"], json!(0.038));
    assert_eq!(finding["threshold"], json!(0.05));
    assert_eq!(
        finding["message"],
        "Bounce rate is approaching 5% (SES auto-pause threshold)."
    );
    assert!(finding["detected_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn low_volume_gives_no_rate_finding_however_bad_the_rate() {
    let (app, _db, workspace, tenant) = provisioned().await;
    app.ses
        .add_metric_counts(
            REGION,
            &tenant,
            [(Metric::Send, 100), (Metric::PermanentBounce, 40)],
        )
        .unwrap();
    // Wait until a refresh has certainly read the metrics, then look.
    let checked =
        app.status_row_where(workspace, REGION, |_| true).await["last_checked_at"].clone();
    app.status_row_where(workspace, REGION, |row| row["last_checked_at"] != checked)
        .await;
    let (_, body) = app
        .get(workspace, &format!("/tenants/{REGION}/findings"))
        .await;
    assert_eq!(body["data"], json!([]));
}

#[tokio::test]
async fn a_high_impact_recommendation_is_critical_and_fixing_it_resolves_the_finding() {
    let (app, _db, workspace, tenant) = provisioned().await;
    let description =
        "The bounce rate exceeded 15.0% based on a representative volume of 664 emails";
    app.ses
        .open_recommendation(
            REGION,
            &tenant,
            RecommendationType::Bounce,
            RecommendationImpact::High,
            description,
        )
        .unwrap();
    let findings = app
        .findings_where(workspace, REGION, |f| !f.is_empty())
        .await;
    assert_eq!(findings[0]["finding_type"], "BOUNCE_RATE");
    assert_eq!(findings[0]["severity"], "CRITICAL");
    assert_eq!(findings[0]["message"], description);
    assert_eq!(findings[0]["rate"], Value::Null);

    app.ses
        .fix_recommendation(REGION, &tenant, RecommendationType::Bounce)
        .unwrap();
    app.findings_where(workspace, REGION, <[Value]>::is_empty)
        .await;
}

#[tokio::test]
async fn another_workspaces_findings_stay_its_own() {
    let (app, _db, workspace, tenant) = provisioned().await;
    let other = new_workspace();
    app.add_domain(other, "mail.other-findings.example", REGION)
        .await;
    app.settled(other).await;
    app.ses
        .open_recommendation(
            REGION,
            &tenant,
            RecommendationType::Dkim,
            RecommendationImpact::Low,
            "Fix DKIM",
        )
        .unwrap();
    app.findings_where(workspace, REGION, |f| f.len() == 1)
        .await;
    let (_, body) = app.get(other, &format!("/tenants/{REGION}/findings")).await;
    assert_eq!(body["data"], json!([]));
}

fn topics_of(app: &TestApp) -> Vec<String> {
    app.inventory(REGION)
        .configuration_sets
        .iter()
        .map(|set| {
            let destination = &set.event_destinations[0].definition;
            destination
                .sns_destination
                .as_ref()
                .unwrap()
                .topic_arn
                .clone()
        })
        .collect()
}

#[tokio::test]
async fn the_backfill_puts_a_changed_topic_on_every_configuration_set_and_counts_failures() {
    let db = TestDatabase::new().await;
    let emulator =
        Emulator::start("127.0.0.1:0".parse().unwrap(), EmulatorConfig::default()).unwrap();
    let endpoint = emulator.endpoint_url();
    let before = start(
        config(db.url(), &["--ses-endpoint-url", &endpoint]),
        Some((emulator.state(), endpoint.clone())),
    )
    .await;
    for _ in 0..3 {
        let workspace = new_workspace();
        before
            .add_domain(
                workspace,
                &format!("m.{}.example", uuid::Uuid::new_v4().simple()),
                REGION,
            )
            .await;
        before.settled(workspace).await;
    }
    assert!(
        topics_of(&before)
            .iter()
            .all(|t| t.ends_with(":posthawk-ses-events"))
    );

    // The operators move the region to a new topic and restart with it.
    let topic = "arn:aws:sns:us-east-1:123456789012:ses-events-v2";
    let topics =
        format!("{REGION}={topic},eu-north-1=arn:aws:sns:eu-north-1:123456789012:ses-events-v2");
    let after = start(
        config(
            db.url(),
            &[
                "--ses-endpoint-url",
                &endpoint,
                "--ses-event-topics",
                &topics,
            ],
        ),
        Some((emulator.state(), endpoint.clone())),
    )
    .await;
    let admin = after.admin_token(new_workspace());
    let backfill = || async {
        let response = after
            .client
            .post(format!(
                "{}/tenants/backfill-event-destinations",
                after.address
            ))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<Value>().await.unwrap(),
        )
    };

    assert_eq!(
        backfill().await,
        (
            200,
            json!({"success": true, "data": {"tenants_updated": 3, "errors": 0}})
        )
    );
    assert_eq!(topics_of(&after), vec![topic.to_owned(); 3]);
    assert_eq!(
        backfill().await.1["data"],
        json!({"tenants_updated": 3, "errors": 0}),
        "idempotent"
    );

    after
        .ses
        .inject_fault(
            "UpdateConfigurationSetEventDestination",
            Fault::fail_next(1, 400, "BadRequestException"),
        )
        .unwrap();
    assert_eq!(
        backfill().await.1["data"],
        json!({"tenants_updated": 2, "errors": 1})
    );

    // A workspace token without the admin role changes nothing.
    let calls = after
        .ses
        .call_count("UpdateConfigurationSetEventDestination");
    let response = after
        .client
        .post(format!(
            "{}/tenants/backfill-event-destinations",
            after.address
        ))
        .bearer_auth(after.token(new_workspace()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(
        after
            .ses
            .call_count("UpdateConfigurationSetEventDestination"),
        calls
    );
}
