//! SES v2 data shapes that the emulator stores as SES received them and shows back
//! unchanged: enums, tags, VDM settings, suppression settings and event destinations.
//!
//! They keep the AWS member names (`PascalCase`, `SCREAMING_SNAKE_CASE` values) on the wire
//! and in the control API's inventory alike, so a JSON document looks the same wherever it
//! appears.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::SesError;

/// Declares a string enum of the SES model: serde spells each variant as SES does, and
/// `as_str` gives that spelling back for messages and filters.
macro_rules! ses_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(
                #[doc = concat!("`", $wire, "`")]
                #[serde(rename = $wire)]
                $variant,
            )+
        }

        impl $name {
            /// The value as SES spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $wire,)+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

ses_enum! {
    /// Whether a tenant (or one of its status records) may send.
    SendingStatus { Enabled = "ENABLED", Reinstated = "REINSTATED", Disabled = "DISABLED" }
}

ses_enum! {
    /// The kind of a reputation entity; tenants are the only kind SES has.
    ReputationEntityType { Resource = "RESOURCE" }
}

ses_enum! {
    /// A VDM feature switch.
    FeatureStatus { Enabled = "ENABLED", Disabled = "DISABLED" }
}

ses_enum! {
    /// The kind of a VDM recommendation (a "finding").
    RecommendationType {
        Dkim = "DKIM",
        Dmarc = "DMARC",
        Spf = "SPF",
        Bimi = "BIMI",
        Complaint = "COMPLAINT",
        Bounce = "BOUNCE",
        Feedback3p = "FEEDBACK_3P",
        IpListing = "IP_LISTING",
    }
}

ses_enum! {
    /// How much a recommendation matters; `High` outranks `Low`.
    RecommendationImpact { Low = "LOW", High = "HIGH" }
}

ses_enum! {
    /// Whether a recommendation still needs attention.
    RecommendationStatus { Open = "OPEN", Fixed = "FIXED" }
}

ses_enum! {
    /// The kinds of resource a tenant can be associated with.
    ResourceType {
        EmailIdentity = "EMAIL_IDENTITY",
        ConfigurationSet = "CONFIGURATION_SET",
        EmailTemplate = "EMAIL_TEMPLATE",
    }
}

ses_enum! {
    /// Whether an identity is a whole domain or a single address.
    IdentityType { EmailAddress = "EMAIL_ADDRESS", Domain = "DOMAIN", ManagedDomain = "MANAGED_DOMAIN" }
}

ses_enum! {
    /// The VDM metrics `BatchGetMetricData` can return.
    Metric {
        Send = "SEND",
        Complaint = "COMPLAINT",
        PermanentBounce = "PERMANENT_BOUNCE",
        TransientBounce = "TRANSIENT_BOUNCE",
        Open = "OPEN",
        Click = "CLICK",
        Delivery = "DELIVERY",
        DeliveryOpen = "DELIVERY_OPEN",
        DeliveryClick = "DELIVERY_CLICK",
        DeliveryComplaint = "DELIVERY_COMPLAINT",
    }
}

ses_enum! {
    /// The dimensions a VDM metric query can filter on.
    MetricDimensionName {
        EmailIdentity = "EMAIL_IDENTITY",
        ConfigurationSet = "CONFIGURATION_SET",
        Isp = "ISP",
        TenantName = "TENANT_NAME",
    }
}

ses_enum! {
    /// The only metric namespace SES has.
    MetricNamespace { Vdm = "VDM" }
}

ses_enum! {
    /// The event types an event destination can publish.
    EventType {
        Send = "SEND",
        Reject = "REJECT",
        Bounce = "BOUNCE",
        Complaint = "COMPLAINT",
        Delivery = "DELIVERY",
        Open = "OPEN",
        Click = "CLICK",
        RenderingFailure = "RENDERING_FAILURE",
        DeliveryDelay = "DELIVERY_DELAY",
        Subscription = "SUBSCRIPTION",
    }
}

ses_enum! {
    /// Why an address may be suppressed.
    SuppressionListReason { Bounce = "BOUNCE", Complaint = "COMPLAINT" }
}

ses_enum! {
    /// Which suppression list a tenant uses.
    SuppressionListScope { Account = "ACCOUNT", Tenant = "TENANT" }
}

/// Parses a string that travels outside a typed JSON member (a filter value, a path
/// segment) as one of the enums above, failing the way SES does for a bad enum value.
pub(crate) fn parse_enum<T: DeserializeOwned>(value: &str, member: &str) -> Result<T, SesError> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .map_err(|_| SesError::BadRequest(format!("Invalid value '{value}' for {member}.")))
}

/// A resource tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// The tag key, 1-128 characters.
    pub key: String,
    /// The tag value, up to 256 characters.
    pub value: String,
}

/// The account-wide VDM settings (`PutAccountVdmAttributes`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VdmAttributes {
    /// Whether VDM is on for the account in the region.
    pub vdm_enabled: FeatureStatus,
    /// The engagement dashboard switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard_attributes: Option<EngagementMetricsSwitch>,
    /// The optimized shared delivery switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_attributes: Option<OptimizedSharedDeliverySwitch>,
}

/// A configuration set's VDM settings, overriding the account's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct VdmOptions {
    /// The engagement dashboard switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dashboard_options: Option<EngagementMetricsSwitch>,
    /// The optimized shared delivery switch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardian_options: Option<OptimizedSharedDeliverySwitch>,
}

/// `DashboardAttributes` / `DashboardOptions`: the two shapes are identical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EngagementMetricsSwitch {
    /// Whether engagement metrics (opens, clicks) are tracked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engagement_metrics: Option<FeatureStatus>,
}

/// `GuardianAttributes` / `GuardianOptions`: the two shapes are identical.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OptimizedSharedDeliverySwitch {
    /// Whether SES optimizes delivery on shared IPs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub optimized_shared_delivery: Option<FeatureStatus>,
}

/// A tenant's own suppression settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TenantSuppressionAttributes {
    /// The reasons that put an address on the suppression list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed_reasons: Option<Vec<SuppressionListReason>>,
    /// The list in use: the tenant's own or the account's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression_scope: Option<SuppressionListScope>,
}

/// Where a configuration set publishes its sending events, and which ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventDestinationDefinition {
    /// Whether events are published; SES treats a missing value as `false`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The event types to publish.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching_event_types: Option<Vec<EventType>>,
    /// An SNS topic destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sns_destination: Option<SnsDestination>,
    /// An EventBridge bus destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_bridge_destination: Option<EventBridgeDestination>,
    /// A Kinesis Data Firehose destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinesis_firehose_destination: Option<KinesisFirehoseDestination>,
    /// A Pinpoint destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pinpoint_destination: Option<PinpointDestination>,
    /// A CloudWatch destination, kept as sent (the emulator publishes nothing to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cloud_watch_destination: Option<serde_json::Value>,
}

impl EventDestinationDefinition {
    /// How many destinations the definition names; SES wants exactly one.
    pub(crate) fn destination_count(&self) -> usize {
        [
            self.sns_destination.is_some(),
            self.event_bridge_destination.is_some(),
            self.kinesis_firehose_destination.is_some(),
            self.pinpoint_destination.is_some(),
            self.cloud_watch_destination.is_some(),
        ]
        .into_iter()
        .filter(|named| *named)
        .count()
    }
}

/// An SNS topic that receives events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SnsDestination {
    /// The topic's ARN.
    pub topic_arn: String,
}

/// An EventBridge bus that receives events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventBridgeDestination {
    /// The bus's ARN.
    pub event_bus_arn: String,
}

/// A Firehose stream that receives events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct KinesisFirehoseDestination {
    /// The role SES assumes to write to the stream.
    pub iam_role_arn: String,
    /// The stream's ARN.
    pub delivery_stream_arn: String,
}

/// A Pinpoint project that receives events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PinpointDestination {
    /// The project's ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_arn: Option<String>,
}

/// A configuration set's settings besides its name and tags, as `CreateConfigurationSet`
/// takes them and `GetConfigurationSet` returns them.
///
/// The emulator acts on `SendingOptions` and `VdmOptions`; the other members are kept as
/// sent (they must be JSON objects) and shown back.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfigurationSetSettings {
    /// The configuration set's VDM settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vdm_options: Option<VdmOptions>,
    /// Whether sending through the configuration set is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_options: Option<SendingOptions>,
    /// Open and click tracking settings, kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking_options: Option<JsonObject>,
    /// Delivery settings (TLS policy, pool), kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_options: Option<JsonObject>,
    /// Reputation metric settings, kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reputation_options: Option<JsonObject>,
    /// Suppression settings, kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppression_options: Option<JsonObject>,
    /// Mail Manager archiving settings, kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archiving_options: Option<JsonObject>,
    /// S/MIME signing settings, kept as sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_security_options: Option<JsonObject>,
}

/// A JSON object the emulator keeps without interpreting it.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// Whether a configuration set may send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendingOptions {
    /// `false` pauses every send through the configuration set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sending_enabled: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_use_the_ses_spelling() {
        assert_eq!(
            serde_json::to_string(&RecommendationType::Feedback3p).unwrap(),
            "\"FEEDBACK_3P\""
        );
        assert_eq!(Metric::PermanentBounce.as_str(), "PERMANENT_BOUNCE");
        let parsed: SendingStatus = parse_enum("REINSTATED", "SendingStatus").unwrap();
        assert_eq!(parsed, SendingStatus::Reinstated);
    }

    #[test]
    fn an_unknown_enum_value_is_a_bad_request() {
        let error = parse_enum::<SendingStatus>("PAUSED", "SendingStatus").unwrap_err();
        assert_eq!(error.error_type(), "BadRequestException");
    }

    #[test]
    fn high_impact_outranks_low() {
        assert!(RecommendationImpact::High > RecommendationImpact::Low);
    }
}
