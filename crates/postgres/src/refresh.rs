//! [`RefreshStore`] on the `tenants` table: due refreshes are claimed with
//! `FOR UPDATE SKIP LOCKED` by pushing `next_refresh_at` forward, so replicas share the
//! sweep without refreshing a tenant twice.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use posthawk_domain::ports::{
    ProvisioningState, RefreshJob, RefreshStore, StoreError, TenantId, TenantRecord,
};

use crate::PgStore;
use crate::error::{from_diesel, from_pool};
use crate::schema::{tenant_status_changes, tenants};
use crate::tenants::TenantRow;

#[async_trait::async_trait]
impl RefreshStore for PgStore {
    async fn claim_due_refreshes(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: Duration,
    ) -> Result<Vec<RefreshJob>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let until = now + chrono::Duration::from_std(lease).context("lease length")?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (rows, last_changes) = conn
            .transaction(async |conn| {
                let due: Vec<i64> = tenants::table
                    .filter(tenants::provisioning_state.eq(ProvisioningState::Ready.as_str()))
                    .filter(tenants::next_refresh_at.le(now))
                    .order(tenants::next_refresh_at)
                    .limit(limit)
                    .select(tenants::id)
                    .for_update()
                    .skip_locked()
                    .load(conn)
                    .await?;
                if due.is_empty() {
                    return Ok((Vec::new(), Vec::new()));
                }
                let rows: Vec<TenantRow> =
                    diesel::update(tenants::table.filter(tenants::id.eq_any(&due)))
                        .set(tenants::next_refresh_at.eq(until))
                        .returning(TenantRow::as_returning())
                        .get_results(conn)
                        .await?;
                let last_changes: Vec<(i64, Option<DateTime<Utc>>)> = tenant_status_changes::table
                    .filter(tenant_status_changes::tenant_id.eq_any(&due))
                    .group_by(tenant_status_changes::tenant_id)
                    .select((
                        tenant_status_changes::tenant_id,
                        diesel::dsl::max(tenant_status_changes::observed_at),
                    ))
                    .load(conn)
                    .await?;
                Ok::<_, diesel::result::Error>((rows, last_changes))
            })
            .await
            .map_err(from_diesel)?;
        let last_changes: HashMap<i64, DateTime<Utc>> = last_changes
            .into_iter()
            .filter_map(|(id, at)| at.map(|at| (id, at)))
            .collect();
        rows.into_iter()
            .map(|row| {
                let tenant = TenantRecord::try_from(row)?;
                Ok(RefreshJob {
                    last_change_at: last_changes.get(&tenant.id.0).copied(),
                    tenant,
                })
            })
            .collect()
    }

    async fn schedule_refresh(
        &self,
        tenant: TenantId,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        diesel::update(tenants::table.find(tenant.0))
            .set(tenants::next_refresh_at.eq(at))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn refresh_lag(&self, now: DateTime<Utc>) -> Result<Duration, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let oldest: Option<DateTime<Utc>> = tenants::table
            .filter(tenants::provisioning_state.eq(ProvisioningState::Ready.as_str()))
            .select(diesel::dsl::min(tenants::next_refresh_at))
            .first(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(oldest
            .and_then(|due| (now - due).to_std().ok())
            .unwrap_or_default())
    }
}
