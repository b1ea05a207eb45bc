//! The reputation refresh schedule: which provisioned tenants are due for a fresh look
//! at their SES status and findings, claimed so that replicas never refresh the same
//! tenant at once.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::ports::{StoreError, TenantId, TenantRecord};

/// A tenant due for a refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshJob {
    /// The tenant as recorded.
    pub tenant: TenantRecord,
    /// When its status last changed, if ever.
    pub last_change_at: Option<DateTime<Utc>>,
}

/// The refresh schedule.
#[cfg_attr(feature = "mock", mockall::automock)]
#[async_trait::async_trait]
pub trait RefreshStore: Send + Sync {
    /// Claims up to `limit` provisioned tenants whose refresh is due, oldest first, by
    /// pushing their next refresh `lease` into the future: another replica skips them,
    /// and a worker that dies leaves them due again once the lease has passed.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn claim_due_refreshes(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<RefreshJob>, StoreError>;

    /// Sets when the tenant is next refreshed.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn schedule_refresh(&self, tenant: TenantId, at: DateTime<Utc>)
    -> Result<(), StoreError>;

    /// How far behind schedule the most overdue provisioned tenant is (zero when none is
    /// overdue).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    async fn refresh_lag(&self, now: DateTime<Utc>) -> Result<Duration, StoreError>;
}
