//! The OpenAPI document: served as generated, committed in step with the code, and
//! internally consistent.

use std::path::PathBuf;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use serde_json::Value;

use crate::support::TestApp;

fn generated() -> String {
    posthawk_http::openapi::document().to_pretty_json().unwrap() + "\n"
}

fn committed_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json")
}

#[test]
fn committed_openapi_json_matches_the_code() {
    let generated = generated();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path(), &generated).unwrap();
    }

    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();

    assert!(
        committed == generated,
        "docs/openapi.json is out of date: regenerate it with \
         `UPDATE_OPENAPI=1 cargo test -p posthawk-http`"
    );
}

#[actix_web::test]
async fn openapi_json_serves_the_generated_document() {
    let reply = TestApp::default()
        .send(TestRequest::get().uri("/openapi.json"))
        .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.json(),
        serde_json::from_str::<Value>(&generated()).unwrap()
    );
}

#[test]
fn document_is_openapi_3_1_with_bearer_auth_on_the_tenant_endpoints() {
    let document: Value = serde_json::from_str(&generated()).unwrap();

    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"));
    assert_eq!(
        document["components"]["securitySchemes"]["bearer_jwt"]["scheme"],
        "bearer"
    );
    for path in ["/tenants/status", "/tenants/{region}/findings"] {
        let operation = &document["paths"][path]["get"];
        assert_eq!(
            operation["security"],
            serde_json::json!([{"bearer_jwt": []}]),
            "{path}"
        );
        assert!(operation["responses"]["401"].is_object(), "{path}");
    }
    let findings = &document["paths"]["/tenants/{region}/findings"]["get"]["responses"];
    for status in ["200", "400", "401", "404", "500", "503"] {
        assert!(findings[status].is_object(), "findings response {status}");
    }
}

#[test]
fn every_reference_in_the_document_resolves() {
    let document: Value = serde_json::from_str(&generated()).unwrap();
    let mut references = Vec::new();
    collect_references(&document, &mut references);

    assert!(!references.is_empty());
    for reference in references {
        let pointer = reference.strip_prefix('#').unwrap();
        assert!(
            document.pointer(pointer).is_some(),
            "{reference} does not resolve"
        );
    }
}

fn collect_references(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                match (key.as_str(), value) {
                    ("$ref", Value::String(reference)) => found.push(reference.clone()),
                    _ => collect_references(value, found),
                }
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| collect_references(item, found)),
        _ => {}
    }
}

#[test]
fn domain_and_email_operations_need_a_token_and_document_every_status() {
    let document: Value = serde_json::from_str(&generated()).unwrap();
    let operations = [
        (
            "/domains",
            "post",
            &[
                "201", "400", "401", "409", "413", "415", "422", "500", "503",
            ][..],
        ),
        ("/domains", "get", &["200", "401", "500", "503"][..]),
        (
            "/domains/{id}",
            "delete",
            &["202", "400", "401", "404", "500", "503"][..],
        ),
        (
            "/emails",
            "post",
            &[
                "202", "400", "401", "403", "409", "413", "415", "422", "500", "503",
            ][..],
        ),
    ];
    for (path, method, statuses) in operations {
        let operation = &document["paths"][path][method];
        assert_eq!(
            operation["security"],
            serde_json::json!([{"bearer_jwt": []}]),
            "{method} {path}"
        );
        let documented: Vec<&str> = operation["responses"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(documented, statuses, "{method} {path}");
    }
}

#[test]
fn metrics_is_documented_as_plain_text_without_auth() {
    let document: Value = serde_json::from_str(&generated()).unwrap();
    let operation = &document["paths"]["/metrics"]["get"];

    assert!(operation["security"].is_null(), "{operation}");
    assert_eq!(
        operation["responses"]["200"]["content"]["text/plain"]["schema"]["type"],
        "string"
    );
}
