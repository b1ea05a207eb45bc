//! The HTTP control API under `/_emulator/`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{REGION, TestEmulator, spawn};

impl TestEmulator {
    async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self
            .http
            .request(method, self.url(&format!("/_emulator{path}")));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        };
        (status, body)
    }
}

#[tokio::test]
async fn the_control_api_pauses_a_tenant_as_ses_would() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;

    let (status, tenant) = emulator
        .control(
            reqwest::Method::PUT,
            &format!("/regions/{REGION}/tenants/ph-1/aws-managed-status"),
            Some(json!({"status": "DISABLED", "cause": "Bounce rate above 10%"})),
        )
        .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(tenant["reputation"]["sending_status_aggregate"], "DISABLED");
    assert_eq!(
        tenant["reputation"]["aws_managed"]["cause"],
        "Bounce rate above 10%"
    );
    let fetched = emulator
        .ses
        .get_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        fetched.tenant().unwrap().sending_status().unwrap().as_str(),
        "DISABLED"
    );
}

#[tokio::test]
async fn the_control_api_opens_and_fixes_recommendations() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;
    let base = format!("/regions/{REGION}/tenants/ph-1/recommendations");

    let (status, opened) = emulator
        .control(
            reqwest::Method::POST,
            &base,
            Some(json!({"type": "BOUNCE", "impact": "HIGH", "description": "Bounce rate 15%"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(opened["status"], "OPEN");

    let (status, fixed) = emulator
        .control(reqwest::Method::POST, &format!("{base}/BOUNCE/fix"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fixed["status"], "FIXED");

    let (status, error) = emulator
        .control(reqwest::Method::POST, &format!("{base}/BOUNCE/fix"), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("no open BOUNCE")
    );
}

#[tokio::test]
async fn the_control_api_seeds_metrics() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;

    let (status, _) = emulator
        .control(
            reqwest::Method::POST,
            &format!("/regions/{REGION}/tenants/ph-1/metrics"),
            Some(json!({"counts": {"SEND": 1000, "PERMANENT_BOUNCE": 38}})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (status, error) = emulator
        .control(
            reqwest::Method::POST,
            &format!("/regions/{REGION}/tenants/nobody/metrics"),
            Some(json!({"counts": {"SEND": 1}})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(error["message"].is_string());
}

#[tokio::test]
async fn the_control_api_injects_lists_and_clears_faults() {
    let emulator = spawn().await;

    let (status, _) = emulator
        .control(
            reqwest::Method::POST,
            "/faults/GetAccount",
            Some(json!({"kind": "fail_next", "count": 1, "status": 503, "error_type": "ServiceUnavailable"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, faults) = emulator
        .control(reqwest::Method::GET, "/faults", None)
        .await;
    assert_eq!(faults["GetAccount"][0]["kind"], "fail_next");

    let error = emulator
        .client_without_retries()
        .get_account()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 503);

    let (status, _) = emulator
        .control(
            reqwest::Method::POST,
            "/faults/GetAcount",
            Some(json!({"kind": "latency", "ms": 5})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    emulator
        .control(
            reqwest::Method::POST,
            "/faults/*",
            Some(json!({"kind": "throttle", "per_second": 1})),
        )
        .await;
    let (status, _) = emulator
        .control(reqwest::Method::DELETE, "/faults", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, faults) = emulator
        .control(reqwest::Method::GET, "/faults", None)
        .await;
    assert_eq!(faults, json!({}));
}

#[tokio::test]
async fn the_inventory_shows_everything_and_reset_forgets_it() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;
    crate::helpers::send_through(&emulator.ses, &provisioned, &["a@example.org"])
        .send()
        .await
        .unwrap();
    emulator
        .client_in("eu-north-1")
        .create_tenant()
        .tenant_name("ph-2")
        .send()
        .await
        .unwrap();

    let (status, inventory) = emulator
        .control(reqwest::Method::GET, "/inventory", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let region = &inventory["regions"][REGION];
    assert_eq!(region["tenants"][0]["name"], "ph-1");
    assert_eq!(
        region["tenants"][0]["resources"][&provisioned.identity_arn]["resource_type"],
        "EMAIL_IDENTITY"
    );
    assert_eq!(region["configuration_sets"][0]["name"], "ph-1");
    assert_eq!(region["identities"][0]["name"], "example.com");
    assert_eq!(region["sent_messages"][0]["to"], json!(["a@example.org"]));
    assert_eq!(
        inventory["regions"]["eu-north-1"]["tenants"][0]["name"],
        "ph-2"
    );

    let (_, calls) = emulator.control(reqwest::Method::GET, "/calls", None).await;
    assert_eq!(calls["CreateTenant"], 2);
    assert_eq!(calls["SendEmail"], 1);

    let (status, _) = emulator
        .control(reqwest::Method::POST, "/reset", None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, inventory) = emulator
        .control(reqwest::Method::GET, "/inventory", None)
        .await;
    assert_eq!(inventory, json!({"regions": {}}));
    let (_, calls) = emulator.control(reqwest::Method::GET, "/calls", None).await;
    assert_eq!(calls, json!({}));
}

#[tokio::test]
async fn a_bad_control_request_is_a_bad_request() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;

    let (status, error) = emulator
        .control(
            reqwest::Method::PUT,
            &format!("/regions/{REGION}/tenants/ph-1/aws-managed-status"),
            Some(json!({"status": "PAUSED"})),
        )
        .await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(error["message"].as_str().unwrap().contains("PAUSED"));
}
