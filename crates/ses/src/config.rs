//! How the adapter reaches SES: endpoint, credentials, retry and timeout budget, and the
//! name of the event destination it puts on every configuration set.

use std::fmt;
use std::time::Duration;

/// Settings for [`crate::SesAdapter`]. [`SesConfig::default`] is real AWS with the default
/// credential chain; [`SesConfig::local`] is an emulator on a local endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SesConfig {
    /// Overrides the regional SES endpoint (the emulator, or a VPC endpoint).
    pub endpoint_url: Option<String>,
    /// Where the request-signing credentials come from.
    pub credentials: SesCredentials,
    /// Budget for one call including all its retries; the SDK sets none by default.
    pub operation_timeout: Duration,
    /// Budget for one attempt, so a hung connection is retried instead of eating the
    /// whole operation budget.
    pub attempt_timeout: Duration,
    /// Attempts per call, the first included (1 disables retries).
    pub max_attempts: u32,
    /// How the SDK paces its retries.
    pub retry_mode: SesRetryMode,
    /// Base of the exponential backoff between attempts (the SDK's default is 1 s; tests
    /// shorten it).
    pub initial_backoff: Duration,
    /// Name of the SNS event destination on every tenant's configuration set.
    pub event_destination_name: String,
    /// Calls per second per region that this process makes at most (`None`: no limit).
    /// Calls beyond it wait their turn rather than being throttled by SES.
    pub max_calls_per_second: Option<u32>,
}

/// The SDK's retry modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SesRetryMode {
    /// Exponential backoff with jitter between attempts.
    #[default]
    Standard,
    /// As standard, plus the SDK's client-side token bucket per region (one per process)
    /// that slows every call, first attempts and retries alike, after SES throttles, and
    /// recovers as throttling stops: retries of throttled calls cannot then push the rate
    /// back over.
    Adaptive,
}

impl Default for SesConfig {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            credentials: SesCredentials::DefaultChain,
            operation_timeout: Duration::from_secs(10),
            attempt_timeout: Duration::from_secs(3),
            max_attempts: 3,
            retry_mode: SesRetryMode::default(),
            initial_backoff: Duration::from_secs(1),
            event_destination_name: "posthawk-events".to_owned(),
            max_calls_per_second: None,
        }
    }
}

impl SesConfig {
    /// Talks to an SES emulator at `endpoint_url` with static dummy credentials (the
    /// emulator checks that requests are signed, not who signed them).
    #[must_use]
    pub fn local(endpoint_url: impl Into<String>) -> Self {
        Self {
            endpoint_url: Some(endpoint_url.into()),
            credentials: SesCredentials::Static {
                access_key_id: "posthawk-local".to_owned(),
                secret_access_key: "posthawk-local".to_owned(),
            },
            ..Self::default()
        }
    }
}

/// Where the adapter's AWS credentials come from.
#[derive(Clone, PartialEq, Eq)]
pub enum SesCredentials {
    /// Fixed keys: for the emulator, or where keys are injected by configuration.
    Static {
        /// The access key id.
        access_key_id: String,
        /// The secret access key.
        secret_access_key: String,
    },
    /// The AWS default chain: environment, profile, SSO, web identity, ECS, IMDS.
    DefaultChain,
}

/// Keeps the secret out of logs and panic messages.
impl fmt::Debug for SesCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Static { access_key_id, .. } => f
                .debug_struct("Static")
                .field("access_key_id", access_key_id)
                .field("secret_access_key", &"<redacted>")
                .finish(),
            Self::DefaultChain => f.write_str("DefaultChain"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_the_secret_key() {
        let config = SesConfig::local("http://127.0.0.1:1");
        let text = format!("{config:?}");
        assert!(text.contains("<redacted>"));
        assert_eq!(text.matches("posthawk-local").count(), 1, "{text}");
    }

    #[test]
    fn defaults_bound_every_call() {
        let config = SesConfig::default();
        assert_eq!(config.operation_timeout, Duration::from_secs(10));
        assert_eq!(config.attempt_timeout, Duration::from_secs(3));
        assert_eq!(config.max_attempts, 3);
        assert_eq!(config.event_destination_name, "posthawk-events");
        assert_eq!(config.credentials, SesCredentials::DefaultChain);
    }
}
