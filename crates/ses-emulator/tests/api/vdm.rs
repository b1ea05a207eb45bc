//! VDM: recommendations and metrics.

use std::time::{Duration, SystemTime};

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::primitives::DateTime;
use aws_sdk_sesv2::types::{
    BatchGetMetricDataQuery, ListRecommendationsFilterKey, Metric as SdkMetric,
    MetricDimensionName, MetricNamespace, RecommendationImpact as SdkImpact, RecommendationStatus,
    RecommendationType as SdkType,
};
use posthawk_ses_emulator::{Metric, RecommendationImpact, RecommendationType};

use crate::helpers::{REGION, send_through, spawn};

/// A query of one metric of one tenant over the last day (and a minute ahead).
fn tenant_query(id: &str, metric: SdkMetric, tenant: &str) -> BatchGetMetricDataQuery {
    let now = SystemTime::now();
    BatchGetMetricDataQuery::builder()
        .id(id)
        .namespace(MetricNamespace::Vdm)
        .metric(metric)
        .dimensions(MetricDimensionName::TenantName, tenant)
        .start_date(DateTime::from(now - Duration::from_secs(24 * 3600)))
        .end_date(DateTime::from(now + Duration::from_secs(60)))
        .build()
        .unwrap()
}

/// The total of each query's values, by query id.
async fn totals(ses: &Client, queries: Vec<BatchGetMetricDataQuery>) -> Vec<(String, i64)> {
    let output = ses
        .batch_get_metric_data()
        .set_queries(Some(queries))
        .send()
        .await
        .unwrap();
    assert!(output.errors().is_empty());
    output
        .results()
        .iter()
        .map(|result| {
            assert_eq!(result.timestamps().len(), result.values().len());
            (
                result.id().unwrap().to_owned(),
                result.values().iter().sum(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_mailbox_simulator_feeds_the_tenant_metrics() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;
    let recipients = [
        "success@simulator.amazonses.com",
        "bounce@simulator.amazonses.com",
        "bounce+second@simulator.amazonses.com",
        "complaint@simulator.amazonses.com",
        "someone@example.org",
    ];
    send_through(&emulator.ses, &provisioned, &recipients)
        .send()
        .await
        .unwrap();

    let totals = totals(
        &emulator.ses,
        vec![
            tenant_query("send", SdkMetric::Send, "ph-1"),
            tenant_query("delivery", SdkMetric::Delivery, "ph-1"),
            tenant_query("bounce", SdkMetric::PermanentBounce, "ph-1"),
            tenant_query("transient", SdkMetric::TransientBounce, "ph-1"),
            tenant_query("complaint", SdkMetric::Complaint, "ph-1"),
            tenant_query("other", SdkMetric::Send, "ph-other"),
        ],
    )
    .await;

    let expected = [
        ("send", 5),
        ("delivery", 3),
        ("bounce", 2),
        ("transient", 0),
        ("complaint", 1),
        ("other", 0),
    ];
    let expected: Vec<(String, i64)> = expected
        .iter()
        .map(|(id, total)| ((*id).to_owned(), *total))
        .collect();
    assert_eq!(totals, expected);
}

#[tokio::test]
async fn sends_count_under_the_configuration_set_dimension_too() {
    let emulator = spawn().await;
    let provisioned = emulator.provision("ph-1", "example.com").await;
    send_through(
        &emulator.ses,
        &provisioned,
        &["bounce@simulator.amazonses.com"],
    )
    .send()
    .await
    .unwrap();
    let now = SystemTime::now();
    let query = BatchGetMetricDataQuery::builder()
        .id("by-set")
        .namespace(MetricNamespace::Vdm)
        .metric(SdkMetric::PermanentBounce)
        .dimensions(MetricDimensionName::ConfigurationSet, "ph-1")
        .start_date(DateTime::from(now - Duration::from_secs(3600)))
        .end_date(DateTime::from(now + Duration::from_secs(60)))
        .build()
        .unwrap();

    assert_eq!(
        totals(&emulator.ses, vec![query]).await,
        [("by-set".to_owned(), 1)]
    );
}

#[tokio::test]
async fn seeded_metrics_are_returned_as_daily_points() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;
    emulator
        .state
        .add_metric_counts(
            REGION,
            "ph-1",
            [(Metric::Send, 1000), (Metric::PermanentBounce, 38)],
        )
        .unwrap();

    let output = emulator
        .ses
        .batch_get_metric_data()
        .queries(tenant_query("send", SdkMetric::Send, "ph-1"))
        .queries(tenant_query("bounce", SdkMetric::PermanentBounce, "ph-1"))
        .send()
        .await
        .unwrap();

    let send = &output.results()[0];
    // A window of a day touches two (or, a minute before midnight, three) UTC days.
    assert!((2..=3).contains(&send.timestamps().len()));
    assert!(
        send.timestamps().iter().all(|at| at.secs() % 86_400 == 0),
        "midnight UTC"
    );
    assert_eq!(send.values().iter().filter(|value| **value != 0).count(), 1);
    assert_eq!(send.values().iter().sum::<i64>(), 1000);
    assert_eq!(output.results()[1].values().iter().sum::<i64>(), 38);
}

#[tokio::test]
async fn a_metric_query_with_an_inverted_window_is_a_bad_request() {
    let emulator = spawn().await;
    let now = SystemTime::now();
    let query = BatchGetMetricDataQuery::builder()
        .id("q")
        .namespace(MetricNamespace::Vdm)
        .metric(SdkMetric::Send)
        .start_date(DateTime::from(now))
        .end_date(DateTime::from(now - Duration::from_secs(60)))
        .build()
        .unwrap();

    let error = emulator
        .ses
        .batch_get_metric_data()
        .queries(query)
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_bad_request_exception(), "{error:?}");
}

#[tokio::test]
async fn list_recommendations_filters_by_resource_status_and_impact() {
    let emulator = spawn().await;
    let risky = emulator.create_tenant("ph-risky").await;
    emulator.create_tenant("ph-other").await;
    let open = |tenant, kind, impact| {
        emulator
            .state
            .open_recommendation(
                REGION,
                tenant,
                kind,
                impact,
                "The bounce rate exceeded 15.0%",
            )
            .unwrap();
    };
    open(
        "ph-risky",
        RecommendationType::Bounce,
        RecommendationImpact::High,
    );
    open(
        "ph-risky",
        RecommendationType::Dmarc,
        RecommendationImpact::Low,
    );
    open(
        "ph-other",
        RecommendationType::Spf,
        RecommendationImpact::Low,
    );
    emulator
        .state
        .fix_recommendation(REGION, "ph-risky", RecommendationType::Dmarc)
        .unwrap();

    let for_tenant = emulator
        .ses
        .list_recommendations()
        .filter(ListRecommendationsFilterKey::ResourceArn, &risky)
        .send()
        .await
        .unwrap();
    assert_eq!(for_tenant.recommendations().len(), 2);

    let open_high = emulator
        .ses
        .list_recommendations()
        .filter(ListRecommendationsFilterKey::Status, "OPEN")
        .filter(ListRecommendationsFilterKey::Impact, "HIGH")
        .send()
        .await
        .unwrap();
    let recommendations = open_high.recommendations();
    assert_eq!(recommendations.len(), 1);
    let bounce = &recommendations[0];
    assert_eq!(bounce.resource_arn(), Some(risky.as_str()));
    assert_eq!(bounce.r#type(), Some(&SdkType::Bounce));
    assert_eq!(bounce.impact(), Some(&SdkImpact::High));
    assert_eq!(bounce.status(), Some(&RecommendationStatus::Open));
    assert_eq!(bounce.description(), Some("The bounce rate exceeded 15.0%"));
    assert!(bounce.created_timestamp().is_some());

    let fixed = emulator
        .ses
        .list_recommendations()
        .filter(ListRecommendationsFilterKey::Status, "FIXED")
        .filter(ListRecommendationsFilterKey::Type, "DMARC")
        .send()
        .await
        .unwrap();
    assert_eq!(fixed.recommendations().len(), 1);
}

#[tokio::test]
async fn list_recommendations_refuses_other_filter_combinations() {
    let emulator = spawn().await;

    let error = emulator
        .ses
        .list_recommendations()
        .filter(ListRecommendationsFilterKey::Type, "BOUNCE")
        .filter(ListRecommendationsFilterKey::Impact, "HIGH")
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_bad_request_exception(), "{error:?}");
}

#[tokio::test]
async fn list_recommendations_pages_at_most_a_hundred() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;
    emulator
        .state
        .open_recommendation(
            REGION,
            "ph-1",
            RecommendationType::Bounce,
            RecommendationImpact::High,
            "b",
        )
        .unwrap();
    emulator
        .state
        .open_recommendation(
            REGION,
            "ph-1",
            RecommendationType::Spf,
            RecommendationImpact::Low,
            "s",
        )
        .unwrap();

    let first = emulator
        .ses
        .list_recommendations()
        .page_size(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.recommendations()[0].r#type(), Some(&SdkType::Bounce));
    let second = emulator
        .ses
        .list_recommendations()
        .page_size(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.recommendations()[0].r#type(), Some(&SdkType::Spf));

    let too_big = emulator
        .ses
        .list_recommendations()
        .page_size(101)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(too_big.is_bad_request_exception(), "{too_big:?}");
}
