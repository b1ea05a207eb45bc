//! Ports: what the domain needs from the outside world, in the domain's own words.
//!
//! Each is a small object-safe async trait held as `Arc<dyn Port>`; adapters implement
//! them and translate their own errors into the error types here at the edge. With the
//! `mock` feature every port gets a `mockall` mock (`MockTenantStore`, ...).

mod clock;
mod provisioning;
mod refresh;
mod ses;
mod store;

pub use clock::{Clock, SystemClock};
pub use provisioning::{JobOutcome, LeaseToken, ProvisioningStep, ProvisioningStore, TenantJob};
pub use refresh::{RefreshJob, RefreshStore};
pub use ses::{
    MailSender, MessageId, OutboundEmail, ReputationSource, SesError, SesTenant, TenantAdmin,
    TenantResource,
};
pub use store::{
    AddedDomain, DomainId, DomainRecord, DomainState, DomainStore, FindingStore, ProvisioningState,
    RegionSummary, StatusChange, StoreError, TenantId, TenantRecord, TenantStore,
};

#[cfg(feature = "mock")]
pub use clock::MockClock;
#[cfg(feature = "mock")]
pub use provisioning::MockProvisioningStore;
#[cfg(feature = "mock")]
pub use refresh::MockRefreshStore;
#[cfg(feature = "mock")]
pub use ses::{MockMailSender, MockReputationSource, MockTenantAdmin};
#[cfg(feature = "mock")]
pub use store::{MockDomainStore, MockFindingStore, MockTenantStore};
