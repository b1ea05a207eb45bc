//! [`SesAdapter`]: the per-region SES clients, built once, and the lookup every port
//! method starts with.

use std::collections::HashMap;
use std::sync::Arc;

use aws_sdk_sesv2::Client;
use posthawk_domain::ports::SesError;
use posthawk_domain::{Region, ServedRegions};
use tokio::time::Instant;

use crate::client::{credentials_provider, regional_client};
use crate::config::SesConfig;
use crate::observe::record_rate_limit_wait;
use crate::rate_limit::RateLimiter;

/// Implements `TenantAdmin`, `ReputationSource` and `MailSender` against SES.
///
/// Cheap to clone: the clients are shared, and each holds its own connection pool.
#[derive(Debug, Clone)]
pub struct SesAdapter {
    clients: Arc<HashMap<Region, RegionalClient>>,
    event_destination_name: Arc<str>,
}

/// A region's client and the limiter its calls wait on.
#[derive(Debug)]
struct RegionalClient {
    client: Client,
    limiter: Option<RateLimiter>,
}

impl SesAdapter {
    /// Builds one SES client per served region.
    ///
    /// Async because the default credential chain is resolved here, once, and shared by
    /// all the clients; nothing is sent to SES until the first call.
    pub async fn new(config: SesConfig, regions: &ServedRegions) -> Self {
        let credentials = credentials_provider(&config.credentials, regions.iter().next()).await;
        let clients = regions
            .iter()
            .map(|region| {
                let client = RegionalClient {
                    client: regional_client(&config, region, credentials.clone()),
                    limiter: config.max_calls_per_second.map(RateLimiter::new),
                };
                (region.clone(), client)
            })
            .collect();
        Self {
            clients: Arc::new(clients),
            event_destination_name: config.event_destination_name.into(),
        }
    }

    /// The client of `region`, once the region's rate limit lets one more call through.
    ///
    /// # Errors
    /// [`SesError::Rejected`] when the region is not served: callers should have refused
    /// it earlier, but a typo in wiring must not panic.
    pub(crate) async fn client(&self, region: &Region) -> Result<&Client, SesError> {
        let regional = self
            .clients
            .get(region)
            .ok_or_else(|| SesError::Rejected(format!("region {region} not served")))?;
        if let Some(limiter) = &regional.limiter {
            let waiting = Instant::now();
            limiter.acquire().await;
            record_rate_limit_wait(region, waiting.elapsed());
        }
        Ok(&regional.client)
    }

    /// The name of the event destination put on every configuration set.
    pub(crate) fn event_destination_name(&self) -> &str {
        &self.event_destination_name
    }
}
