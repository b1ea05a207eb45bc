//! [`TenantStore`] on the `tenants` and `tenant_status_changes` tables.

use std::collections::HashMap;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use posthawk_domain::ports::{
    DomainState, ProvisioningState, ProvisioningStep, RegionSummary, StatusChange, StoreError,
    TenantId, TenantRecord, TenantStore,
};
use posthawk_domain::{ConfigurationSetName, Region, SendingStatus, TenantName, WorkspaceId};
use uuid::Uuid;

use crate::PgStore;
use crate::error::{from_diesel, from_pool};
use crate::schema::{domains, tenant_status_changes, tenants};
use crate::status_cache::Lookup;

#[derive(Queryable, Selectable)]
#[diesel(table_name = tenants, check_for_backend(diesel::pg::Pg))]
pub(crate) struct TenantRow {
    id: i64,
    workspace_id: Uuid,
    region: String,
    name: String,
    configuration_set_name: String,
    arn: Option<String>,
    provisioning_state: String,
    sending_status: String,
    last_checked_at: Option<DateTime<Utc>>,
}

impl TenantRow {
    pub(crate) fn id(&self) -> i64 {
        self.id
    }

    pub(crate) fn provisioning_state(&self) -> &str {
        &self.provisioning_state
    }

    pub(crate) fn workspace_id(&self) -> Uuid {
        self.workspace_id
    }

    pub(crate) fn region(&self) -> &str {
        &self.region
    }
}

impl TryFrom<TenantRow> for TenantRecord {
    type Error = StoreError;
    fn try_from(row: TenantRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: TenantId(row.id),
            workspace: WorkspaceId::from_uuid(row.workspace_id),
            region: Region::parse(&row.region).context("stored tenant region")?,
            name: TenantName::parse(&row.name).context("stored tenant name")?,
            configuration_set: ConfigurationSetName::parse(&row.configuration_set_name)
                .context("stored configuration set name")?,
            arn: row.arn,
            provisioning: ProvisioningState::from_stored(&row.provisioning_state).ok_or_else(
                || anyhow!("unknown provisioning state {:?}", row.provisioning_state),
            )?,
            sending_status: parse_status(&row.sending_status)?,
            last_checked_at: row.last_checked_at,
        })
    }
}

fn parse_status(text: &str) -> Result<SendingStatus, StoreError> {
    Ok(text.parse().context("stored sending status")?)
}

#[derive(Queryable)]
struct StatusChangeRow {
    from_status: Option<String>,
    to_status: String,
    observed_at: DateTime<Utc>,
}

impl TryFrom<StatusChangeRow> for StatusChange {
    type Error = StoreError;
    fn try_from(row: StatusChangeRow) -> Result<Self, StoreError> {
        Ok(Self {
            from: row.from_status.as_deref().map(parse_status).transpose()?,
            to: parse_status(&row.to_status)?,
            observed_at: row.observed_at,
        })
    }
}

#[async_trait::async_trait]
impl TenantStore for PgStore {
    async fn regions_of_workspace(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<RegionSummary>, StoreError> {
        let Some(cache) = &self.status_cache else {
            return self.read_regions_of_workspace(workspace).await;
        };
        match cache.lookup(workspace) {
            Lookup::Hit(summaries) => Ok(summaries.to_vec()),
            Lookup::Bypass => self.read_regions_of_workspace(workspace).await,
            Lookup::Miss(ticket) => {
                let summaries = self.read_regions_of_workspace(workspace).await?;
                cache.store(workspace, ticket, &summaries);
                Ok(summaries)
            }
        }
    }

    async fn tenant(
        &self,
        workspace: WorkspaceId,
        region: &Region,
    ) -> Result<Option<TenantRecord>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        tenants::table
            .filter(tenants::workspace_id.eq(workspace.as_uuid()))
            .filter(tenants::region.eq(region.as_str()))
            .select(TenantRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?
            .map(TenantRecord::try_from)
            .transpose()
    }

    async fn owner_of_name(
        &self,
        region: &Region,
        name: &TenantName,
    ) -> Result<Option<WorkspaceId>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let owner = tenants::table
            .filter(tenants::region.eq(region.as_str()))
            .filter(tenants::name.eq(name.as_str()))
            .select(tenants::workspace_id)
            .first::<Uuid>(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?;
        Ok(owner.map(WorkspaceId::from_uuid))
    }

    async fn tenants_with_configuration_set(&self) -> Result<Vec<TenantRecord>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let created = [
            ProvisioningStep::ConfigurationSetCreated,
            ProvisioningStep::EventDestinationSet,
            ProvisioningStep::ConfigurationSetAssociated,
        ]
        .map(ProvisioningStep::as_str);
        tenants::table
            .filter(
                tenants::provisioning_state
                    .eq(ProvisioningState::Ready.as_str())
                    .or(tenants::provisioning_step.eq_any(created)),
            )
            .order(tenants::id)
            .select(TenantRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?
            .into_iter()
            .map(TenantRecord::try_from)
            .collect()
    }

    async fn record_status(
        &self,
        tenant: TenantId,
        status: SendingStatus,
        checked_at: DateTime<Utc>,
    ) -> Result<Option<StatusChange>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let (workspace, change) = conn
            .transaction(async |conn| record_status_in(conn, tenant, status, checked_at).await)
            .await
            .map_err(from_diesel)?;
        self.status_changed(WorkspaceId::from_uuid(workspace));
        change
            .map(|from| {
                Ok(StatusChange {
                    from: from.as_deref().map(parse_status).transpose()?,
                    to: status,
                    observed_at: checked_at,
                })
            })
            .transpose()
    }

    async fn status_history(&self, tenant: TenantId) -> Result<Vec<StatusChange>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        tenant_status_changes::table
            .filter(tenant_status_changes::tenant_id.eq(tenant.0))
            .order(tenant_status_changes::id)
            .select((
                tenant_status_changes::from_status,
                tenant_status_changes::to_status,
                tenant_status_changes::observed_at,
            ))
            .load::<StatusChangeRow>(&mut conn)
            .await
            .map_err(from_diesel)?
            .into_iter()
            .map(StatusChange::try_from)
            .collect()
    }
}

impl PgStore {
    /// The status read itself, from PostgreSQL.
    async fn read_regions_of_workspace(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<RegionSummary>, StoreError> {
        let conn = self.pool.get().await.map_err(from_pool)?;
        // Both queries go out in one pipeline: one round trip on the hot read path.
        let counts = domains::table
            .filter(domains::workspace_id.eq(workspace.as_uuid()))
            .filter(domains::state.ne(DomainState::Deleting.as_str()))
            .group_by(domains::region)
            .select((domains::region, diesel::dsl::count_star()))
            .load::<(String, i64)>(&mut &*conn);
        let tenants = tenants::table
            .filter(tenants::workspace_id.eq(workspace.as_uuid()))
            .select(TenantRow::as_select())
            .load(&mut &*conn);
        let (counts, tenants) = futures::try_join!(counts, tenants).map_err(from_diesel)?;

        let mut tenants_by_region: HashMap<String, TenantRow> = tenants
            .into_iter()
            .map(|row| (row.region.clone(), row))
            .collect();
        counts
            .into_iter()
            .map(|(region, count)| {
                let tenant = tenants_by_region
                    .remove(&region)
                    .map(TenantRecord::try_from)
                    .transpose()?;
                Ok(RegionSummary {
                    region: Region::parse(&region).context("stored domain region")?,
                    domain_count: u32::try_from(count).context("domain count")?,
                    tenant,
                })
            })
            .collect()
    }

    /// How many tenants show each sending status, counted as `GET /tenants/status` shows
    /// them ([`ProvisioningState::shown_status`]); statuses no tenant has are left out.
    /// One aggregate over the `tenants` table, for the `tenants` gauge of `GET /metrics`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] / [`StoreError::Unexpected`].
    pub async fn tenant_counts_by_status(&self) -> Result<HashMap<SendingStatus, u64>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let groups: Vec<(String, String, i64)> = tenants::table
            .group_by((tenants::provisioning_state, tenants::sending_status))
            .select((
                tenants::provisioning_state,
                tenants::sending_status,
                diesel::dsl::count_star(),
            ))
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        let mut counts = HashMap::new();
        for (state, status, count) in groups {
            let state = ProvisioningState::from_stored(&state)
                .ok_or_else(|| anyhow!("unknown provisioning state {state:?}"))?;
            let shown = state.shown_status(parse_status(&status)?);
            *counts.entry(shown).or_insert(0) += u64::try_from(count).unwrap_or(0);
        }
        Ok(counts)
    }
}

/// Writes a status reading inside the caller's transaction; returns the tenant's
/// workspace, and `Some(previous)` (the previous status, `None` for the first reading)
/// when it was a change, which is then appended to the history.
pub(crate) async fn record_status_in(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: TenantId,
    status: SendingStatus,
    checked_at: DateTime<Utc>,
) -> QueryResult<(Uuid, Option<Option<String>>)> {
    let (workspace, previous, last_checked_at) = tenants::table
        .find(tenant.0)
        .select((
            tenants::workspace_id,
            tenants::sending_status,
            tenants::last_checked_at,
        ))
        .for_update()
        .first::<(Uuid, String, Option<DateTime<Utc>>)>(conn)
        .await?;
    diesel::update(tenants::table.find(tenant.0))
        .set((
            tenants::sending_status.eq(status.as_str()),
            tenants::last_checked_at.eq(checked_at),
            tenants::updated_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
        .await?;
    // The first reading is a change from "unknown"; later ones only when different.
    let from = last_checked_at.map(|_| previous);
    if from.as_deref() == Some(status.as_str()) {
        return Ok((workspace, None));
    }
    diesel::insert_into(tenant_status_changes::table)
        .values((
            tenant_status_changes::tenant_id.eq(tenant.0),
            tenant_status_changes::from_status.eq(&from),
            tenant_status_changes::to_status.eq(status.as_str()),
            tenant_status_changes::observed_at.eq(checked_at),
        ))
        .execute(conn)
        .await?;
    Ok((workspace, Some(from)))
}
