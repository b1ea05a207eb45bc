//! Requests no handler takes still get the JSON envelope, never actix's plain text.

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{TestApp, assert_error, token, workspace_a};

#[actix_web::test]
async fn unknown_route_is_a_json_404() {
    let reply = TestApp::default()
        .send(TestRequest::get().uri("/no/such/thing"))
        .await;

    assert_error(
        &reply,
        StatusCode::NOT_FOUND,
        "not_found",
        "no endpoint at this path",
    );
}

#[actix_web::test]
async fn wrong_method_on_a_known_route_is_a_json_405() {
    let reply = TestApp::default()
        .send(
            TestRequest::delete()
                .uri("/tenants/status")
                .insert_header(("Authorization", format!("Bearer {}", token(workspace_a())))),
        )
        .await;

    assert_error(
        &reply,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed on this endpoint",
    );
}

#[actix_web::test]
async fn malformed_path_segment_is_a_json_400() {
    let reply = TestApp::default()
        .send(TestRequest::get().uri("/test/items/not-a-uuid"))
        .await;

    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "malformed path parameter",
    );
}

#[actix_web::test]
async fn malformed_query_string_is_a_json_400() {
    let reply = TestApp::default()
        .send(TestRequest::get().uri("/test/search?limit=many"))
        .await;

    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "malformed query string",
    );
}

#[actix_web::test]
async fn body_that_is_not_json_is_a_json_400() {
    let reply = TestApp::default()
        .send(
            TestRequest::post()
                .uri("/test/echo")
                .insert_header(("Content-Type", "application/json"))
                .set_payload("{\"name\": "),
        )
        .await;

    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "request body is not valid JSON",
    );
}

#[actix_web::test]
async fn json_body_of_the_wrong_shape_is_a_json_400_without_type_names() {
    let reply = TestApp::default()
        .send(
            TestRequest::post()
                .uri("/test/echo")
                .set_json(json!({"name": 42})),
        )
        .await;

    assert_error(
        &reply,
        StatusCode::BAD_REQUEST,
        "bad_request",
        "request body does not have the expected fields and types",
    );
}

#[actix_web::test]
async fn body_that_is_not_declared_json_is_a_json_415() {
    let reply = TestApp::default()
        .send(
            TestRequest::post()
                .uri("/test/echo")
                .insert_header(("Content-Type", "text/plain"))
                .set_payload("{\"name\": \"x\"}"),
        )
        .await;

    assert_error(
        &reply,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "request body must be application/json",
    );
}

#[actix_web::test]
async fn oversized_body_is_a_json_413() {
    let name = "x".repeat(posthawk_http::JSON_BODY_LIMIT);

    let reply = TestApp::default()
        .send(
            TestRequest::post()
                .uri("/test/echo")
                .set_json(json!({ "name": name })),
        )
        .await;

    assert_error(
        &reply,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "request body is too large",
    );
}

#[actix_web::test]
async fn well_formed_json_body_reaches_the_handler() {
    let reply = TestApp::default()
        .send(
            TestRequest::post()
                .uri("/test/echo")
                .set_json(json!({"name": "x"})),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.json(),
        json!({"success": true, "data": {"name": "x"}})
    );
}
