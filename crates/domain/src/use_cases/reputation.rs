//! Reading a workspace's tenant statuses and a region's open findings.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::ports::{FindingStore, RegionSummary, StoreError, TenantStore};
use crate::{
    ConfigurationSetName, Finding, Region, RegionNotServed, SendingStatus, ServedRegions,
    TenantName, WorkspaceId,
};

/// A workspace's tenant in one region, as the dashboard badge shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantStatus {
    /// The region.
    pub region: Region,
    /// The tenant's name (what it is or will be called).
    pub tenant_name: TenantName,
    /// Its configuration set.
    pub configuration_set_name: ConfigurationSetName,
    /// The badge.
    pub sending_status: SendingStatus,
    /// The workspace's domains in the region.
    pub domain_count: u32,
    /// When SES was last asked, if ever.
    pub last_checked_at: Option<DateTime<Utc>>,
}

/// Why a workspace's statuses could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TenantStatusError {
    /// The store is down; try again later.
    #[error("tenant statuses are unavailable right now")]
    Unavailable(#[source] StoreError),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// Why a region's findings could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FindingsError {
    /// The region is not one this deployment serves.
    #[error(transparent)]
    RegionNotServed(#[from] RegionNotServed),
    /// The workspace has no tenant in the region.
    #[error("the workspace has no tenant in {0}")]
    NoTenant(Region),
    /// The store is down; try again later.
    #[error("findings are unavailable right now")]
    Unavailable(#[source] StoreError),
    /// Anything else.
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<StoreError> for TenantStatusError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error),
            other => Self::Unexpected(other.into()),
        }
    }
}

impl From<StoreError> for FindingsError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(_) => Self::Unavailable(error),
            other => Self::Unexpected(other.into()),
        }
    }
}

/// The read side of reputation tracking: what the dashboard and operators see.
#[derive(Clone)]
pub struct ReputationQueries {
    tenants: Arc<dyn TenantStore>,
    findings: Arc<dyn FindingStore>,
    served: ServedRegions,
}

impl ReputationQueries {
    /// Reads through the given stores, answering for the `served` regions.
    #[must_use]
    pub fn new(
        tenants: Arc<dyn TenantStore>,
        findings: Arc<dyn FindingStore>,
        served: ServedRegions,
    ) -> Self {
        Self {
            tenants,
            findings,
            served,
        }
    }

    /// The regions this deployment serves.
    #[must_use]
    pub fn served_regions(&self) -> &ServedRegions {
        &self.served
    }

    /// One status per region where the workspace has domains, served regions first in
    /// configuration order. A region whose tenant is not fully provisioned is DISABLED.
    ///
    /// # Errors
    /// [`TenantStatusError::Unavailable`] when the store is down.
    pub async fn tenant_status(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<TenantStatus>, TenantStatusError> {
        let mut summaries = self.tenants.regions_of_workspace(workspace).await?;
        summaries.sort_by(|a, b| self.region_order(&a.region, &b.region));
        Ok(summaries
            .into_iter()
            .map(|summary| status_of(workspace, summary))
            .collect())
    }

    /// The open findings of the workspace's tenant in the region named `region`.
    ///
    /// # Errors
    /// [`FindingsError::RegionNotServed`] before any lookup when the region is not served;
    /// [`FindingsError::NoTenant`] when the workspace has no tenant there;
    /// [`FindingsError::Unavailable`] when the store is down.
    pub async fn open_findings(
        &self,
        workspace: WorkspaceId,
        region: &str,
    ) -> Result<Vec<Finding>, FindingsError> {
        let region = self.served.resolve(region)?;
        let tenant = self
            .tenants
            .tenant(workspace, &region)
            .await?
            .ok_or(FindingsError::NoTenant(region))?;
        Ok(self.findings.open_findings(tenant.id).await?)
    }

    fn region_order(&self, a: &Region, b: &Region) -> Ordering {
        let rank = |region: &Region| self.served.iter().position(|served| served == region);
        match (rank(a), rank(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.cmp(b),
        }
    }
}

fn status_of(workspace: WorkspaceId, summary: RegionSummary) -> TenantStatus {
    let RegionSummary {
        region,
        domain_count,
        tenant,
    } = summary;
    match tenant {
        Some(tenant) => TenantStatus {
            region,
            configuration_set_name: tenant.configuration_set,
            tenant_name: tenant.name,
            sending_status: tenant.provisioning.shown_status(tenant.sending_status),
            domain_count,
            last_checked_at: tenant.last_checked_at,
        },
        None => {
            let tenant_name = TenantName::for_workspace(workspace);
            TenantStatus {
                region,
                configuration_set_name: ConfigurationSetName::for_tenant(&tenant_name),
                tenant_name,
                sending_status: SendingStatus::Disabled,
                domain_count,
                last_checked_at: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{
        MockFindingStore, MockTenantStore, ProvisioningState, TenantId, TenantRecord,
    };
    use crate::{FindingType, Severity};

    const WORKSPACE: &str = "1f3a8c2d-6f4b-4c1e-9a2b-3c4d5e6f7a8b";

    fn workspace() -> WorkspaceId {
        WorkspaceId::parse(WORKSPACE).unwrap()
    }

    fn region(code: &str) -> Region {
        Region::parse(code).unwrap()
    }

    fn checked_at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-04-28T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn tenant(code: &str, provisioning: ProvisioningState, status: SendingStatus) -> TenantRecord {
        let name = TenantName::for_workspace(workspace());
        TenantRecord {
            id: TenantId(7),
            workspace: workspace(),
            region: region(code),
            configuration_set: ConfigurationSetName::for_tenant(&name),
            name,
            arn: Some(format!(
                "arn:aws:ses:{code}:123456789012:tenant/ph-1f3a8c2d6f4b/tn-1"
            )),
            provisioning,
            sending_status: status,
            last_checked_at: Some(checked_at()),
        }
    }

    fn queries(tenants: MockTenantStore, findings: MockFindingStore) -> ReputationQueries {
        ReputationQueries::new(
            Arc::new(tenants),
            Arc::new(findings),
            ServedRegions::default(),
        )
    }

    fn store_returning(summaries: Vec<RegionSummary>) -> MockTenantStore {
        let mut store = MockTenantStore::new();
        store
            .expect_regions_of_workspace()
            .withf(|id| *id == workspace())
            .times(1)
            .return_once(move |_| Ok(summaries));
        store
    }

    #[tokio::test]
    async fn provisioned_tenant_reports_its_recorded_status() {
        let summary = RegionSummary {
            region: region("us-east-1"),
            domain_count: 3,
            tenant: Some(tenant(
                "us-east-1",
                ProvisioningState::Ready,
                SendingStatus::Paused,
            )),
        };
        let rows = queries(store_returning(vec![summary]), MockFindingStore::new())
            .tenant_status(workspace())
            .await
            .unwrap();
        assert_eq!(
            rows,
            [TenantStatus {
                region: region("us-east-1"),
                tenant_name: TenantName::parse("ph-1f3a8c2d6f4b").unwrap(),
                configuration_set_name: ConfigurationSetName::parse("ph-1f3a8c2d6f4b").unwrap(),
                sending_status: SendingStatus::Paused,
                domain_count: 3,
                last_checked_at: Some(checked_at()),
            }]
        );
    }

    #[tokio::test]
    async fn tenant_still_provisioning_is_disabled_whatever_was_recorded() {
        for state in [ProvisioningState::Pending, ProvisioningState::TearingDown] {
            let summary = RegionSummary {
                region: region("us-east-1"),
                domain_count: 1,
                tenant: Some(tenant("us-east-1", state, SendingStatus::Enabled)),
            };
            let rows = queries(store_returning(vec![summary]), MockFindingStore::new())
                .tenant_status(workspace())
                .await
                .unwrap();
            assert_eq!(rows[0].sending_status, SendingStatus::Disabled, "{state:?}");
        }
    }

    #[tokio::test]
    async fn region_with_domains_but_no_tenant_yet_is_disabled_under_its_future_name() {
        let summary = RegionSummary {
            region: region("eu-north-1"),
            domain_count: 1,
            tenant: None,
        };
        let rows = queries(store_returning(vec![summary]), MockFindingStore::new())
            .tenant_status(workspace())
            .await
            .unwrap();
        assert_eq!(rows[0].tenant_name.as_str(), "ph-1f3a8c2d6f4b");
        assert_eq!(rows[0].configuration_set_name.as_str(), "ph-1f3a8c2d6f4b");
        assert_eq!(rows[0].sending_status, SendingStatus::Disabled);
        assert_eq!(rows[0].last_checked_at, None);
    }

    #[tokio::test]
    async fn rows_come_in_served_region_order_then_the_rest_alphabetically() {
        let summary = |code: &str| RegionSummary {
            region: region(code),
            domain_count: 1,
            tenant: None,
        };
        let store = store_returning(vec![
            summary("us-west-2"),
            summary("eu-north-1"),
            summary("ap-south-1"),
            summary("us-east-1"),
        ]);
        let rows = queries(store, MockFindingStore::new())
            .tenant_status(workspace())
            .await
            .unwrap();
        let order: Vec<&str> = rows.iter().map(|row| row.region.as_str()).collect();
        assert_eq!(
            order,
            ["us-east-1", "eu-north-1", "ap-south-1", "us-west-2"]
        );
    }

    #[tokio::test]
    async fn a_store_outage_is_reported_as_unavailable() {
        let mut store = MockTenantStore::new();
        store
            .expect_regions_of_workspace()
            .return_once(|_| Err(StoreError::Unavailable(anyhow::anyhow!("pool timed out"))));
        let error = queries(store, MockFindingStore::new())
            .tenant_status(workspace())
            .await
            .unwrap_err();
        assert!(
            matches!(error, TenantStatusError::Unavailable(_)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn findings_for_a_region_not_served_are_refused_without_a_lookup() {
        // No expectations: any store call would panic.
        let error = queries(MockTenantStore::new(), MockFindingStore::new())
            .open_findings(workspace(), "ap-south-1")
            .await
            .unwrap_err();
        assert!(
            matches!(error, FindingsError::RegionNotServed(_)),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn findings_where_the_workspace_has_no_tenant_are_not_found() {
        let mut tenants = MockTenantStore::new();
        tenants
            .expect_tenant()
            .times(1)
            .return_once(|_, _| Ok(None));
        let error = queries(tenants, MockFindingStore::new())
            .open_findings(workspace(), "eu-north-1")
            .await
            .unwrap_err();
        assert!(
            matches!(&error, FindingsError::NoTenant(r) if r.as_str() == "eu-north-1"),
            "{error:?}"
        );
    }

    #[tokio::test]
    async fn findings_are_the_open_ones_of_the_workspaces_own_tenant() {
        let finding = Finding {
            finding_type: FindingType::BounceRate,
            severity: Severity::Warning,
            rate: Some(0.038),
            threshold: Some(0.05),
            message: "Bounce rate is approaching 5% (SES auto-pause threshold).".into(),
            detected_at: checked_at(),
        };
        let mut tenants = MockTenantStore::new();
        tenants
            .expect_tenant()
            .withf(|id, r| *id == workspace() && r.as_str() == "us-east-1")
            .return_once(|_, _| {
                Ok(Some(tenant(
                    "us-east-1",
                    ProvisioningState::Ready,
                    SendingStatus::Enabled,
                )))
            });
        let mut findings = MockFindingStore::new();
        let expected = vec![finding.clone()];
        findings
            .expect_open_findings()
            .withf(|id| *id == TenantId(7))
            .return_once(move |_| Ok(expected));
        let open = queries(tenants, findings)
            .open_findings(workspace(), "us-east-1")
            .await
            .unwrap();
        assert_eq!(open, [finding]);
    }
}
