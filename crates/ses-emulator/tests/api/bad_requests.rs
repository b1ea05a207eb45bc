//! Malformed requests get AWS-shaped errors and never take the server down.

use reqwest::{Method, Response, StatusCode};
use serde_json::Value;

use crate::helpers::{TestEmulator, spawn};

async fn send(emulator: &TestEmulator, method: Method, path: &str, body: &str) -> Response {
    emulator
        .http
        .request(method, emulator.url(path))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// Asserts the AWS error shape and returns the message.
async fn assert_aws_error(response: Response, status: StatusCode, error_type: &str) -> String {
    assert_eq!(response.status(), status);
    assert_eq!(response.headers()["x-amzn-errortype"], error_type);
    assert!(response.headers().contains_key("x-amzn-requestid"));
    let body: Value = response.json().await.unwrap();
    body["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn malformed_json_is_a_bad_request_with_a_message() {
    let emulator = spawn().await;

    let response = send(
        &emulator,
        Method::POST,
        "/v2/email/tenants",
        "{\"TenantName\":",
    )
    .await;

    let message = assert_aws_error(response, StatusCode::BAD_REQUEST, "BadRequestException").await;
    assert!(message.contains("Invalid request body"), "{message}");
}

#[tokio::test]
async fn a_missing_required_member_is_a_bad_request() {
    let emulator = spawn().await;

    let response = send(&emulator, Method::POST, "/v2/email/tenants", "{}").await;

    let message = assert_aws_error(response, StatusCode::BAD_REQUEST, "BadRequestException").await;
    assert!(message.contains("TenantName"), "{message}");
}

#[tokio::test]
async fn a_member_of_the_wrong_type_is_a_bad_request() {
    let emulator = spawn().await;

    for (path, body) in [
        ("/v2/email/tenants", r#"{"TenantName": 42}"#),
        ("/v2/email/tenants/list", r#"{"PageSize": "ten"}"#),
        ("/v2/email/tenants/list", r#"{"Filter": {"COLOR": "red"}}"#),
        ("/v2/email/metrics/batch", r#"{"Queries": "all"}"#),
        ("/v2/email/outbound-emails", r#"{"Content": []}"#),
    ] {
        let response = send(&emulator, Method::POST, path, body).await;
        assert_aws_error(response, StatusCode::BAD_REQUEST, "BadRequestException").await;
    }
}

#[tokio::test]
async fn an_unknown_path_is_an_unknown_operation() {
    let emulator = spawn().await;

    let response = send(&emulator, Method::POST, "/v2/email/teapots", "{}").await;

    let message =
        assert_aws_error(response, StatusCode::NOT_FOUND, "UnknownOperationException").await;
    assert!(message.contains("/v2/email/teapots"), "{message}");
}

#[tokio::test]
async fn a_known_path_with_another_method_is_an_unknown_operation() {
    let emulator = spawn().await;

    let response = send(&emulator, Method::PATCH, "/v2/email/tenants", "{}").await;

    assert_aws_error(response, StatusCode::NOT_FOUND, "UnknownOperationException").await;
}

#[tokio::test]
async fn an_empty_body_reads_as_no_members() {
    let emulator = spawn().await;

    let response = send(&emulator, Method::POST, "/v2/email/tenants/list", "").await;

    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Tenants"], serde_json::json!([]));
}

#[tokio::test]
async fn a_forged_next_token_is_a_bad_request() {
    let emulator = spawn().await;

    let error = emulator
        .ses
        .list_tenants()
        .next_token("not-a-token!")
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_bad_request_exception(), "{error:?}");
}

#[tokio::test]
async fn the_server_keeps_serving_after_bad_requests() {
    let emulator = spawn().await;
    for body in ["", "{", "[]", "null", "\u{0}", &"[".repeat(10_000)] {
        send(&emulator, Method::POST, "/v2/email/tenants", body).await;
    }
    send(&emulator, Method::GET, "/v2/email/identities/%FF%FE", "").await;

    emulator.create_tenant("ph-1").await;
}
