//! Retries and error mapping: what is retried (throttling, concurrent modification,
//! 5xx, slow attempts), what is not (quotas), and what the caller sees when retries run
//! out. Call counts come from the emulator, so "retried" means "SES saw it again".

use std::time::Duration;

use posthawk_domain::ports::{SesError, TenantAdmin};
use posthawk_ses_emulator::{EmulatorConfig, Fault};

use crate::helpers::{configuration_set, region, spawn, spawn_with, tenant_name, workspace};

#[tokio::test]
async fn tenant_quota_is_quota_exceeded_after_exactly_one_call() {
    let test = spawn_with(
        EmulatorConfig {
            tenant_quota: 0,
            ..EmulatorConfig::default()
        },
        |config| config,
    )
    .await;

    let created = test
        .ses
        .create_tenant(&region(), &tenant_name(), workspace())
        .await;

    assert!(
        matches!(&created, Err(SesError::QuotaExceeded(message)) if message.contains("maximum number of tenants")),
        "{created:?}"
    );
    assert_eq!(test.state.call_count("CreateTenant"), 1);
}

#[tokio::test]
async fn throttling_for_two_calls_is_retried_and_the_third_succeeds() {
    let test = spawn().await;
    test.state
        .inject_fault(
            "CreateTenant",
            Fault::fail_next(2, 429, "TooManyRequestsException"),
        )
        .unwrap();

    test.create_tenant().await;

    assert_eq!(test.state.call_count("CreateTenant"), 3);
}

#[tokio::test]
async fn throttling_that_outlasts_the_attempts_is_throttled() {
    let test = spawn().await;
    test.state
        .inject_fault(
            "CreateTenant",
            Fault::fail_next(5, 429, "TooManyRequestsException"),
        )
        .unwrap();

    let created = test
        .ses
        .create_tenant(&region(), &tenant_name(), workspace())
        .await;

    assert!(matches!(created, Err(SesError::Throttled)), "{created:?}");
    assert_eq!(test.state.call_count("CreateTenant"), 3);
}

#[tokio::test]
async fn concurrent_modification_once_is_retried_and_succeeds() {
    let test = spawn().await;
    test.state
        .inject_fault(
            "CreateConfigurationSet",
            Fault::fail_next(1, 500, "ConcurrentModificationException"),
        )
        .unwrap();

    test.ses
        .create_configuration_set(&region(), &configuration_set(), workspace())
        .await
        .unwrap();

    assert_eq!(test.state.call_count("CreateConfigurationSet"), 2);
}

/// SES sends it as a 500, which the standard policy retries anyway; as a 400 only the
/// adapter's own classifier retries it.
#[tokio::test]
async fn concurrent_modification_with_a_client_error_status_is_still_retried() {
    let test = spawn().await;
    test.state
        .inject_fault(
            "CreateConfigurationSet",
            Fault::fail_next(1, 400, "ConcurrentModificationException"),
        )
        .unwrap();

    test.ses
        .create_configuration_set(&region(), &configuration_set(), workspace())
        .await
        .unwrap();

    assert_eq!(test.state.call_count("CreateConfigurationSet"), 2);
}

#[tokio::test]
async fn concurrent_modification_that_persists_is_unavailable() {
    let test = spawn().await;
    test.state
        .inject_fault(
            "CreateConfigurationSet",
            Fault::fail_next(5, 500, "ConcurrentModificationException"),
        )
        .unwrap();

    let created = test
        .ses
        .create_configuration_set(&region(), &configuration_set(), workspace())
        .await;

    assert!(
        matches!(created, Err(SesError::Unavailable(_))),
        "{created:?}"
    );
    assert_eq!(test.state.call_count("CreateConfigurationSet"), 3);
}

#[tokio::test]
async fn a_burst_of_server_errors_is_unavailable_with_the_ses_message() {
    let test = spawn().await;
    test.state
        .inject_fault(
            "GetTenant",
            Fault::fail_next(5, 500, "InternalServiceErrorException"),
        )
        .unwrap();

    let found = test.ses.get_tenant(&region(), &tenant_name()).await;

    let Err(SesError::Unavailable(cause)) = found else {
        panic!("expected Unavailable, got {found:?}");
    };
    assert_eq!(
        cause.to_string(),
        "SES GetTenant failed: InternalServiceErrorException: Injected fault."
    );
    assert_eq!(test.state.call_count("GetTenant"), 3);
}

#[tokio::test]
async fn a_response_slower_than_the_attempt_timeout_is_unavailable() {
    let test = spawn_with(EmulatorConfig::default(), |config| {
        posthawk_ses::SesConfig {
            attempt_timeout: Duration::from_millis(100),
            operation_timeout: Duration::from_secs(2),
            ..config
        }
    })
    .await;
    test.state
        .inject_fault("GetTenant", Fault::latency(Duration::from_millis(500)))
        .unwrap();

    let found = test.ses.get_tenant(&region(), &tenant_name()).await;

    assert!(matches!(found, Err(SesError::Unavailable(_))), "{found:?}");
    // Each timed-out attempt is retried, up to the attempt limit.
    assert_eq!(test.state.call_count("GetTenant"), 3);
}

#[tokio::test]
async fn a_quota_is_never_retried_whichever_operation_hits_it() {
    let test = spawn().await;
    test.state
        .inject_fault(
            "CreateEmailIdentity",
            Fault::fail_next(3, 400, "LimitExceededException"),
        )
        .unwrap();

    let created = test
        .ses
        .create_identity(&region(), &crate::helpers::domain())
        .await;

    assert!(
        matches!(created, Err(SesError::QuotaExceeded(_))),
        "{created:?}"
    );
    assert_eq!(test.state.call_count("CreateEmailIdentity"), 1);
}
