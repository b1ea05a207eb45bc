//! The tenant reputation domain: naming, status mapping, findings and lifecycle rules,
//! with the use cases that apply them and the ports they need from the outside world.
//!
//! This crate does no I/O and depends on no I/O crate (no actix, diesel or aws-sdk):
//! adapters implement the traits in [`ports`], and the use cases in [`use_cases`] hold
//! them as `Arc<dyn Port>`. Other services embed this crate to share the rules, e.g.
//! [`TenantName::for_workspace`] or [`TenantRouting::smtp_headers`].
//!
//! ```
//! use posthawk_domain::{TenantName, WorkspaceId};
//!
//! let workspace = WorkspaceId::parse("1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b")?;
//! assert_eq!(TenantName::for_workspace(workspace).as_str(), "ph-1f3a8c2d6f4b");
//! # Ok::<(), posthawk_domain::InvalidWorkspaceId>(())
//! ```

mod domain_name;
mod findings;
mod jitter;
mod naming;
pub mod ports;
mod region;
mod routing;
mod status;
pub mod use_cases;
mod workspace;

pub use domain_name::{DomainName, InvalidDomainName};
pub use findings::{
    Finding, FindingType, RateRule, Recommendation, RecommendationImpact, SendingCounts, Severity,
};
pub use naming::{ConfigurationSetName, InvalidName, TenantName};
pub use region::{InvalidRegion, Region, RegionNotServed, ServedRegions};
pub use routing::TenantRouting;
pub use status::{
    AwsSendingStatus, AwsTenantView, Badge, ReputationPolicy, SendingStatus, StatusRecord,
    UnrecognisedStatus,
};
pub use workspace::{InvalidWorkspaceId, WorkspaceId};
