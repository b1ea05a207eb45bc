//! End to end: `GET /metrics` of a running application shows what a new domain set in
//! motion: the request, the SES calls of its provisioning, the workers' passes and the
//! tenant gauges read from the database.
#![allow(clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use support::{TestApp, eventually, new_workspace, spawn_app};

async fn scrape(app: &TestApp) -> String {
    let response = app
        .client
        .get(format!("{}/metrics", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

/// The value of the sample `series` (name and labels, as rendered), if present.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' '))
        .map(|value| value.parse().unwrap())
}

#[tokio::test]
async fn metrics_show_the_ses_calls_and_the_tenant_a_new_domain_brought() {
    let (app, _db) = spawn_app().await;
    let workspace = new_workspace();
    app.add_domain(workspace, "mail.metrics.example", "us-east-1")
        .await;
    app.status_row_where(workspace, "us-east-1", |row| {
        row["sending_status"] == "ENABLED"
    })
    .await;

    let text = eventually(|| async {
        let text = scrape(&app).await;
        (sample(&text, "reconciler_backlog") == Some(0.0)).then_some(text)
    })
    .await;

    for (series, at_least) in [
        (r#"tenants{sending_status="ENABLED"}"#, 1.0),
        (
            r#"ses_calls_total{operation="CreateTenant",outcome="ok"}"#,
            1.0,
        ),
        (
            r#"ses_calls_total{operation="CreateConfigurationSet",outcome="ok"}"#,
            1.0,
        ),
        (
            r#"ses_call_duration_seconds_count{operation="CreateTenant"}"#,
            1.0,
        ),
        (
            r#"ses_rate_limit_wait_seconds_count{region="us-east-1"}"#,
            1.0,
        ),
        (r#"reputation_refreshes_total{outcome="refreshed"}"#, 0.0),
        (
            r#"http_request_duration_seconds_count{route="/domains",method="POST",status="201"}"#,
            1.0,
        ),
        (
            r#"http_request_duration_seconds_count{route="/tenants/status",method="GET",status="200"}"#,
            1.0,
        ),
    ] {
        let value = sample(&text, series).unwrap_or_else(|| panic!("{series} missing:\n{text}"));
        assert!(value >= at_least, "{series} = {value}:\n{text}");
    }
    assert_eq!(
        sample(&text, r#"tenants{sending_status="ENABLED"}"#),
        Some(1.0)
    );
    assert_eq!(
        sample(&text, r#"tenants{sending_status="DISABLED"}"#),
        Some(0.0)
    );
    assert!(
        sample(&text, "tenant_refresh_lag_seconds").is_some(),
        "{text}"
    );
    // The domain was provisioned on the request path; the reconcilers only polled.
    assert!(
        text.lines()
            .any(|line| line.starts_with("reconciler_passes_total{outcome=")),
        "{text}"
    );
}
