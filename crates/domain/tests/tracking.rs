//! Contract tests of reputation tracking: what is read from SES, what is recorded, and
//! when each tenant is next refreshed.
#![allow(clippy::unwrap_used, reason = "test fixtures fail loudly")]

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use posthawk_domain::ports::{
    MockClock, MockFindingStore, MockRefreshStore, MockReputationSource, MockTenantStore,
    ProvisioningState, RefreshJob, SesError, StatusChange, TenantId, TenantRecord,
};
use posthawk_domain::use_cases::{ReputationTracker, SweepReport, TrackingConfig};
use posthawk_domain::{
    AwsSendingStatus, AwsTenantView, ConfigurationSetName, FindingType, Recommendation,
    RecommendationImpact, Region, ReputationPolicy, SendingCounts, SendingStatus, Severity,
    StatusRecord, TenantName, WorkspaceId,
};

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-04T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn arn(id: i64) -> String {
    format!("arn:aws:ses:us-east-1:123456789012:tenant/ph-{id:012}/tn-{id}")
}

fn job(id: i64, status: SendingStatus) -> RefreshJob {
    let name = TenantName::parse(&format!("ph-{id:012}")).unwrap();
    RefreshJob {
        tenant: TenantRecord {
            id: TenantId(id),
            workspace: WorkspaceId::from_uuid(uuid::Uuid::new_v4()),
            region: Region::parse("us-east-1").unwrap(),
            configuration_set: ConfigurationSetName::for_tenant(&name),
            name,
            arn: Some(arn(id)),
            provisioning: ProvisioningState::Ready,
            sending_status: status,
            last_checked_at: Some(now()),
        },
        last_change_at: None,
    }
}

fn view(aggregate: AwsSendingStatus, aws: AwsSendingStatus) -> AwsTenantView {
    AwsTenantView {
        aggregate,
        customer_managed: Some(StatusRecord {
            status: AwsSendingStatus::Enabled,
            cause: None,
        }),
        aws_managed: Some(StatusRecord {
            status: aws,
            cause: Some("policy".into()),
        }),
        policy: Some(ReputationPolicy::Standard),
    }
}

fn config() -> TrackingConfig {
    TrackingConfig {
        quiet_interval: Duration::from_secs(600),
        active_interval: Duration::from_secs(60),
        throttled_retry: Duration::from_secs(30),
        ..TrackingConfig::default()
    }
}

struct Ports {
    tenants: MockTenantStore,
    schedule: MockRefreshStore,
    findings: MockFindingStore,
    ses: MockReputationSource,
}

impl Ports {
    fn claiming(jobs: Vec<RefreshJob>) -> Self {
        let mut schedule = MockRefreshStore::new();
        schedule
            .expect_claim_due_refreshes()
            .times(1)
            .return_once(move |_, _, _| Ok(jobs));
        Self {
            tenants: MockTenantStore::new(),
            schedule,
            findings: MockFindingStore::new(),
            ses: MockReputationSource::new(),
        }
    }

    async fn run(self) -> SweepReport {
        let mut clock = MockClock::new();
        clock.expect_now().returning(now);
        ReputationTracker::new(
            Arc::new(self.tenants),
            Arc::new(self.schedule),
            Arc::new(self.findings),
            Arc::new(self.ses),
            Arc::new(clock),
            config(),
        )
        .run_once()
        .await
        .unwrap()
    }
}

/// Accepts a next refresh within `spread` of `interval` from now.
fn next_refresh_near(
    interval: Duration,
    spread: f64,
) -> impl Fn(&TenantId, &DateTime<Utc>) -> bool {
    move |_, at| {
        let delay = (*at - now()).to_std().unwrap().as_secs_f64();
        let target = interval.as_secs_f64();
        delay >= target * (1.0 - spread) - 1e-6 && delay <= target * (1.0 + spread) + 1e-6
    }
}

#[tokio::test]
async fn a_refresh_records_the_mapped_status_and_the_merged_findings() {
    let mut ports = Ports::claiming(vec![job(1, SendingStatus::Enabled)]);
    ports
        .ses
        .expect_open_recommendations()
        .times(1)
        .returning(|_| {
            Ok(vec![
                Recommendation {
                    resource_arn: arn(1),
                    kind: "COMPLAINT".into(),
                    impact: RecommendationImpact::Low,
                    description: "Complaints are rising".into(),
                    created_at: now(),
                },
                Recommendation {
                    resource_arn: arn(2),
                    kind: "DKIM".into(),
                    impact: RecommendationImpact::High,
                    description: "Not ours".into(),
                    created_at: now(),
                },
            ])
        });
    ports
        .ses
        .expect_tenant_view()
        .withf(|_, a| a == arn(1))
        .returning(|_, _| Ok(view(AwsSendingStatus::Disabled, AwsSendingStatus::Disabled)));
    ports
        .tenants
        .expect_record_status()
        .withf(|id, status, at| {
            *id == TenantId(1) && *status == SendingStatus::Paused && *at == now()
        })
        .times(1)
        .returning(|_, to, at| {
            Ok(Some(StatusChange {
                from: Some(SendingStatus::Enabled),
                to,
                observed_at: at,
            }))
        });
    ports.ses.expect_sending_counts().returning(|_, _, _, _| {
        Ok(SendingCounts {
            sends: 1000,
            permanent_bounces: 38,
            complaints: 0,
        })
    });
    ports
        .findings
        .expect_sync_findings()
        .withf(|id, findings, _| {
            let kinds: Vec<_> = findings
                .iter()
                .map(|f| (f.finding_type.clone(), f.severity, f.rate))
                .collect();
            *id == TenantId(1)
                && kinds.len() == 2
                && kinds.contains(&(FindingType::BounceRate, Severity::Warning, Some(0.038)))
                && kinds.contains(&(FindingType::ComplaintRate, Severity::Warning, None))
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    ports
        .schedule
        .expect_schedule_refresh()
        .withf(next_refresh_near(Duration::from_secs(60), 0.1))
        .times(1)
        .returning(|_, _| Ok(()));

    let report = ports.run().await;
    assert_eq!(
        report,
        SweepReport {
            refreshed: 1,
            status_changes: 1,
            ..SweepReport::default()
        }
    );
}

#[tokio::test]
async fn recommendations_are_listed_once_per_region_and_pass() {
    let mut ports = Ports::claiming((1..=3).map(|id| job(id, SendingStatus::Enabled)).collect());
    ports
        .ses
        .expect_open_recommendations()
        .times(1)
        .returning(|_| Ok(vec![]));
    ports
        .ses
        .expect_tenant_view()
        .times(3)
        .returning(|_, _| Ok(view(AwsSendingStatus::Enabled, AwsSendingStatus::Enabled)));
    ports
        .tenants
        .expect_record_status()
        .times(3)
        .returning(|_, _, _| Ok(None));
    ports
        .ses
        .expect_sending_counts()
        .times(3)
        .returning(|_, _, _, _| Ok(SendingCounts::default()));
    ports
        .findings
        .expect_sync_findings()
        .times(3)
        .returning(|_, _, _| Ok(()));
    // Quiet tenants: next look at the quiet interval.
    ports
        .schedule
        .expect_schedule_refresh()
        .withf(next_refresh_near(Duration::from_secs(600), 0.1))
        .times(3)
        .returning(|_, _| Ok(()));

    assert_eq!(ports.run().await.refreshed, 3);
}

#[tokio::test]
async fn an_unknown_aggregate_keeps_the_last_known_status() {
    let mut ports = Ports::claiming(vec![job(1, SendingStatus::Paused)]);
    ports
        .ses
        .expect_open_recommendations()
        .returning(|_| Ok(vec![]));
    ports.ses.expect_tenant_view().returning(|_, _| {
        Ok(view(
            AwsSendingStatus::from_wire("QUARANTINED"),
            AwsSendingStatus::Enabled,
        ))
    });
    ports
        .tenants
        .expect_record_status()
        .withf(|_, status, _| *status == SendingStatus::Paused)
        .times(1)
        .returning(|_, _, _| Ok(None));
    ports
        .ses
        .expect_sending_counts()
        .returning(|_, _, _, _| Ok(SendingCounts::default()));
    ports
        .findings
        .expect_sync_findings()
        .returning(|_, _, _| Ok(()));
    ports
        .schedule
        .expect_schedule_refresh()
        .returning(|_, _| Ok(()));

    ports.run().await;
}

#[tokio::test]
async fn a_throttled_refresh_is_retried_soon_and_records_nothing() {
    let mut ports = Ports::claiming(vec![job(1, SendingStatus::Enabled)]);
    ports
        .ses
        .expect_open_recommendations()
        .returning(|_| Ok(vec![]));
    ports
        .ses
        .expect_tenant_view()
        .returning(|_, _| Err(SesError::Throttled));
    // No record_status, sending_counts or sync_findings expectations: any call fails.
    ports
        .schedule
        .expect_schedule_refresh()
        .withf(next_refresh_near(Duration::from_secs(30), 0.5))
        .times(1)
        .returning(|_, _| Ok(()));

    let report = ports.run().await;
    assert_eq!(
        report,
        SweepReport {
            throttled: 1,
            ..SweepReport::default()
        }
    );
}

#[tokio::test]
async fn when_recommendations_cannot_be_listed_the_stored_findings_stay() {
    let mut ports = Ports::claiming(vec![job(1, SendingStatus::Enabled)]);
    ports
        .ses
        .expect_open_recommendations()
        .returning(|_| Err(SesError::Unavailable(anyhow::anyhow!("timeout"))));
    ports
        .ses
        .expect_tenant_view()
        .returning(|_, _| Ok(view(AwsSendingStatus::Enabled, AwsSendingStatus::Enabled)));
    ports
        .tenants
        .expect_record_status()
        .returning(|_, _, _| Ok(None));
    ports
        .ses
        .expect_sending_counts()
        .returning(|_, _, _, _| Ok(SendingCounts::default()));
    // No sync_findings: only a read of what is stored, to pick the next interval.
    ports
        .findings
        .expect_open_findings()
        .times(1)
        .returning(|_| Ok(vec![]));
    ports
        .schedule
        .expect_schedule_refresh()
        .returning(|_, _| Ok(()));

    assert_eq!(ports.run().await.refreshed, 1);
}

#[tokio::test]
async fn a_tenant_that_changed_recently_is_refreshed_at_the_active_interval() {
    let mut recent = job(1, SendingStatus::Enabled);
    recent.last_change_at = Some(now() - chrono::Duration::minutes(10));
    let mut ports = Ports::claiming(vec![recent]);
    ports
        .ses
        .expect_open_recommendations()
        .returning(|_| Ok(vec![]));
    ports
        .ses
        .expect_tenant_view()
        .returning(|_, _| Ok(view(AwsSendingStatus::Enabled, AwsSendingStatus::Enabled)));
    ports
        .tenants
        .expect_record_status()
        .returning(|_, _, _| Ok(None));
    ports
        .ses
        .expect_sending_counts()
        .returning(|_, _, _, _| Ok(SendingCounts::default()));
    ports
        .findings
        .expect_sync_findings()
        .returning(|_, _, _| Ok(()));
    ports
        .schedule
        .expect_schedule_refresh()
        .withf(next_refresh_near(Duration::from_secs(60), 0.1))
        .times(1)
        .returning(|_, _| Ok(()));

    ports.run().await;
}
