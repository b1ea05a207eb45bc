//! VDM metrics: daily counters by tenant, configuration set and identity. Sends feed them
//! through the mailbox simulator, the control API adds to them, and `BatchGetMetricData`
//! reads them as one data point per UTC day.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, TimeDelta, Utc};

use super::RegionState;
use crate::error::SesError;
use crate::shapes::{Metric, MetricDimensionName};

/// The longest window one query may cover. SES keeps VDM data for a limited time; the
/// bound mostly keeps a careless query from producing millions of data points.
const MAX_QUERY_DAYS: u64 = 366;

/// The domain of the SES mailbox simulator.
const SIMULATOR_DOMAIN: &str = "simulator.amazonses.com";

/// Counters, bucketed by day and the dimensions a send carries.
#[derive(Debug, Default)]
pub(super) struct MetricStore {
    buckets: HashMap<MetricKey, BTreeMap<Metric, u64>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct MetricKey {
    day: NaiveDate,
    tenant: Option<String>,
    configuration_set: Option<String>,
    identity: Option<String>,
}

/// The dimensions a count is recorded under.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Dimensions<'a> {
    pub tenant: Option<&'a str>,
    pub configuration_set: Option<&'a str>,
    pub identity: Option<&'a str>,
}

/// One `BatchGetMetricData` query.
#[derive(Debug, Clone)]
pub(crate) struct MetricQuery {
    /// The metric to read.
    pub metric: Metric,
    /// The dimension values a count must carry to be included; empty includes all.
    pub dimensions: BTreeMap<MetricDimensionName, String>,
    /// The start of the window, inclusive.
    pub start: DateTime<Utc>,
    /// The end of the window, exclusive.
    pub end: DateTime<Utc>,
}

impl MetricKey {
    fn matches(&self, dimensions: &BTreeMap<MetricDimensionName, String>) -> bool {
        dimensions.iter().all(|(name, value)| {
            let recorded = match name {
                MetricDimensionName::TenantName => self.tenant.as_deref(),
                MetricDimensionName::ConfigurationSet => self.configuration_set.as_deref(),
                MetricDimensionName::EmailIdentity => self.identity.as_deref(),
                // The emulator does not know which mailbox provider a recipient uses.
                MetricDimensionName::Isp => None,
            };
            recorded == Some(value.as_str())
        })
    }
}

impl MetricStore {
    pub(super) fn add(
        &mut self,
        at: DateTime<Utc>,
        dimensions: Dimensions<'_>,
        metric: Metric,
        count: u64,
    ) {
        let key = MetricKey {
            day: at.date_naive(),
            tenant: dimensions.tenant.map(str::to_owned),
            configuration_set: dimensions.configuration_set.map(str::to_owned),
            identity: dimensions.identity.map(str::to_owned),
        };
        let counter = self
            .buckets
            .entry(key)
            .or_default()
            .entry(metric)
            .or_default();
        *counter = counter.saturating_add(count);
    }

    /// One `(midnight UTC, count)` point for every day the window touches, zero-filled.
    fn daily(&self, query: &MetricQuery) -> Result<Vec<(DateTime<Utc>, u64)>, SesError> {
        if query.start >= query.end {
            return Err(SesError::BadRequest(
                "StartDate must be earlier than EndDate.".into(),
            ));
        }
        let first = query.start.date_naive();
        // The end is exclusive: a window ending at midnight does not touch that day.
        let last = (query.end - TimeDelta::milliseconds(1)).date_naive();
        let days = u64::try_from((last - first).num_days()).unwrap_or(0) + 1;
        if days > MAX_QUERY_DAYS {
            return Err(SesError::BadRequest(format!(
                "A query may cover at most {MAX_QUERY_DAYS} days."
            )));
        }

        let mut totals: BTreeMap<NaiveDate, u64> = BTreeMap::new();
        for (key, counts) in &self.buckets {
            if (first..=last).contains(&key.day) && key.matches(&query.dimensions) {
                let count = counts.get(&query.metric).copied().unwrap_or(0);
                let total = totals.entry(key.day).or_default();
                *total = total.saturating_add(count);
            }
        }
        Ok((0..days)
            .filter_map(|offset| first.checked_add_days(Days::new(offset)))
            .map(|day| {
                let midnight = day.and_time(NaiveTime::MIN).and_utc();
                (midnight, totals.get(&day).copied().unwrap_or(0))
            })
            .collect())
    }
}

/// What one recipient of an accepted send counts, per the SES mailbox simulator:
/// `bounce@` (and `suppressionlist@`) bounce permanently, `complaint@` is delivered and
/// complains, every other address (simulator or not) is delivered. A `+label` after the
/// local part is ignored, as SES does.
pub(super) fn recipient_metrics(recipient: &str) -> &'static [Metric] {
    const DELIVERED: &[Metric] = &[Metric::Send, Metric::Delivery];
    const BOUNCED: &[Metric] = &[Metric::Send, Metric::PermanentBounce];
    const COMPLAINED: &[Metric] = &[
        Metric::Send,
        Metric::Delivery,
        Metric::Complaint,
        Metric::DeliveryComplaint,
    ];

    let recipient = recipient.to_ascii_lowercase();
    let Some((local, domain)) = recipient.rsplit_once('@') else {
        return DELIVERED;
    };
    if domain != SIMULATOR_DOMAIN {
        return DELIVERED;
    }
    let mailbox = local
        .split_once('+')
        .map_or(local, |(mailbox, _label)| mailbox);
    match mailbox {
        "bounce" | "suppressionlist" => BOUNCED,
        "complaint" => COMPLAINED,
        _ => DELIVERED,
    }
}

impl RegionState {
    /// `BatchGetMetricData` for one query.
    ///
    /// # Errors
    /// `BadRequestException` for an empty or over-long window.
    pub(crate) fn metric_data(
        &self,
        query: &MetricQuery,
    ) -> Result<Vec<(DateTime<Utc>, u64)>, SesError> {
        self.metrics.daily(query)
    }

    /// Adds counts to a tenant's metrics for today (control API), under the tenant name
    /// dimension only.
    ///
    /// # Errors
    /// `NotFoundException` for an unknown tenant.
    pub(crate) fn add_tenant_metric_counts(
        &mut self,
        tenant_name: &str,
        counts: &[(Metric, u64)],
    ) -> Result<(), SesError> {
        self.tenant(tenant_name)?;
        let now = Utc::now();
        let dimensions = Dimensions {
            tenant: Some(tenant_name),
            ..Dimensions::default()
        };
        for &(metric, count) in counts {
            self.metrics.add(now, dimensions, metric, count);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(
        metric: Metric,
        tenant: &str,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> MetricQuery {
        MetricQuery {
            metric,
            dimensions: BTreeMap::from([(MetricDimensionName::TenantName, tenant.to_owned())]),
            start,
            end,
        }
    }

    #[test]
    fn the_simulator_decides_each_recipients_fate() {
        assert_eq!(
            recipient_metrics("bounce+x@simulator.amazonses.com"),
            [Metric::Send, Metric::PermanentBounce]
        );
        assert!(
            recipient_metrics("complaint@simulator.amazonses.com").contains(&Metric::Complaint)
        );
        assert_eq!(
            recipient_metrics("success@simulator.amazonses.com"),
            [Metric::Send, Metric::Delivery]
        );
        assert_eq!(
            recipient_metrics("someone@example.com"),
            [Metric::Send, Metric::Delivery]
        );
    }

    #[test]
    fn counts_add_up_per_day_and_dimension() {
        let mut store = MetricStore::default();
        let now = Utc::now();
        let tenant = |name| Dimensions {
            tenant: Some(name),
            ..Dimensions::default()
        };
        store.add(now, tenant("a"), Metric::Send, 3);
        store.add(now, tenant("a"), Metric::Send, 2);
        store.add(now, tenant("b"), Metric::Send, 7);

        let points = store
            .daily(&query(
                Metric::Send,
                "a",
                now - TimeDelta::days(1),
                now + TimeDelta::minutes(1),
            ))
            .unwrap();
        assert_eq!(points.len(), 2);
        assert_eq!(points.iter().map(|(_, value)| value).sum::<u64>(), 5);
        assert_eq!(
            points[1].0,
            now.date_naive().and_time(NaiveTime::MIN).and_utc()
        );
    }

    #[test]
    fn a_window_ending_at_midnight_excludes_that_day() {
        let store = MetricStore::default();
        let midnight = Utc::now().date_naive().and_time(NaiveTime::MIN).and_utc();
        let points = store
            .daily(&query(
                Metric::Send,
                "a",
                midnight - TimeDelta::days(1),
                midnight,
            ))
            .unwrap();
        assert_eq!(points.len(), 1);
    }

    #[test]
    fn an_inverted_or_huge_window_is_rejected() {
        let store = MetricStore::default();
        let now = Utc::now();
        assert!(store.daily(&query(Metric::Send, "a", now, now)).is_err());
        assert!(
            store
                .daily(&query(Metric::Send, "a", now - TimeDelta::days(400), now))
                .is_err()
        );
    }
}
