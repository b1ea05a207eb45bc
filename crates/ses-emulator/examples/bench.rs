//! Load benchmark: concurrent `aws-sdk-sesv2` clients drive a mix of SES calls against an
//! in-process emulator and report throughput and latency percentiles.
//!
//! ```text
//! cargo run --release -p posthawk-ses-emulator --example bench
//! BENCH_SECONDS=30 BENCH_CONCURRENCY=64 cargo run --release -p posthawk-ses-emulator --example bench
//! ```
//!
//! The mix per task, in rounds of ten calls: 4 GetTenant, 2 GetReputationEntity,
//! 2 SendEmail (through the task's tenant, to the mailbox simulator), then CreateTenant and
//! DeleteTenant of a scratch tenant.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]
#![expect(clippy::unwrap_used, reason = "a benchmark fails loudly")]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use aws_credential_types::Credentials;
use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::config::{BehaviorVersion, Region};
use aws_sdk_sesv2::types::{
    Body, Content, Destination, EmailContent, Message, ReputationEntityType,
};
use posthawk_ses_emulator::{Emulator, EmulatorConfig};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-east-1";

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() {
    let seconds = setting("BENCH_SECONDS", 10);
    let concurrency = setting("BENCH_CONCURRENCY", 32);

    let emulator =
        Emulator::start("127.0.0.1:0".parse().unwrap(), EmulatorConfig::default()).unwrap();
    let config = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(emulator.endpoint_url())
        .credentials_provider(Credentials::new("bench", "bench", None, None, "static"))
        // Measure the emulator, not the retry policy: every error is counted.
        .retry_config(RetryConfig::disabled())
        .build();
    let ses = Client::from_conf(config);

    for task in 0..concurrency {
        provision(&ses, task).await;
    }

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|task| tokio::spawn(drive(ses.clone(), task, deadline)))
        .collect();
    let mut samples: BTreeMap<&'static str, Vec<Duration>> = BTreeMap::new();
    let mut errors = 0;
    for task in tasks {
        let (task_samples, task_errors) = task.await.unwrap();
        for (operation, latency) in task_samples {
            samples.entry(operation).or_default().push(latency);
        }
        errors += task_errors;
    }
    let elapsed = started.elapsed();

    let mut all: Vec<Duration> = samples.values().flatten().copied().collect();
    println!(
        "{concurrency} tasks, {:.1} s, {} calls, {errors} errors",
        elapsed.as_secs_f64(),
        all.len()
    );
    println!(
        "{:<22} {:>9} {:>10} {:>9} {:>9}",
        "operation", "calls", "req/s", "p50 ms", "p99 ms"
    );
    for (operation, latencies) in &mut samples {
        report(operation, latencies, elapsed);
    }
    report("all", &mut all, elapsed);
    emulator.stop().await;
}

fn tenant_name(task: u64) -> String {
    format!("bench-{task}")
}

/// The task's tenant, configuration set and identity, associated.
async fn provision(ses: &Client, task: u64) {
    let name = tenant_name(task);
    ses.create_tenant().tenant_name(&name).send().await.unwrap();
    ses.create_configuration_set()
        .configuration_set_name(&name)
        .send()
        .await
        .unwrap();
    let domain = format!("{name}.example.com");
    ses.create_email_identity()
        .email_identity(&domain)
        .send()
        .await
        .unwrap();
    for resource in [
        format!("arn:aws:ses:{REGION}:{ACCOUNT}:configuration-set/{name}"),
        format!("arn:aws:ses:{REGION}:{ACCOUNT}:identity/{domain}"),
    ] {
        ses.create_tenant_resource_association()
            .tenant_name(&name)
            .resource_arn(resource)
            .send()
            .await
            .unwrap();
    }
}

/// Runs the call mix until the deadline; returns each call's latency and the error count.
async fn drive(ses: Client, task: u64, deadline: Instant) -> (Vec<(&'static str, Duration)>, u64) {
    let name = tenant_name(task);
    let tenant_arn = ses
        .get_tenant()
        .tenant_name(&name)
        .send()
        .await
        .unwrap()
        .tenant()
        .and_then(|tenant| tenant.tenant_arn().map(str::to_owned))
        .unwrap();
    let scratch = format!("{name}-scratch");
    let content = EmailContent::builder()
        .simple(
            Message::builder()
                .subject(Content::builder().data("Benchmark").build().unwrap())
                .body(
                    Body::builder()
                        .text(Content::builder().data("Hello").build().unwrap())
                        .build(),
                )
                .build(),
        )
        .build();

    let mut samples = Vec::new();
    let mut errors = 0;
    let mut round: u64 = 0;
    while Instant::now() < deadline {
        let started = Instant::now();
        let (operation, ok) = match round % 10 {
            0..=3 => (
                "GetTenant",
                ses.get_tenant().tenant_name(&name).send().await.is_ok(),
            ),
            4 | 5 => (
                "GetReputationEntity",
                ses.get_reputation_entity()
                    .reputation_entity_type(ReputationEntityType::Resource)
                    .reputation_entity_reference(&tenant_arn)
                    .send()
                    .await
                    .is_ok(),
            ),
            6 | 7 => (
                "SendEmail",
                ses.send_email()
                    .from_email_address(format!("hello@{name}.example.com"))
                    .destination(
                        Destination::builder()
                            .to_addresses("success@simulator.amazonses.com")
                            .build(),
                    )
                    .content(content.clone())
                    .tenant_name(&name)
                    .configuration_set_name(&name)
                    .send()
                    .await
                    .is_ok(),
            ),
            8 => (
                "CreateTenant",
                ses.create_tenant()
                    .tenant_name(&scratch)
                    .send()
                    .await
                    .is_ok(),
            ),
            _ => (
                "DeleteTenant",
                ses.delete_tenant()
                    .tenant_name(&scratch)
                    .send()
                    .await
                    .is_ok(),
            ),
        };
        samples.push((operation, started.elapsed()));
        if !ok {
            errors += 1;
        }
        round += 1;
    }
    (samples, errors)
}

fn report(operation: &str, latencies: &mut [Duration], elapsed: Duration) {
    latencies.sort_unstable();
    let percentile = |p: f64| -> f64 {
        let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies
            .get(index)
            .map_or(0.0, |latency| latency.as_secs_f64() * 1000.0)
    };
    println!(
        "{operation:<22} {:>9} {:>10.0} {:>9.2} {:>9.2}",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(0.50),
        percentile(0.99)
    );
}
