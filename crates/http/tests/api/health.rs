//! Probes: `/healthz` always answers, `/readyz` follows the readiness check; neither needs
//! a token.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{TestApp, assert_error};

#[actix_web::test]
async fn healthz_is_ok_without_a_token() {
    let reply = TestApp::default()
        .send(TestRequest::get().uri("/healthz"))
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"success": true, "data": {"status": "ok"}})
    );
}

#[actix_web::test]
async fn readyz_is_ok_when_the_dependencies_are() {
    let reply = TestApp::default()
        .send(TestRequest::get().uri("/readyz"))
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        json!({"success": true, "data": {"status": "ok"}})
    );
}

#[actix_web::test]
async fn readyz_is_503_when_a_dependency_is_down_and_says_nothing_of_why() {
    let reply = TestApp {
        ready: false,
        ..TestApp::default()
    }
    .send(TestRequest::get().uri("/readyz"))
    .await;

    assert_error(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        "service_unavailable",
        "service unavailable, try again later",
    );
    assert!(!reply.body.contains("database"), "{}", reply.body);
}
