//! [`FindingStore`] on the `findings` table: one open finding per tenant and type,
//! resolved findings kept as history.

use anyhow::{Context as _, anyhow};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection as _, RunQueryDsl};
use posthawk_domain::ports::{FindingStore, StoreError, TenantId};
use posthawk_domain::{Finding, FindingType, Severity};

use crate::PgStore;
use crate::error::{from_diesel, from_pool};
use crate::schema::findings;

#[derive(Queryable, Selectable)]
#[diesel(table_name = findings, check_for_backend(diesel::pg::Pg))]
struct FindingRow {
    finding_type: String,
    severity: String,
    rate: Option<f64>,
    threshold: Option<f64>,
    message: String,
    detected_at: DateTime<Utc>,
}

impl TryFrom<FindingRow> for Finding {
    type Error = StoreError;
    fn try_from(row: FindingRow) -> Result<Self, StoreError> {
        Ok(Self {
            finding_type: FindingType::from_stored(&row.finding_type),
            severity: Severity::from_stored(&row.severity)
                .ok_or_else(|| anyhow!("unknown severity {:?}", row.severity))
                .context("stored finding")?,
            rate: row.rate,
            threshold: row.threshold,
            message: row.message,
            detected_at: row.detected_at,
        })
    }
}

#[async_trait::async_trait]
impl FindingStore for PgStore {
    async fn open_findings(&self, tenant: TenantId) -> Result<Vec<Finding>, StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        // 'CRITICAL' < 'WARNING' as text, so ascending puts the most severe first.
        findings::table
            .filter(findings::tenant_id.eq(tenant.0))
            .filter(findings::resolved_at.is_null())
            .order((findings::severity.asc(), findings::detected_at.desc()))
            .select(FindingRow::as_select())
            .load(&mut conn)
            .await
            .map_err(from_diesel)?
            .into_iter()
            .map(Finding::try_from)
            .collect()
    }

    async fn sync_findings(
        &self,
        tenant: TenantId,
        current: &[Finding],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool.get().await.map_err(from_pool)?;
        let current_types: Vec<&str> = current.iter().map(|f| f.finding_type.as_str()).collect();
        conn.transaction(async |conn| {
            diesel::update(
                findings::table
                    .filter(findings::tenant_id.eq(tenant.0))
                    .filter(findings::resolved_at.is_null())
                    .filter(findings::finding_type.ne_all(&current_types)),
            )
            .set((findings::resolved_at.eq(now), findings::updated_at.eq(now)))
            .execute(conn)
            .await?;
            for finding in current {
                // One open finding per type: refresh it in place, keeping when it was
                // first detected.
                diesel::insert_into(findings::table)
                    .values((
                        findings::tenant_id.eq(tenant.0),
                        findings::finding_type.eq(finding.finding_type.as_str()),
                        findings::severity.eq(finding.severity.as_str()),
                        findings::rate.eq(finding.rate),
                        findings::threshold.eq(finding.threshold),
                        findings::message.eq(&finding.message),
                        findings::detected_at.eq(finding.detected_at),
                        findings::updated_at.eq(now),
                    ))
                    .on_conflict((findings::tenant_id, findings::finding_type))
                    .filter_target(findings::resolved_at.is_null())
                    .do_update()
                    .set((
                        findings::severity.eq(finding.severity.as_str()),
                        findings::rate.eq(finding.rate),
                        findings::threshold.eq(finding.threshold),
                        findings::message.eq(&finding.message),
                        findings::updated_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
            }
            Ok::<_, diesel::result::Error>(())
        })
        .await
        .map_err(from_diesel)
    }
}
