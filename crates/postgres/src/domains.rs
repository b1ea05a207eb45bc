//! [`DomainStore`] on the `domains` table. Each change also marks the workspace's tenant
//! in the domain's region as due for reconciliation, in the same transaction.

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use posthawk_domain::ports::{
    AddedDomain, DomainId, DomainRecord, DomainState, DomainStore, StoreError, TenantId,
};
use posthawk_domain::{ConfigurationSetName, DomainName, Region, TenantName, WorkspaceId};
use uuid::Uuid;

use crate::PgStore;
use crate::error::{from_diesel, from_pool, unique_constraints_mean};
use crate::schema::{domains, tenants, workspaces};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = domains, check_for_backend(diesel::pg::Pg))]
pub(crate) struct DomainRow {
    id: Uuid,
    workspace_id: Uuid,
    name: String,
    region: String,
    state: String,
    created_at: DateTime<Utc>,
}

impl DomainRow {
    pub(crate) fn state(&self) -> &str {
        &self.state
    }
}

impl TryFrom<DomainRow> for DomainRecord {
    type Error = StoreError;
    fn try_from(row: DomainRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: DomainId(row.id),
            workspace: WorkspaceId::from_uuid(row.workspace_id),
            name: DomainName::parse(&row.name).context("stored domain name")?,
            region: Region::parse(&row.region).context("stored domain region")?,
            state: DomainState::from_stored(&row.state)
                .ok_or_else(|| anyhow!("unknown domain state {:?}", row.state))?,
            created_at: row.created_at,
        })
    }
}

/// Marks the workspace's tenant in `region` due now, creating it under `name` when the
/// workspace has none there. Returns its id.
pub(crate) async fn touch_tenant(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    region: &str,
    name: Option<&TenantName>,
) -> QueryResult<Option<i64>> {
    let bump = (
        tenants::generation.eq(tenants::generation + 1),
        tenants::needs_work.eq(true),
        tenants::next_attempt_at.eq(diesel::dsl::now),
        tenants::attempts.eq(0),
        tenants::updated_at.eq(diesel::dsl::now),
    );
    match name {
        Some(name) => {
            take_turns_creating_tenant(conn, workspace, region).await?;
            diesel::insert_into(tenants::table)
                .values((
                    tenants::workspace_id.eq(workspace),
                    tenants::region.eq(region),
                    tenants::name.eq(name.as_str()),
                    tenants::configuration_set_name
                        .eq(ConfigurationSetName::for_tenant(name).as_str().to_owned()),
                ))
                .on_conflict((tenants::workspace_id, tenants::region))
                .do_update()
                .set(bump)
                .returning(tenants::id)
                .get_result(conn)
                .await
                .map(Some)
        }
        None => diesel::update(
            tenants::table
                .filter(tenants::workspace_id.eq(workspace))
                .filter(tenants::region.eq(region)),
        )
        .set(bump)
        .returning(tenants::id)
        .get_result(conn)
        .await
        .optional(),
    }
}

/// Makes concurrent upserts of one workspace's tenant in `region` wait for each other,
/// until the end of the transaction.
///
/// PostgreSQL arbitrates only the `ON CONFLICT` target, `(workspace_id, region)`. Two
/// first adds in a region that both pass that check then meet on the tenants' other
/// unique key, `(region, name)`: one fails with a unique violation, or the two deadlock,
/// each waiting for the other's speculative insertion. Taken in turns, the second add
/// finds the first one's row and updates it. (A workspace's very first add is already
/// serialized by the insertion of its `workspaces` row; a new region is not.)
async fn take_turns_creating_tenant(
    conn: &mut AsyncPgConnection,
    workspace: Uuid,
    region: &str,
) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<diesel::sql_types::Text, _>(format!("tenant {workspace} {region}"))
        .execute(conn)
        .await
        .map(drop)
}

#[async_trait::async_trait]
impl DomainStore for PgStore {
    async fn add_domain(
        &self,
        workspace: WorkspaceId,
        name: &DomainName,
        region: &Region,
        tenant_name: &TenantName,
    ) -> Result<AddedDomain, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let row = DomainRow {
            id: Uuid::new_v4(),
            workspace_id: *workspace.as_uuid(),
            name: name.as_str().to_owned(),
            region: region.as_str().to_owned(),
            state: DomainState::Provisioning.as_str().to_owned(),
            created_at: Utc::now(),
        };
        let (domain, tenant) = conn
            .transaction(async |conn| {
                diesel::insert_into(workspaces::table)
                    .values(workspaces::id.eq(row.workspace_id))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                let domain = diesel::insert_into(domains::table)
                    .values(&row)
                    .returning(DomainRow::as_returning())
                    .get_result(conn)
                    .await?;
                let tenant =
                    touch_tenant(conn, row.workspace_id, &row.region, Some(tenant_name)).await?;
                Ok::<_, diesel::result::Error>((domain, tenant))
            })
            .await
            .map_err(unique_constraints_mean(|constraint| match constraint {
                "domains_name_key" => Some("domain"),
                "tenants_region_name_key" => Some("tenant name"),
                _ => None,
            }))?;
        self.status_changed(workspace);
        Ok(AddedDomain {
            domain: domain.try_into()?,
            tenant: TenantId(tenant.context("tenant row after upsert")?),
        })
    }

    async fn list_domains(&self, workspace: WorkspaceId) -> Result<Vec<DomainRecord>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        domains::table
            .filter(domains::workspace_id.eq(workspace.as_uuid()))
            .order((domains::created_at, domains::name))
            .select(DomainRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?
            .into_iter()
            .map(DomainRecord::try_from)
            .collect()
    }

    async fn remove_domain(
        &self,
        workspace: WorkspaceId,
        id: DomainId,
    ) -> Result<Option<DomainRecord>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let removed = conn
            .transaction(async |conn| {
                let removed = diesel::update(
                    domains::table
                        .filter(domains::id.eq(id.0))
                        .filter(domains::workspace_id.eq(workspace.as_uuid()))
                        .filter(domains::state.ne(DomainState::Deleting.as_str())),
                )
                .set(domains::state.eq(DomainState::Deleting.as_str()))
                .returning(DomainRow::as_returning())
                .get_result(conn)
                .await
                .optional()?;
                if let Some(domain) = &removed {
                    touch_tenant(conn, domain.workspace_id, &domain.region, None).await?;
                }
                Ok::<_, diesel::result::Error>(removed)
            })
            .await
            .map_err(from_diesel)?;
        if removed.is_some() {
            self.status_changed(workspace);
        }
        removed.map(DomainRecord::try_from).transpose()
    }

    async fn find_domain(&self, name: &DomainName) -> Result<Option<DomainRecord>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        domains::table
            .filter(domains::name.eq(name.as_str()))
            .filter(domains::state.ne(DomainState::Deleting.as_str()))
            .select(DomainRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(from_diesel)?
            .map(DomainRecord::try_from)
            .transpose()
    }
}
