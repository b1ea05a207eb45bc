//! Account: `GetAccount` and `PutAccountVdmAttributes`.

use aws_sdk_sesv2::types::{DashboardAttributes, FeatureStatus, GuardianAttributes, VdmAttributes};

use crate::helpers::{REGION, spawn};

#[tokio::test]
async fn vdm_is_disabled_until_switched_on() {
    let emulator = spawn().await;

    let account = emulator.ses.get_account().send().await.unwrap();

    assert_eq!(
        account.vdm_attributes().unwrap().vdm_enabled(),
        &FeatureStatus::Disabled
    );
    assert!(account.production_access_enabled());
    assert!(account.sending_enabled());
    let quota = account.send_quota().unwrap();
    assert!(quota.max24_hour_send() > 0.0);
    assert!(quota.max_send_rate() > 0.0);
    assert!(emulator.state.inventory(REGION).vdm_attributes.is_none());
}

#[tokio::test]
async fn put_account_vdm_attributes_is_reflected_by_get_account() {
    let emulator = spawn().await;
    let attributes = VdmAttributes::builder()
        .vdm_enabled(FeatureStatus::Enabled)
        .dashboard_attributes(
            DashboardAttributes::builder()
                .engagement_metrics(FeatureStatus::Enabled)
                .build(),
        )
        .guardian_attributes(
            GuardianAttributes::builder()
                .optimized_shared_delivery(FeatureStatus::Enabled)
                .build(),
        )
        .build()
        .unwrap();

    // Idempotent: putting the same attributes twice is fine.
    for _ in 0..2 {
        emulator
            .ses
            .put_account_vdm_attributes()
            .vdm_attributes(attributes.clone())
            .send()
            .await
            .unwrap();
    }

    let account = emulator.ses.get_account().send().await.unwrap();
    assert_eq!(account.vdm_attributes(), Some(&attributes));
    let other_region = emulator
        .client_in("eu-north-1")
        .get_account()
        .send()
        .await
        .unwrap();
    assert_eq!(
        other_region.vdm_attributes().unwrap().vdm_enabled(),
        &FeatureStatus::Disabled
    );
}
