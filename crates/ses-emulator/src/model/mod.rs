//! The in-memory SES of one region: its resources and the rules SES enforces on them.
//!
//! Nothing here knows about HTTP. The operation handlers and the control API lock the
//! state, call one method of [`RegionState`] and translate the result; every rule lives in
//! these modules, one per kind of resource.

mod arn;
mod configuration_sets;
mod identities;
mod message;
mod metrics;
mod reputation;
mod rules;
mod sending;
mod tenants;
mod vdm;

use std::collections::BTreeMap;

use serde::Serialize;

pub use configuration_sets::{ConfigurationSet, EventDestination};
pub use identities::EmailIdentity;
pub(crate) use message::{OutboundEmail, RawHeaders};
pub(crate) use metrics::MetricQuery;
pub use reputation::{Reputation, StatusRecord};
pub(crate) use reputation::{ReputationEntity, ReputationEntityFilter};
pub use sending::SentMessage;
pub(crate) use tenants::TenantFilter;
pub use tenants::{Tenant, TenantResource};
pub use vdm::Recommendation;
pub(crate) use vdm::RecommendationFilter;

use crate::shapes::VdmAttributes;
use arn::Scope;
use metrics::MetricStore;

/// Everything SES holds for one account in one region.
#[derive(Debug)]
pub(crate) struct RegionState {
    scope: Scope,
    tenant_quota: usize,
    tenants: BTreeMap<String, Tenant>,
    configuration_sets: BTreeMap<String, ConfigurationSet>,
    identities: BTreeMap<String, EmailIdentity>,
    vdm_attributes: Option<VdmAttributes>,
    /// In creation order, which is also their id order.
    recommendations: Vec<Recommendation>,
    next_recommendation_id: u64,
    metrics: MetricStore,
    sent_messages: Vec<SentMessage>,
}

impl RegionState {
    /// An empty region of `account_id` that allows `tenant_quota` tenants.
    pub(crate) fn new(region: &str, account_id: &str, tenant_quota: usize) -> Self {
        Self {
            scope: Scope::new(region, account_id),
            tenant_quota,
            tenants: BTreeMap::new(),
            configuration_sets: BTreeMap::new(),
            identities: BTreeMap::new(),
            vdm_attributes: None,
            recommendations: Vec::new(),
            next_recommendation_id: 1,
            metrics: MetricStore::default(),
            sent_messages: Vec::new(),
        }
    }

    /// The region's name, e.g. `us-east-1`.
    pub(crate) fn region(&self) -> &str {
        self.scope.region()
    }

    /// Every message accepted in the region, oldest first.
    pub(crate) fn sent_messages(&self) -> &[SentMessage] {
        &self.sent_messages
    }

    /// A copy of everything in the region, for the control API.
    pub(crate) fn inventory(&self) -> RegionInventory {
        RegionInventory {
            vdm_attributes: self.vdm_attributes.clone(),
            tenants: self.tenants.values().cloned().collect(),
            configuration_sets: self.configuration_sets.values().cloned().collect(),
            identities: self.identities.values().cloned().collect(),
            recommendations: self.recommendations.clone(),
            sent_messages: self.sent_messages.clone(),
        }
    }
}

/// A snapshot of one region, as the control API's inventory shows it.
///
/// Fields the emulator defines are `snake_case`; SES shapes inside them (tags, VDM
/// settings, event destinations) keep the AWS spelling.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RegionInventory {
    /// The account's VDM settings, `None` until `PutAccountVdmAttributes` is called.
    pub vdm_attributes: Option<VdmAttributes>,
    /// Tenants by name, with their tags, reputation and associated resources.
    pub tenants: Vec<Tenant>,
    /// Configuration sets by name, with VDM options and event destinations.
    pub configuration_sets: Vec<ConfigurationSet>,
    /// Email identities by name.
    pub identities: Vec<EmailIdentity>,
    /// Recommendations, open and fixed, oldest first.
    pub recommendations: Vec<Recommendation>,
    /// Every accepted send, oldest first.
    pub sent_messages: Vec<SentMessage>,
}
