//! Building the per-region SES clients, and the retry classifier that corrects the
//! SDK's standard policy for two SES error codes.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::config::http::HttpResponse;
use aws_sdk_sesv2::config::interceptors::InterceptorContext;
use aws_sdk_sesv2::config::retry::{ClassifyRetry, RetryAction, RetryConfig};
use aws_sdk_sesv2::config::timeout::TimeoutConfig;
use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, SharedCredentialsProvider};
use aws_smithy_runtime_api::client::retries::classifiers::RetryClassifierPriority;
use posthawk_domain::Region;

use crate::config::{SesConfig, SesCredentials, SesRetryMode};
use crate::error::{CONCURRENT_MODIFICATION, LIMIT_EXCEEDED};

/// Resolves the credentials once, so every regional client shares one provider (and its
/// cache) instead of walking the default chain per region.
pub(crate) async fn credentials_provider(
    credentials: &SesCredentials,
    first_region: Option<&Region>,
) -> SharedCredentialsProvider {
    match credentials {
        SesCredentials::Static {
            access_key_id,
            secret_access_key,
        } => SharedCredentialsProvider::new(Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            "posthawk-static",
        )),
        SesCredentials::DefaultChain => {
            // Some providers of the chain (SSO, web identity via STS) need a region of
            // their own; any served region will do.
            let mut chain =
                aws_config::default_provider::credentials::DefaultCredentialsChain::builder();
            if let Some(region) = first_region {
                chain = chain.region(aws_sdk_sesv2::config::Region::new(
                    region.as_str().to_owned(),
                ));
            }
            SharedCredentialsProvider::new(chain.build().await)
        }
    }
}

/// The client for one region: retries in the configured mode (adaptive: the SDK's token
/// bucket for the region, `sesv2-{region}`, shared by the process, slows every call
/// after throttling) with the classifier below, and both an operation and a per-attempt
/// timeout so no call can hang.
pub(crate) fn regional_client(
    config: &SesConfig,
    region: &Region,
    credentials: SharedCredentialsProvider,
) -> Client {
    let mut builder = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(aws_sdk_sesv2::config::Region::new(
            region.as_str().to_owned(),
        ))
        .credentials_provider(credentials)
        .retry_config(
            match config.retry_mode {
                SesRetryMode::Standard => RetryConfig::standard(),
                SesRetryMode::Adaptive => RetryConfig::adaptive(),
            }
            .with_max_attempts(config.max_attempts)
            .with_initial_backoff(config.initial_backoff),
        )
        .retry_classifier(SesRetryClassifier)
        .timeout_config(
            TimeoutConfig::builder()
                .operation_timeout(config.operation_timeout)
                .operation_attempt_timeout(config.attempt_timeout)
                .build(),
        );
    if let Some(endpoint_url) = &config.endpoint_url {
        builder = builder.endpoint_url(endpoint_url);
    }
    Client::from_conf(builder.build())
}

/// SES-specific corrections to the standard retry policy.
///
/// - `LimitExceededException` is in the SDK's list of throttling codes, but SES uses it
///   for quotas (tenants per region, event destinations per configuration set): retrying
///   burns the retry budget and delays the answer without any chance of success, so it
///   is forbidden.
/// - `ConcurrentModificationException` means another writer touched the resource; a
///   second attempt normally succeeds, so it is retried whatever its HTTP status.
///
/// Throttling (`TooManyRequestsException`) and 5xx stay with the standard classifiers.
#[derive(Debug)]
struct SesRetryClassifier;

impl ClassifyRetry for SesRetryClassifier {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match error_code(ctx).as_deref() {
            Some(LIMIT_EXCEEDED) => RetryAction::RetryForbidden,
            Some(CONCURRENT_MODIFICATION) => RetryAction::transient_error(),
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "SES quota and concurrent-modification classifier"
    }

    /// Runs after the SDK's own classifiers so its verdict is the last word.
    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// The SES error code of a failed attempt.
///
/// The classifier is registered once for every operation, so it cannot downcast to each
/// operation's error type (which is how the SDK's own per-operation classifiers read the
/// code); it reads the code from the raw response instead.
fn error_code(ctx: &InterceptorContext) -> Option<String> {
    match ctx.output_or_error() {
        Some(Err(error)) if error.is_operation_error() => response_error_code(ctx.response()?),
        _ => None,
    }
}

/// The error code where the restJson1 protocol puts it, read as the SDK's deserializer
/// reads it: the `x-amzn-ErrorType` header, else `code` or `__type` in the JSON body.
fn response_error_code(response: &HttpResponse) -> Option<String> {
    let raw = if let Some(header) = response.headers().get("x-amzn-errortype") {
        header.to_owned()
    } else {
        let body: serde_json::Value = serde_json::from_slice(response.body().bytes()?).ok()?;
        body.get("code")
            .or_else(|| body.get("__type"))?
            .as_str()?
            .to_owned()
    };
    Some(sanitize_error_code(&raw).to_owned())
}

/// `aws.ses#LimitExceededException:http://internal...` -> `LimitExceededException`.
fn sanitize_error_code(raw: &str) -> &str {
    let without_url = raw.split_once(':').map_or(raw, |(code, _)| code);
    without_url
        .rsplit_once('#')
        .map_or(without_url, |(_, code)| code)
}

#[cfg(test)]
mod tests {
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    use super::*;

    fn response(header: Option<&str>, body: &str) -> HttpResponse {
        let mut response = HttpResponse::new(
            StatusCode::try_from(400).unwrap(),
            SdkBody::from(body.to_owned()),
        );
        if let Some(header) = header {
            response
                .headers_mut()
                .insert("x-amzn-ErrorType", header.to_owned());
        }
        response
    }

    #[test]
    fn the_code_comes_from_the_header_first() {
        let response = response(
            Some("LimitExceededException:http://internal.amazon.com/coral/"),
            r#"{"code": "SomethingElse"}"#,
        );
        assert_eq!(
            response_error_code(&response).as_deref(),
            Some("LimitExceededException")
        );
    }

    #[test]
    fn without_the_header_the_code_comes_from_the_body() {
        let coded = response(None, r#"{"code": "ConcurrentModificationException"}"#);
        assert_eq!(
            response_error_code(&coded).as_deref(),
            Some("ConcurrentModificationException")
        );
        let typed = response(None, r#"{"__type": "aws.ses#LimitExceededException"}"#);
        assert_eq!(
            response_error_code(&typed).as_deref(),
            Some("LimitExceededException")
        );
        assert_eq!(response_error_code(&response(None, "not json")), None);
    }

    #[test]
    fn error_codes_lose_their_namespace_and_url() {
        assert_eq!(
            sanitize_error_code("LimitExceededException"),
            "LimitExceededException"
        );
        assert_eq!(
            sanitize_error_code("aws.ses#LimitExceededException:http://internal.amazon.com/"),
            "LimitExceededException"
        );
    }
}
