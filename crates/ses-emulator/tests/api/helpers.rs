//! Test harness: an emulator on a free port per test, real `aws-sdk-sesv2` clients
//! pointed at it, and fixtures for the usual tenant setup.

use std::time::Duration;

use aws_credential_types::Credentials;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::config::timeout::TimeoutConfig;
use aws_sdk_sesv2::config::{BehaviorVersion, Region};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use posthawk_ses_emulator::{Emulator, EmulatorConfig, EmulatorHandle, EmulatorState};

pub const REGION: &str = "us-east-1";

pub struct TestEmulator {
    pub handle: EmulatorHandle,
    pub state: EmulatorState,
    /// A client for [`REGION`] with the standard retry mode (3 attempts) and short backoff.
    pub ses: Client,
    pub http: reqwest::Client,
}

/// A tenant with its configuration set (same name) and a domain identity, both
/// associated: what the platform provisions per workspace and region.
pub struct Provisioned {
    pub tenant: String,
    pub tenant_arn: String,
    pub domain: String,
    pub identity_arn: String,
    pub configuration_set_arn: String,
}

pub async fn spawn() -> TestEmulator {
    spawn_with(EmulatorConfig::default()).await
}

pub async fn spawn_with(config: EmulatorConfig) -> TestEmulator {
    let handle = Emulator::start("127.0.0.1:0".parse().unwrap(), config).unwrap();
    let state = handle.state();
    let ses = client(&handle, REGION, quick_retries(3), None);
    TestEmulator {
        handle,
        state,
        ses,
        http: reqwest::Client::new(),
    }
}

/// The standard retry mode with backoff short enough for tests.
pub fn quick_retries(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
}

pub fn client(
    handle: &EmulatorHandle,
    region: &str,
    retry: RetryConfig,
    operation_timeout: Option<Duration>,
) -> Client {
    let mut timeouts = TimeoutConfig::builder();
    if let Some(timeout) = operation_timeout {
        timeouts = timeouts.operation_timeout(timeout);
    }
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .endpoint_url(handle.endpoint_url())
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .retry_config(retry)
        .timeout_config(timeouts.build())
        .build();
    Client::from_conf(config)
}

impl TestEmulator {
    /// A client for another region.
    pub fn client_in(&self, region: &str) -> Client {
        client(&self.handle, region, quick_retries(3), None)
    }

    /// A client that tries once: for asserting on errors the SDK would otherwise retry.
    pub fn client_without_retries(&self) -> Client {
        client(&self.handle, REGION, RetryConfig::disabled(), None)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.endpoint_url())
    }

    pub async fn create_tenant(&self, name: &str) -> String {
        let created = self
            .ses
            .create_tenant()
            .tenant_name(name)
            .send()
            .await
            .unwrap();
        created.tenant_arn().unwrap().to_owned()
    }

    pub async fn create_identity(&self, identity: &str) -> String {
        self.ses
            .create_email_identity()
            .email_identity(identity)
            .send()
            .await
            .unwrap();
        format!("arn:aws:ses:{REGION}:123456789012:identity/{identity}")
    }

    pub async fn create_configuration_set(&self, name: &str) -> String {
        self.ses
            .create_configuration_set()
            .configuration_set_name(name)
            .send()
            .await
            .unwrap();
        format!("arn:aws:ses:{REGION}:123456789012:configuration-set/{name}")
    }

    pub async fn associate(&self, tenant: &str, resource_arn: &str) {
        self.ses
            .create_tenant_resource_association()
            .tenant_name(tenant)
            .resource_arn(resource_arn)
            .send()
            .await
            .unwrap();
    }

    /// Tenant + configuration set + domain identity, associated.
    pub async fn provision(&self, tenant: &str, domain: &str) -> Provisioned {
        let tenant_arn = self.create_tenant(tenant).await;
        let configuration_set_arn = self.create_configuration_set(tenant).await;
        let identity_arn = self.create_identity(domain).await;
        self.associate(tenant, &configuration_set_arn).await;
        self.associate(tenant, &identity_arn).await;
        Provisioned {
            tenant: tenant.to_owned(),
            tenant_arn,
            domain: domain.to_owned(),
            identity_arn,
            configuration_set_arn,
        }
    }
}

/// A minimal simple-content `SendEmail` through a provisioned tenant.
pub fn send_through(
    ses: &Client,
    provisioned: &Provisioned,
    to: &[&str],
) -> aws_sdk_sesv2::operation::send_email::builders::SendEmailFluentBuilder {
    ses.send_email()
        .from_email_address(format!("hello@{}", provisioned.domain))
        .destination(
            Destination::builder()
                .set_to_addresses(Some(to.iter().map(|to| (*to).to_owned()).collect()))
                .build(),
        )
        .content(simple_content("Hello"))
        .tenant_name(&provisioned.tenant)
        .configuration_set_name(&provisioned.tenant)
}

pub fn simple_content(subject: &str) -> EmailContent {
    EmailContent::builder()
        .simple(
            Message::builder()
                .subject(Content::builder().data(subject).build().unwrap())
                .body(
                    Body::builder()
                        .text(Content::builder().data("Hi there").build().unwrap())
                        .build(),
                )
                .build(),
        )
        .build()
}

/// Percent-encodes a path segment the way the SDK does.
pub fn encode_segment(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
