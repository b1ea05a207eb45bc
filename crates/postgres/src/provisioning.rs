//! [`ProvisioningStore`] on the `tenants` table: the reconciler's queue, claimed with
//! `FOR UPDATE SKIP LOCKED` and held under a lease, so any number of replicas share the
//! work and never reconcile the same tenant at once.

use std::time::Duration;

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl};
use posthawk_domain::ports::{
    DomainId, DomainRecord, DomainState, JobOutcome, LeaseToken, ProvisioningState,
    ProvisioningStep, ProvisioningStore, StoreError, TenantId, TenantJob, TenantRecord,
};
use posthawk_domain::{ConfigurationSetName, DomainName, Region, TenantName, WorkspaceId};
use uuid::Uuid;

use crate::PgStore;
use crate::domains::DomainRow;
use crate::error::{from_diesel, from_pool, unique_means};
use crate::schema::{domains, regions, tenants};
use crate::tenants::{TenantRow, record_status_in};

/// Lease bookkeeping read with a claimed tenant.
#[derive(Queryable)]
struct Claimed {
    step: String,
    generation: i64,
    attempts: i32,
}

impl PgStore {
    /// Claims a tenant that needs work and whose lease is free: the one with id `only`,
    /// or else the one due soonest. Locked rows are skipped, not waited for.
    async fn claim_where(
        &self,
        only: Option<TenantId>,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<TenantJob>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let token = Uuid::new_v4();
        let lease_until = now + chrono::Duration::from_std(lease).context("lease length")?;
        let claimed = conn
            .transaction(async |conn| {
                // An explicit claim names one tenant and ignores its backoff (a request is
                // waiting on it); the worker's claim takes any tenant that is due.
                let (ids, due_by) = match only {
                    Some(id) => (id.0..=id.0, DateTime::<Utc>::MAX_UTC),
                    None => (i64::MIN..=i64::MAX, now),
                };
                let due = tenants::table
                    .filter(tenants::needs_work)
                    .filter(tenants::id.between(*ids.start(), *ids.end()))
                    .filter(tenants::next_attempt_at.le(due_by))
                    .filter(
                        tenants::lease_until
                            .is_null()
                            .or(tenants::lease_until.lt(now)),
                    )
                    .select(tenants::id)
                    .order(tenants::next_attempt_at)
                    .limit(1)
                    .for_update()
                    .skip_locked();
                let Some(id) = due.first::<i64>(conn).await.optional()? else {
                    return Ok(None);
                };
                let row: TenantRow = diesel::update(tenants::table.find(id))
                    .set((
                        tenants::lease_token.eq(token),
                        tenants::lease_until.eq(lease_until),
                    ))
                    .returning(TenantRow::as_returning())
                    .get_result(conn)
                    .await?;
                let domains = domains::table
                    .filter(domains::workspace_id.eq(row.workspace_id()))
                    .filter(domains::region.eq(row.region()))
                    .order(domains::created_at)
                    .select(DomainRow::as_select())
                    .load(conn)
                    .await?;
                let live = domains
                    .iter()
                    .any(|d| d.state() != DomainState::Deleting.as_str());
                let turned = set_direction(conn, &row, live).await?;
                let claimed = tenants::table
                    .find(id)
                    .select((
                        tenants::provisioning_step,
                        tenants::generation,
                        tenants::attempts,
                    ))
                    .first::<Claimed>(conn)
                    .await?;
                let row = tenants::table
                    .find(id)
                    .select(TenantRow::as_select())
                    .first(conn)
                    .await?;
                let vdm_enabled = regions::table
                    .find(row.region())
                    .select(regions::vdm_enabled_at.is_not_null())
                    .first::<bool>(conn)
                    .await
                    .optional()?
                    .unwrap_or(false);
                Ok::<_, diesel::result::Error>(Some((row, claimed, domains, vdm_enabled, turned)))
            })
            .await
            .map_err(from_diesel)?;
        let Some((row, claimed, domains, vdm_enabled, turned)) = claimed else {
            return Ok(None);
        };
        if turned {
            self.status_changed(WorkspaceId::from_uuid(row.workspace_id()));
        }
        Ok(Some(TenantJob {
            tenant: TenantRecord::try_from(row)?,
            step: ProvisioningStep::from_stored(&claimed.step)
                .ok_or_else(|| anyhow!("unknown provisioning step {:?}", claimed.step))?,
            generation: claimed.generation,
            lease: LeaseToken(token),
            attempts: u32::try_from(claimed.attempts).unwrap_or(0),
            domains: domains
                .into_iter()
                .map(DomainRecord::try_from)
                .collect::<Result<_, _>>()?,
            vdm_enabled,
        }))
    }
}

/// Points a claimed tenant at provisioning (it has live domains) or teardown (none).
/// Switching from teardown back to provisioning starts the steps over: teardown may
/// already have removed what the recorded steps say exists. Returns whether the
/// provisioning state changed.
async fn set_direction(
    conn: &mut AsyncPgConnection,
    claimed: &TenantRow,
    live: bool,
) -> QueryResult<bool> {
    let id = claimed.id();
    let tearing_down = ProvisioningState::TearingDown.as_str();
    let was_tearing_down = claimed.provisioning_state() == tearing_down;
    if live {
        diesel::update(
            tenants::table
                .find(id)
                .filter(tenants::provisioning_state.eq(tearing_down)),
        )
        .set((
            tenants::provisioning_state.eq(ProvisioningState::Pending.as_str()),
            tenants::provisioning_step.eq(ProvisioningStep::Nothing.as_str()),
        ))
        .execute(conn)
        .await?;
    } else {
        diesel::update(tenants::table.find(id))
            .set((
                tenants::provisioning_state.eq(tearing_down),
                tenants::provisioning_step.eq(ProvisioningStep::Nothing.as_str()),
            ))
            .execute(conn)
            .await?;
    }
    Ok(live == was_tearing_down)
}

/// The job's tenant row, if this worker still holds its lease.
fn leased(
    job: &TenantJob,
) -> diesel::dsl::Filter<
    diesel::dsl::Find<tenants::table, i64>,
    diesel::dsl::Eq<tenants::lease_token, Uuid>,
> {
    tenants::table
        .find(job.tenant.id.0)
        .filter(tenants::lease_token.eq(job.lease.0))
}

fn lease_lost(job: &TenantJob) -> StoreError {
    StoreError::Unexpected(anyhow!(
        "the lease on tenant {} was lost to another worker",
        job.tenant.name
    ))
}

fn expect_one(job: &TenantJob, updated: usize) -> Result<(), StoreError> {
    if updated == 1 {
        Ok(())
    } else {
        Err(lease_lost(job))
    }
}

#[async_trait::async_trait]
impl ProvisioningStore for PgStore {
    async fn claim_next(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<TenantJob>, StoreError> {
        self.claim_where(None, now, lease).await
    }

    async fn claim(
        &self,
        tenant: TenantId,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> Result<Option<TenantJob>, StoreError> {
        self.claim_where(Some(tenant), now, lease).await
    }

    async fn record_tenant_created(&self, job: &TenantJob, arn: &str) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let updated = diesel::update(leased(job))
            .set((
                tenants::arn.eq(arn),
                tenants::provisioning_step.eq(ProvisioningStep::TenantCreated.as_str()),
                tenants::updated_at.eq(diesel::dsl::now),
            ))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        self.status_changed(job.tenant.workspace);
        expect_one(job, updated)
    }

    async fn record_step(&self, job: &TenantJob, step: ProvisioningStep) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let updated = diesel::update(leased(job))
            .set((
                tenants::provisioning_step.eq(step.as_str()),
                tenants::updated_at.eq(diesel::dsl::now),
            ))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        expect_one(job, updated)
    }

    async fn rename(&self, job: &TenantJob, name: &TenantName) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let updated = diesel::update(leased(job))
            .set((
                tenants::name.eq(name.as_str()),
                tenants::configuration_set_name
                    .eq(ConfigurationSetName::for_tenant(name).as_str().to_owned()),
                tenants::arn.eq(None::<String>),
                tenants::provisioning_step.eq(ProvisioningStep::Nothing.as_str()),
                tenants::updated_at.eq(diesel::dsl::now),
            ))
            .execute(&mut conn)
            .await
            .map_err(unique_means("tenant name"))?;
        self.status_changed(job.tenant.workspace);
        expect_one(job, updated)
    }

    async fn mark_vdm_enabled(&self, region: &Region) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        diesel::insert_into(regions::table)
            .values((
                regions::region.eq(region.as_str()),
                regions::vdm_enabled_at.eq(diesel::dsl::now),
            ))
            .on_conflict(regions::region)
            .do_update()
            .set(regions::vdm_enabled_at.eq(diesel::dsl::now))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn mark_domain_active(&self, domain: DomainId) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        // A domain deleted meanwhile stays `Deleting`.
        diesel::update(
            domains::table
                .find(domain.0)
                .filter(domains::state.eq(DomainState::Provisioning.as_str())),
        )
        .set(domains::state.eq(DomainState::Active.as_str()))
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(())
    }

    async fn forget_domain(&self, domain: DomainId) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        diesel::delete(
            domains::table
                .find(domain.0)
                .filter(domains::state.eq(DomainState::Deleting.as_str())),
        )
        .execute(&mut conn)
        .await
        .map_err(from_diesel)?;
        Ok(())
    }

    async fn complete(
        &self,
        job: &TenantJob,
        outcome: JobOutcome,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let generation = job.generation;
        let tenant = job.tenant.id;
        let done = conn
            .transaction(async |conn| {
                if outcome == JobOutcome::TornDown {
                    // Gone for good unless a domain was added meanwhile.
                    let deleted =
                        diesel::delete(leased(job).filter(tenants::generation.eq(generation)))
                            .execute(conn)
                            .await?;
                    if deleted == 1 {
                        return Ok(true);
                    }
                }
                let ready = matches!(outcome, JobOutcome::Ready { .. });
                let done: Option<bool> = diesel::update(leased(job))
                    .set((
                        tenants::needs_work.eq(tenants::generation.ne(generation)),
                        tenants::attempts.eq(0),
                        tenants::last_error.eq(None::<String>),
                        tenants::lease_token.eq(None::<Uuid>),
                        tenants::lease_until.eq(None::<DateTime<Utc>>),
                        tenants::next_attempt_at.eq(now),
                        tenants::updated_at.eq(diesel::dsl::now),
                    ))
                    .returning(tenants::needs_work.eq(false))
                    .get_result(conn)
                    .await
                    .optional()?;
                if ready {
                    diesel::update(tenants::table.find(tenant.0))
                        .set(tenants::provisioning_state.eq(ProvisioningState::Ready.as_str()))
                        .execute(conn)
                        .await?;
                }
                if let JobOutcome::Ready {
                    observed_status: Some(status),
                } = outcome
                {
                    record_status_in(conn, tenant, status, now).await?;
                }
                Ok::<_, diesel::result::Error>(done.unwrap_or(false))
            })
            .await
            .map_err(from_diesel)?;
        self.status_changed(job.tenant.workspace);
        Ok(done)
    }

    async fn fail(
        &self,
        job: &TenantJob,
        error: &str,
        retry_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        diesel::update(leased(job))
            .set((
                tenants::attempts.eq(tenants::attempts + 1),
                tenants::last_error.eq(error),
                tenants::next_attempt_at.eq(retry_at),
                tenants::lease_token.eq(None::<Uuid>),
                tenants::lease_until.eq(None::<DateTime<Utc>>),
                tenants::updated_at.eq(diesel::dsl::now),
            ))
            .execute(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(())
    }

    async fn restart(&self, tenant: TenantId) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        conn.transaction(async |conn| {
            let Some((workspace, region)) = tenants::table
                .find(tenant.0)
                .select((tenants::workspace_id, tenants::region))
                .first::<(Uuid, String)>(conn)
                .await
                .optional()?
            else {
                return Ok(());
            };
            // The domains' identities are associated again too. Domains are locked before
            // their tenant, the order `remove_domain` takes them in: the other way round, a
            // restart and a removal deadlock.
            diesel::update(
                domains::table
                    .filter(domains::workspace_id.eq(workspace))
                    .filter(domains::region.eq(region))
                    .filter(domains::state.eq(DomainState::Active.as_str())),
            )
            .set(domains::state.eq(DomainState::Provisioning.as_str()))
            .execute(conn)
            .await?;
            diesel::update(tenants::table.find(tenant.0))
                .set((
                    tenants::provisioning_step.eq(ProvisioningStep::Nothing.as_str()),
                    tenants::generation.eq(tenants::generation + 1),
                    tenants::needs_work.eq(true),
                    tenants::next_attempt_at.eq(diesel::dsl::now),
                    tenants::attempts.eq(0),
                    tenants::updated_at.eq(diesel::dsl::now),
                ))
                .execute(conn)
                .await?;
            Ok::<_, diesel::result::Error>(())
        })
        .await
        .map_err(from_diesel)
    }

    async fn active_domains(&self, tenant: TenantId) -> Result<Vec<DomainName>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let names: Vec<String> = domains::table
            .inner_join(
                tenants::table.on(tenants::workspace_id
                    .eq(domains::workspace_id)
                    .and(tenants::region.eq(domains::region))),
            )
            .filter(tenants::id.eq(tenant.0))
            .filter(domains::state.eq(DomainState::Active.as_str()))
            .select(domains::name)
            .load(&mut conn)
            .await
            .map_err(from_diesel)?;
        names
            .iter()
            .map(|name| Ok(DomainName::parse(name).context("stored domain name")?))
            .collect()
    }

    async fn backlog(&self) -> Result<u64, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let count: i64 = tenants::table
            .filter(tenants::needs_work)
            .count()
            .get_result(&mut conn)
            .await
            .map_err(from_diesel)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
