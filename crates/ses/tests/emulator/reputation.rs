//! `ReputationSource`: the tenant's reputation entity, its open recommendations and its
//! sending counts, with SES's side played through the emulator's control API.

use chrono::{Duration, Utc};
use posthawk_domain::ports::{MailSender, OutboundEmail, ReputationSource, SesError, TenantAdmin};
use posthawk_domain::{
    AwsSendingStatus, RecommendationImpact, ReputationPolicy, SendingCounts, SendingStatus,
    StatusRecord,
};
use posthawk_ses_emulator::{
    Metric, RecommendationImpact as SesImpact, RecommendationType, SendingStatus as SesStatus,
};

use crate::helpers::{DOMAIN, REGION, region, routing, spawn, tenant_name};

#[tokio::test]
async fn a_new_tenant_is_enabled_under_the_standard_policy() {
    let test = spawn().await;
    let tenant = test.create_tenant().await;

    let view = test.ses.tenant_view(&region(), &tenant.arn).await.unwrap();

    assert_eq!(view.aggregate, AwsSendingStatus::Enabled);
    assert_eq!(view.policy, Some(ReputationPolicy::Standard));
    assert_eq!(
        view.aws_managed.map(|record| record.status),
        Some(AwsSendingStatus::Enabled)
    );
    assert_eq!(
        view.customer_managed.map(|record| record.status),
        Some(AwsSendingStatus::Enabled)
    );
}

#[tokio::test]
async fn ses_managed_disabled_makes_the_aggregate_disabled_with_its_cause() {
    let test = spawn().await;
    let tenant = test.create_tenant().await;
    let cause = "Enforcement action: sending paused by AWS Trust & Safety";
    test.state
        .set_aws_managed_status(
            REGION,
            tenant_name().as_str(),
            SesStatus::Disabled,
            Some(cause),
        )
        .unwrap();

    let view = test.ses.tenant_view(&region(), &tenant.arn).await.unwrap();

    assert_eq!(view.aggregate, AwsSendingStatus::Disabled);
    assert_eq!(
        view.aws_managed,
        Some(StatusRecord {
            status: AwsSendingStatus::Disabled,
            cause: Some(cause.to_owned()),
        })
    );
    assert_eq!(SendingStatus::from_aws(&view), Ok(SendingStatus::Enforced));
}

#[tokio::test]
async fn the_view_of_a_deleted_tenant_is_not_found() {
    let test = spawn().await;
    let tenant = test.create_tenant().await;
    test.ses
        .delete_tenant(&region(), &tenant_name())
        .await
        .unwrap();

    let view = test.ses.tenant_view(&region(), &tenant.arn).await;

    assert!(matches!(view, Err(SesError::NotFound(_))), "{view:?}");
}

#[tokio::test]
async fn a_high_recommendation_is_returned_while_open_and_dropped_once_fixed() {
    let test = spawn().await;
    let tenant = test.create_tenant().await;
    let description =
        "The bounce rate exceeded 15.0% based on a representative volume of 664 emails";
    let opened = test
        .state
        .open_recommendation(
            REGION,
            tenant_name().as_str(),
            RecommendationType::Bounce,
            SesImpact::High,
            description,
        )
        .unwrap();

    let open = test.ses.open_recommendations(&region()).await.unwrap();

    let [recommendation] = open.as_slice() else {
        panic!("expected one recommendation, got {open:?}");
    };
    assert_eq!(recommendation.resource_arn, tenant.arn);
    assert_eq!(recommendation.kind, "BOUNCE");
    assert_eq!(recommendation.impact, RecommendationImpact::High);
    assert_eq!(recommendation.description, description);
    assert_eq!(
        recommendation.created_at.timestamp(),
        opened.created_at.timestamp()
    );

    test.state
        .fix_recommendation(REGION, tenant_name().as_str(), RecommendationType::Bounce)
        .unwrap();
    let open = test.ses.open_recommendations(&region()).await.unwrap();
    assert!(
        open.is_empty(),
        "a fixed recommendation is not open: {open:?}"
    );
}

#[tokio::test]
async fn each_open_recommendation_names_the_tenant_it_is_about() {
    let test = spawn().await;
    let ours = test.create_tenant().await;
    let theirs = posthawk_domain::TenantName::parse("ph-someoneelse").unwrap();
    let theirs = test
        .ses
        .create_tenant(&region(), &theirs, crate::helpers::workspace())
        .await
        .unwrap();
    test.state
        .open_recommendation(
            REGION,
            theirs.name.as_str(),
            RecommendationType::Complaint,
            SesImpact::Low,
            "Complaints",
        )
        .unwrap();

    let open = test.ses.open_recommendations(&region()).await.unwrap();

    let arns: Vec<&str> = open.iter().map(|r| r.resource_arn.as_str()).collect();
    assert_eq!(arns, [theirs.arn.as_str()]);
    assert_ne!(theirs.arn, ours.arn);
}

#[tokio::test]
async fn mailbox_simulator_sends_are_counted_per_tenant() {
    let test = spawn().await;
    test.provision().await;
    for recipient in [
        "success@simulator.amazonses.com",
        "success+2@simulator.amazonses.com",
        "bounce@simulator.amazonses.com",
        "complaint@simulator.amazonses.com",
    ] {
        let email = OutboundEmail {
            from: format!("news@{DOMAIN}"),
            to: vec![recipient.to_owned()],
            subject: "Hello".to_owned(),
            text: Some("Hi".to_owned()),
            html: None,
        };
        test.ses.send(&region(), &routing(), &email).await.unwrap();
    }
    let now = Utc::now();

    let counts = test
        .ses
        .sending_counts(
            &region(),
            &tenant_name(),
            now - Duration::hours(1),
            now + Duration::hours(1),
        )
        .await
        .unwrap();

    assert_eq!(
        counts,
        SendingCounts {
            sends: 4,
            permanent_bounces: 1,
            complaints: 1,
        }
    );
}

#[tokio::test]
async fn sending_counts_sum_every_day_of_the_window() {
    let test = spawn().await;
    test.create_tenant().await;
    test.state
        .add_metric_counts(
            REGION,
            tenant_name().as_str(),
            [
                (Metric::Send, 1000),
                (Metric::PermanentBounce, 38),
                (Metric::TransientBounce, 7),
                (Metric::Complaint, 2),
            ],
        )
        .unwrap();
    let now = Utc::now();

    let counts = test
        .ses
        .sending_counts(
            &region(),
            &tenant_name(),
            now - Duration::days(7),
            now + Duration::minutes(1),
        )
        .await
        .unwrap();

    assert_eq!(
        counts,
        SendingCounts {
            sends: 1000,
            permanent_bounces: 38,
            complaints: 2,
        }
    );
}
