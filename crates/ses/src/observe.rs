//! Every SES call goes through here: awaited, timed, counted by operation and outcome,
//! and its SDK error translated (by `error.rs`); plus the time calls wait for their
//! region's rate limit.
//!
//! | metric | labels | what |
//! |---|---|---|
//! | `ses_calls_total` | `operation`, `outcome` | calls, by `ok` or the [`SesError`] class |
//! | `ses_call_duration_seconds` | `operation` | time in the SDK, retries included |
//! | `ses_rate_limit_wait_seconds` | `region` | time spent waiting for the region's limiter |

use std::future::Future;
use std::time::Duration;

use aws_sdk_sesv2::config::http::HttpResponse;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use posthawk_domain::Region;
use posthawk_domain::ports::SesError;
use tokio::time::Instant;

use crate::error::map_sdk_error;

/// Counter: SES calls by `operation` and `outcome`.
const SES_CALLS: &str = "ses_calls_total";
/// Histogram: SES call latency by `operation`, in seconds.
const SES_CALL_DURATION: &str = "ses_call_duration_seconds";
/// Histogram: time spent waiting for a region's rate limit, by `region`, in seconds.
const SES_RATE_LIMIT_WAIT: &str = "ses_rate_limit_wait_seconds";

/// Registers the descriptions of the SES metrics (the `# HELP` lines) with the
/// installed recorder; call once, after installing it.
pub fn describe_metrics() {
    metrics::describe_counter!(
        SES_CALLS,
        "SES API calls, by operation and outcome (ok or the error class)."
    );
    metrics::describe_histogram!(
        SES_CALL_DURATION,
        metrics::Unit::Seconds,
        "SES API call latency, SDK retries included, by operation."
    );
    metrics::describe_histogram!(
        SES_RATE_LIMIT_WAIT,
        metrics::Unit::Seconds,
        "Time SES calls waited for their region's rate limit, by region."
    );
}

/// An SES call being sent (the future of an SDK `.send()`, or of a paginator's
/// `.try_next()`).
pub(crate) trait SesCall<T, E>:
    Future<Output = Result<T, SdkError<E, HttpResponse>>> + Sized
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    /// Awaits the call as `operation` (the SES API name, e.g. `"GetTenant"`), records it
    /// and translates its error: `client.get_tenant()….send().observed("GetTenant").await`.
    fn observed(self, operation: &'static str) -> impl Future<Output = Result<T, SesError>> + Send
    where
        Self: Send,
        T: Send,
    {
        async move {
            let started = Instant::now();
            let result = self.await.map_err(|error| map_sdk_error(operation, error));
            record_call(operation, outcome(&result), started.elapsed());
            result
        }
    }
}

impl<F, T, E> SesCall<T, E> for F
where
    F: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
}

fn record_call(operation: &'static str, outcome: &'static str, took: Duration) {
    metrics::counter!(SES_CALLS, "operation" => operation, "outcome" => outcome).increment(1);
    metrics::histogram!(SES_CALL_DURATION, "operation" => operation).record(took);
}

/// Records how long a call waited for `region`'s rate limit.
pub(crate) fn record_rate_limit_wait(region: &Region, waited: Duration) {
    metrics::histogram!(SES_RATE_LIMIT_WAIT, "region" => region.as_str().to_owned()).record(waited);
}

/// `ok`, or the class of the error: one label value per [`SesError`] variant.
fn outcome<T>(result: &Result<T, SesError>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(SesError::Throttled) => "throttled",
        Err(SesError::NotFound(_)) => "not_found",
        Err(SesError::AlreadyExists(_)) => "already_exists",
        Err(SesError::QuotaExceeded(_)) => "quota_exceeded",
        Err(SesError::Rejected(_)) => "rejected",
        Err(SesError::SendingPaused(_)) => "sending_paused",
        Err(SesError::Unavailable(_)) => "unavailable",
        Err(SesError::Unexpected(_)) => "unexpected",
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_sesv2::error::ErrorMetadata;
    use aws_sdk_sesv2::operation::get_tenant::GetTenantError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use metrics_exporter_prometheus::PrometheusBuilder;

    use super::*;

    fn failure(status: u16, code: &str) -> SdkError<GetTenantError, HttpResponse> {
        let error = GetTenantError::generic(ErrorMetadata::builder().code(code).build());
        let raw = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty());
        SdkError::service_error(error, raw)
    }

    #[test]
    fn every_error_class_has_its_own_outcome() {
        let outcome_of =
            |status, code| outcome::<()>(&Err(map_sdk_error("GetTenant", failure(status, code))));
        assert_eq!(outcome::<()>(&Ok(())), "ok");
        assert_eq!(outcome_of(429, "TooManyRequestsException"), "throttled");
        assert_eq!(outcome_of(404, "NotFoundException"), "not_found");
        assert_eq!(outcome_of(400, "AlreadyExistsException"), "already_exists");
        assert_eq!(outcome_of(400, "LimitExceededException"), "quota_exceeded");
        assert_eq!(outcome_of(400, "BadRequestException"), "rejected");
        assert_eq!(outcome_of(400, "SendingPausedException"), "sending_paused");
        assert_eq!(outcome_of(503, "ServiceUnavailable"), "unavailable");
        assert_eq!(outcome_of(403, "AccessDeniedException"), "unexpected");
    }

    #[tokio::test]
    async fn an_observed_call_is_counted_timed_and_translated() {
        let recorder = PrometheusBuilder::new().build_recorder();
        let _local = metrics::set_default_local_recorder(&recorder);

        let found = std::future::ready(Err::<(), _>(failure(404, "NotFoundException")))
            .observed("GetTenant")
            .await;
        std::future::ready(Ok::<_, SdkError<GetTenantError, HttpResponse>>(()))
            .observed("GetTenant")
            .await
            .unwrap();

        assert!(matches!(found, Err(SesError::NotFound(_))));
        let text = recorder.handle().render();
        for line in [
            r#"ses_calls_total{operation="GetTenant",outcome="not_found"} 1"#,
            r#"ses_calls_total{operation="GetTenant",outcome="ok"} 1"#,
            r#"ses_call_duration_seconds_count{operation="GetTenant"} 2"#,
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
    }
}
