//! Test harness: an emulator per test, an adapter pointed at it with quick retries, and
//! the usual fixtures (a workspace, its tenant, a fully provisioned tenant).

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a failed fixture should stop the test loudly"
)]

use std::time::Duration;

use posthawk_domain::ports::{SesTenant, TenantAdmin, TenantResource};
use posthawk_domain::{
    ConfigurationSetName, DomainName, Region, ServedRegions, TenantName, TenantRouting, WorkspaceId,
};
use posthawk_ses::{SesAdapter, SesConfig};
use posthawk_ses_emulator::{Emulator, EmulatorConfig, EmulatorHandle, EmulatorState};

/// The region every test works in.
pub const REGION: &str = "us-east-1";
/// The sending domain of [`TestSes::provision`].
pub const DOMAIN: &str = "mail.example.com";

pub struct TestSes {
    /// Held so the server lives as long as the test.
    _server: EmulatorHandle,
    pub state: EmulatorState,
    pub ses: SesAdapter,
}

/// An emulator with SES's defaults and an adapter with quick retries.
pub async fn spawn() -> TestSes {
    spawn_with(EmulatorConfig::default(), |config| config).await
}

/// An emulator configured by `emulator`, and an adapter whose configuration `adapter`
/// may adjust (timeouts, attempts).
pub async fn spawn_with(
    emulator: EmulatorConfig,
    adapter: impl FnOnce(SesConfig) -> SesConfig,
) -> TestSes {
    let handle = Emulator::start("127.0.0.1:0".parse().unwrap(), emulator).unwrap();
    let config = adapter(SesConfig {
        // Real backoff starts at a second; tests need the same retries, only sooner.
        initial_backoff: Duration::from_millis(5),
        ..SesConfig::local(handle.endpoint_url())
    });
    let regions = ServedRegions::new([region()]).unwrap();
    TestSes {
        state: handle.state(),
        ses: SesAdapter::new(config, &regions).await,
        _server: handle,
    }
}

pub fn region() -> Region {
    Region::parse(REGION).unwrap()
}

pub fn workspace() -> WorkspaceId {
    WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b").unwrap()
}

pub fn tenant_name() -> TenantName {
    TenantName::for_workspace(workspace())
}

pub fn configuration_set() -> ConfigurationSetName {
    ConfigurationSetName::for_tenant(&tenant_name())
}

pub fn domain() -> DomainName {
    DomainName::parse(DOMAIN).unwrap()
}

pub fn routing() -> TenantRouting {
    TenantRouting::for_tenant(tenant_name())
}

impl TestSes {
    /// The workspace's tenant, created.
    pub async fn create_tenant(&self) -> SesTenant {
        self.ses
            .create_tenant(&region(), &tenant_name(), workspace())
            .await
            .unwrap()
    }

    /// What the lifecycle builds for a workspace's first domain: the tenant, its
    /// configuration set and the domain's identity, both associated.
    pub async fn provision(&self) -> SesTenant {
        let tenant = self.create_tenant().await;
        self.ses
            .create_configuration_set(&region(), &configuration_set(), workspace())
            .await
            .unwrap();
        self.ses
            .create_identity(&region(), &domain())
            .await
            .unwrap();
        for resource in [
            TenantResource::ConfigurationSet(configuration_set()),
            TenantResource::Identity(domain()),
        ] {
            self.ses
                .associate(&region(), &tenant, &resource)
                .await
                .unwrap();
        }
        tenant
    }
}
