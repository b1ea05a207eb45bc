//! [`EmulatorState`]: the shared handle on everything the emulator holds, and the Rust
//! side of the control API (the HTTP control API is a thin layer over these methods).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use serde::Serialize;

use crate::error::SesError;
use crate::faults::{Fault, FaultBook, Verdict};
use crate::model::{Recommendation, RegionInventory, RegionState, SentMessage, Tenant};
use crate::ops::Operation;
use crate::server::EmulatorConfig;
use crate::shapes::{Metric, RecommendationImpact, RecommendationType, SendingStatus};

/// A cheap, cloneable handle on the emulator's in-memory state.
///
/// Every method takes the lock, does its work and releases it before returning, so the
/// handle can be used freely from tests running next to the server.
#[derive(Debug, Clone)]
pub struct EmulatorState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: EmulatorConfig,
    regions: Mutex<BTreeMap<String, RegionState>>,
    // Separate from the regions so that counting a call never waits for an operation.
    faults: Mutex<FaultBook>,
}

/// A snapshot of every region, as the control API's inventory shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// Each region the emulator has been asked about, by name.
    pub regions: BTreeMap<String, RegionInventory>,
}

/// Locks a mutex; a panic while it was held cannot leave the maps half-updated in a way
/// that matters to an emulator, so poisoning is ignored rather than propagated.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl EmulatorState {
    /// Empty state: no regions, no faults, no calls.
    pub(crate) fn new(config: EmulatorConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                regions: Mutex::new(BTreeMap::new()),
                faults: Mutex::new(FaultBook::default()),
            }),
        }
    }

    /// The configuration the emulator runs with.
    pub fn config(&self) -> &EmulatorConfig {
        &self.inner.config
    }

    /// Runs `f` on one region's state (created empty on first use) under the lock.
    pub(crate) fn with_region<T>(&self, region: &str, f: impl FnOnce(&mut RegionState) -> T) -> T {
        let mut regions = lock(&self.inner.regions);
        let state = regions.entry(region.to_owned()).or_insert_with(|| {
            RegionState::new(
                region,
                &self.inner.config.account_id,
                self.inner.config.tenant_quota,
            )
        });
        f(state)
    }

    /// Counts a call of `operation` and decides which injected fault, if any, it meets.
    pub(crate) fn record_call(&self, operation: Operation) -> Verdict {
        lock(&self.inner.faults).on_call(operation, Instant::now())
    }

    /// Sets the status SES itself keeps for a tenant, as its reputation policy or its
    /// Trust & Safety team would: `DISABLED` pauses the tenant (the console's "Enforced"
    /// when the cause says so), `REINSTATED` lets it send again while findings stay open.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant, `BadRequestException` for a cause that is
    /// empty or longer than 512 characters.
    pub fn set_aws_managed_status(
        &self,
        region: &str,
        tenant: &str,
        status: SendingStatus,
        cause: Option<&str>,
    ) -> Result<Tenant, SesError> {
        self.with_region(region, |state| {
            state
                .set_aws_managed_status(tenant, status, cause.map(str::to_owned))
                .cloned()
        })
    }

    /// Opens a VDM recommendation on a tenant; opening one of a type that is already open
    /// updates its impact and description.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant, `BadRequestException` for an empty
    /// description.
    pub fn open_recommendation(
        &self,
        region: &str,
        tenant: &str,
        recommendation_type: RecommendationType,
        impact: RecommendationImpact,
        description: &str,
    ) -> Result<Recommendation, SesError> {
        self.with_region(region, |state| {
            state
                .open_recommendation(tenant, recommendation_type, impact, description)
                .cloned()
        })
    }

    /// Marks a tenant's open recommendation of `recommendation_type` as fixed.
    ///
    /// # Errors
    /// `NotFoundException` when the tenant does not exist or has no such open
    /// recommendation.
    pub fn fix_recommendation(
        &self,
        region: &str,
        tenant: &str,
        recommendation_type: RecommendationType,
    ) -> Result<Recommendation, SesError> {
        self.with_region(region, |state| {
            state
                .fix_recommendation(tenant, recommendation_type)
                .cloned()
        })
    }

    /// Adds counts to a tenant's VDM metrics for today, e.g.
    /// `[(Metric::Send, 1000), (Metric::PermanentBounce, 38)]`. They are recorded under the
    /// `TENANT_NAME` dimension only.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant.
    pub fn add_metric_counts(
        &self,
        region: &str,
        tenant: &str,
        counts: impl IntoIterator<Item = (Metric, u64)>,
    ) -> Result<(), SesError> {
        let counts: Vec<(Metric, u64)> = counts.into_iter().collect();
        self.with_region(region, |state| {
            state.add_tenant_metric_counts(tenant, &counts)
        })
    }

    /// Injects a fault into `operation` (an SES operation name such as `"CreateTenant"`, or
    /// `"*"` for all of them). It replaces the fault of the same kind set there before;
    /// faults of different kinds combine.
    ///
    /// # Errors
    /// `BadRequestException` for an unknown operation name or an invalid fault.
    pub fn inject_fault(&self, operation: &str, fault: Fault) -> Result<(), SesError> {
        lock(&self.inner.faults).inject(operation, fault)
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        lock(&self.inner.faults).clear(None);
    }

    /// Removes the faults of one operation (or of `"*"`).
    pub fn clear_faults_for(&self, operation: &str) {
        lock(&self.inner.faults).clear(Some(operation));
    }

    /// The faults in force, by operation name (or `"*"`).
    pub fn faults(&self) -> BTreeMap<String, Vec<Fault>> {
        lock(&self.inner.faults).active()
    }

    /// How many times `operation` was called, including calls failed by a fault.
    pub fn call_count(&self, operation: &str) -> u64 {
        lock(&self.inner.faults).call_count(operation)
    }

    /// Every called operation's call count.
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        lock(&self.inner.faults).call_counts()
    }

    /// A snapshot of one region (empty for a region never used).
    pub fn inventory(&self, region: &str) -> RegionInventory {
        lock(&self.inner.regions)
            .get(region)
            .map(RegionState::inventory)
            .unwrap_or_default()
    }

    /// A snapshot of every region.
    pub fn inventory_all(&self) -> Inventory {
        let regions = lock(&self.inner.regions);
        Inventory {
            regions: regions
                .iter()
                .map(|(name, state)| (name.clone(), state.inventory()))
                .collect(),
        }
    }

    /// Every message SES accepted in a region, oldest first.
    pub fn sent_messages(&self, region: &str) -> Vec<SentMessage> {
        lock(&self.inner.regions)
            .get(region)
            .map(|state| state.sent_messages().to_vec())
            .unwrap_or_default()
    }

    /// Forgets everything: regions, faults and call counts.
    pub fn reset(&self) {
        lock(&self.inner.regions).clear();
        *lock(&self.inner.faults) = FaultBook::default();
    }
}
