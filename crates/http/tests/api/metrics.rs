//! `GET /metrics`: Prometheus text, no token, no envelope; requests timed by route
//! pattern; the database gauges read at scrape time, a failing one left out.

use std::collections::HashMap;
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::test::TestRequest;
use posthawk_domain::SendingStatus;

use crate::support::{Gauges, Reply, TestApp};

fn gauges() -> Gauges {
    Gauges {
        refresh_lag: Some(Duration::from_millis(1500)),
        tenants: Some(HashMap::from([
            (SendingStatus::Enabled, 3),
            (SendingStatus::Enforced, 1),
        ])),
        backlog: Some(2),
    }
}

fn assert_has_lines(reply: &Reply, lines: &[&str]) {
    for line in lines {
        assert!(
            reply.body.lines().any(|present| present == *line),
            "{line:?} missing from:\n{}",
            reply.body
        );
    }
}

#[actix_web::test]
async fn metrics_is_prometheus_text_without_a_token_or_an_envelope() {
    let reply = TestApp {
        gauges: gauges(),
        ..TestApp::default()
    }
    .send(TestRequest::get().uri("/metrics"))
    .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4"),
        "{:?}",
        reply.headers
    );
    assert!(!reply.body.trim_start().starts_with('{'), "{}", reply.body);
}

#[actix_web::test]
async fn requests_are_timed_by_route_pattern_method_and_status() {
    let [.., scrape] = TestApp {
        gauges: gauges(),
        ..TestApp::default()
    }
    .send_all([
        TestRequest::get().uri("/tenants/us-east-1/findings"),
        TestRequest::get().uri("/tenants/eu-north-1/findings"),
        TestRequest::get().uri("/test/items/0b6f2a8e-3c1d-4e5f-8a9b-0c1d2e3f4a5b"),
        TestRequest::get().uri("/no/such/path/4711"),
        TestRequest::put().uri("/healthz"),
        TestRequest::get().uri("/metrics"),
    ])
    .await;

    assert_eq!(scrape.status, StatusCode::OK);
    assert_has_lines(
        &scrape,
        &[
            // Both regions in one series: the pattern, not the path.
            r#"http_request_duration_seconds_count{route="/tenants/{region}/findings",method="GET",status="401"} 2"#,
            r#"http_request_duration_seconds_count{route="/test/items/{id}",method="GET",status="200"} 1"#,
            r#"http_request_duration_seconds_count{route="unmatched",method="GET",status="404"} 1"#,
            r#"http_request_duration_seconds_count{route="/healthz",method="PUT",status="405"} 1"#,
            r#"http_request_duration_seconds_bucket{route="/test/items/{id}",method="GET",status="200",le="+Inf"} 1"#,
            "# TYPE http_request_duration_seconds histogram",
        ],
    );
    for raw in ["us-east-1", "0b6f2a8e", "4711"] {
        assert!(!scrape.body.contains(raw), "{raw} in:\n{}", scrape.body);
    }
}

#[actix_web::test]
async fn the_database_gauges_are_read_at_scrape_time() {
    let reply = TestApp {
        gauges: gauges(),
        ..TestApp::default()
    }
    .send(TestRequest::get().uri("/metrics"))
    .await;

    assert_has_lines(
        &reply,
        &[
            "tenant_refresh_lag_seconds 1.5",
            r#"tenants{sending_status="ENABLED"} 3"#,
            r#"tenants{sending_status="ENFORCED"} 1"#,
            r#"tenants{sending_status="PAUSED"} 0"#,
            r#"tenants{sending_status="DISABLED"} 0"#,
            "reconciler_backlog 2",
            "# TYPE tenants gauge",
        ],
    );
}

#[actix_web::test]
async fn a_gauge_that_cannot_be_read_is_left_out_and_the_rest_is_served() {
    let reply = TestApp {
        gauges: Gauges {
            tenants: None,
            ..gauges()
        },
        ..TestApp::default()
    }
    .send(TestRequest::get().uri("/metrics"))
    .await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_has_lines(
        &reply,
        &["tenant_refresh_lag_seconds 1.5", "reconciler_backlog 2"],
    );
    assert!(!reply.body.contains("tenants{"), "{}", reply.body);
}
