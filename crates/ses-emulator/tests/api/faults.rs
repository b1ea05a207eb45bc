//! Fault injection, seen through the SDK's standard retry and timeouts.

use std::time::Duration;

use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use posthawk_ses_emulator::Fault;

use crate::helpers::{REGION, client, quick_retries, spawn};

fn throttled(count: u32) -> Fault {
    Fault::fail_next(count, 429, "TooManyRequestsException")
}

#[tokio::test]
async fn the_sdk_retry_rides_out_two_throttled_calls() {
    let emulator = spawn().await;
    emulator.create_tenant("ph-1").await;
    emulator
        .state
        .inject_fault("GetTenant", throttled(2))
        .unwrap();

    let output = emulator
        .ses
        .get_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap();

    assert_eq!(output.tenant().unwrap().tenant_name(), Some("ph-1"));
    assert_eq!(emulator.state.call_count("GetTenant"), 3);
}

#[tokio::test]
async fn five_throttled_calls_exhaust_the_sdk_retry() {
    let emulator = spawn().await;
    emulator
        .state
        .inject_fault("CreateTenant", throttled(5))
        .unwrap();

    let error = emulator
        .ses
        .create_tenant()
        .tenant_name("ph-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_too_many_requests_exception(), "{error:?}");
    assert_eq!(emulator.state.call_count("CreateTenant"), 3);
    assert!(emulator.state.inventory(REGION).tenants.is_empty());
}

#[tokio::test]
async fn a_server_error_is_retried_and_then_surfaces_with_its_status() {
    let emulator = spawn().await;
    emulator
        .state
        .inject_fault("ListTenants", Fault::fail_next(1, 500, "InternalFailure"))
        .unwrap();

    emulator.ses.list_tenants().send().await.unwrap();
    assert_eq!(emulator.state.call_count("ListTenants"), 2);

    emulator
        .state
        .inject_fault("ListTenants", Fault::fail_next(1, 500, "InternalFailure"))
        .unwrap();
    let error = emulator
        .client_without_retries()
        .list_tenants()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 500);
    assert_eq!(error.into_service_error().code(), Some("InternalFailure"));
}

#[tokio::test]
async fn an_injected_exception_becomes_the_sdks_typed_error() {
    let emulator = spawn().await;
    emulator
        .state
        .inject_fault(
            "CreateConfigurationSet",
            Fault::fail_next(1, 500, "ConcurrentModificationException"),
        )
        .unwrap();

    let error = emulator
        .client_without_retries()
        .create_configuration_set()
        .configuration_set_name("ph-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_concurrent_modification_exception(), "{error:?}");
    assert_eq!(error.message(), Some("Injected fault."));
}

#[tokio::test]
async fn latency_beyond_the_operation_timeout_times_out() {
    let emulator = spawn().await;
    emulator
        .state
        .inject_fault("GetAccount", Fault::latency(Duration::from_millis(500)))
        .unwrap();
    let impatient = client(
        &emulator.handle,
        REGION,
        RetryConfig::disabled(),
        Some(Duration::from_millis(100)),
    );

    let error = impatient.get_account().send().await.unwrap_err();
    assert!(matches!(error, SdkError::TimeoutError(_)), "{error:?}");

    emulator.state.clear_faults();
    impatient.get_account().send().await.unwrap();
}

#[tokio::test]
async fn latency_within_the_timeout_only_slows_the_call() {
    let emulator = spawn().await;
    emulator
        .state
        .inject_fault("*", Fault::latency(Duration::from_millis(150)))
        .unwrap();
    let patient = client(
        &emulator.handle,
        REGION,
        quick_retries(3),
        Some(Duration::from_secs(5)),
    );

    let started = std::time::Instant::now();
    patient.get_account().send().await.unwrap();

    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn calls_beyond_the_throttle_rate_are_too_many_requests() {
    let emulator = spawn().await;
    emulator
        .state
        .inject_fault("GetAccount", Fault::throttle(1))
        .unwrap();
    let once = emulator.client_without_retries();

    once.get_account().send().await.unwrap();
    let error = once
        .get_account()
        .send()
        .await
        .unwrap_err()
        .into_service_error();

    assert!(error.is_too_many_requests_exception(), "{error:?}");
    assert_eq!(emulator.state.call_count("GetAccount"), 2);
}

#[tokio::test]
async fn a_wildcard_fault_hits_every_operation_until_cleared() {
    let emulator = spawn().await;
    emulator
        .state
        .inject_fault("*", Fault::fail_next(2, 503, "ServiceUnavailable"))
        .unwrap();
    let once = emulator.client_without_retries();

    assert!(once.get_account().send().await.is_err());
    assert!(once.list_tenants().send().await.is_err());
    once.get_account().send().await.unwrap();

    emulator.state.inject_fault("*", throttled(1)).unwrap();
    emulator.state.clear_faults_for("*");
    once.list_tenants().send().await.unwrap();
}
