//! [`DomainStore`] on the `domains` table.

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use posthawk_domain::ports::{DomainId, DomainRecord, DomainStore, StoreError};
use posthawk_domain::{DomainName, Region, WorkspaceId};
use uuid::Uuid;

use crate::PgStore;
use crate::error::{from_diesel, from_pool, unique_means};
use crate::schema::{domains, workspaces};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = domains, check_for_backend(diesel::pg::Pg))]
struct DomainRow {
    id: Uuid,
    workspace_id: Uuid,
    name: String,
    region: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<DomainRow> for DomainRecord {
    type Error = StoreError;
    fn try_from(row: DomainRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: DomainId(row.id),
            workspace: WorkspaceId::from_uuid(row.workspace_id),
            name: DomainName::parse(&row.name).context("stored domain name")?,
            region: Region::parse(&row.region).context("stored domain region")?,
            created_at: row.created_at,
        })
    }
}

#[async_trait::async_trait]
impl DomainStore for PgStore {
    async fn add_domain(
        &self,
        workspace: WorkspaceId,
        name: &DomainName,
        region: &Region,
    ) -> Result<DomainRecord, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let row = DomainRow {
            id: Uuid::new_v4(),
            workspace_id: *workspace.as_uuid(),
            name: name.as_str().to_owned(),
            region: region.as_str().to_owned(),
            created_at: Utc::now(),
        };
        let inserted = conn
            .transaction(async |conn| {
                diesel::insert_into(workspaces::table)
                    .values(workspaces::id.eq(row.workspace_id))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                diesel::insert_into(domains::table)
                    .values(&row)
                    .returning(DomainRow::as_returning())
                    .get_result(conn)
                    .await
            })
            .await
            .map_err(unique_means("domain"))?;
        inserted.try_into()
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
        diesel::delete(
            domains::table
                .filter(domains::id.eq(id.0))
                .filter(domains::workspace_id.eq(workspace.as_uuid())),
        )
        .returning(DomainRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()
        .map_err(from_diesel)?
        .map(DomainRecord::try_from)
        .transpose()
    }
}
