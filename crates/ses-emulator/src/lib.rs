//! An in-memory, stateful SES v2 server that the real `aws-sdk-sesv2` client cannot tell
//! from SES, for local runs and tests: tenants, configuration sets, identities,
//! reputation entities, VDM, sending with the mailbox simulator, plus a control API to
//! play SES's part and inject faults.
//!
//! ```no_run
//! # async fn example() -> std::io::Result<()> {
//! use posthawk_ses_emulator::{Emulator, EmulatorConfig, Fault, SendingStatus};
//!
//! let emulator = Emulator::start("127.0.0.1:0".parse().unwrap(), EmulatorConfig::default())?;
//! let endpoint = emulator.endpoint_url(); // give this to the SDK client
//!
//! let state = emulator.state();
//! state.inject_fault("CreateTenant", Fault::fail_next(1, 429, "TooManyRequestsException")).ok();
//! // ... drive the code under test, then look at what reached "SES":
//! let inventory = state.inventory("us-east-1");
//! # let _ = (endpoint, inventory, SendingStatus::Enabled);
//! emulator.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! `docs/emulator.md` describes what is supported, where it approximates SES, and the
//! control API.

mod control;
mod error;
mod faults;
mod model;
mod ops;
mod pagination;
mod protocol;
mod server;
mod shapes;
mod state;

pub use control::CONTROL_PREFIX;
pub use error::SesError;
pub use faults::{EVERY_OPERATION, Fault};
pub use model::{
    ConfigurationSet, EmailIdentity, EventDestination, Recommendation, RegionInventory, Reputation,
    SentMessage, StatusRecord, Tenant, TenantResource,
};
pub use ops::Operation;
pub use protocol::DEFAULT_REGION;
pub use server::{Emulator, EmulatorConfig, EmulatorHandle};
pub use shapes::{
    ConfigurationSetSettings, EngagementMetricsSwitch, EventBridgeDestination,
    EventDestinationDefinition, EventType, FeatureStatus, IdentityType, JsonObject,
    KinesisFirehoseDestination, Metric, MetricDimensionName, MetricNamespace,
    OptimizedSharedDeliverySwitch, PinpointDestination, RecommendationImpact, RecommendationStatus,
    RecommendationType, ReputationEntityType, ResourceType, SendingOptions, SendingStatus,
    SnsDestination, SuppressionListReason, SuppressionListScope, Tag, TenantSuppressionAttributes,
    VdmAttributes, VdmOptions,
};
pub use state::{EmulatorState, Inventory};
