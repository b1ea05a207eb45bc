//! Use cases: the operations other layers call, each with its own error type.

mod backfill;
mod domains;
mod drift;
pub mod lifecycle;
mod reputation;
mod sending;
mod tracking;

use crate::ports::SesError;

pub use backfill::{BackfillError, BackfillReport, EventDestinationBackfill};
pub use domains::{AddDomainError, DomainError, DomainService};
pub use drift::{Drift, DriftAudit, DriftError, DriftReport};
pub use lifecycle::{LifecycleConfig, PassReport, ReconcileError, TenantLifecycle};
pub use reputation::{FindingsError, ReputationQueries, TenantStatus, TenantStatusError};
pub use sending::{SendError, SendingService};
pub use tracking::{ReputationTracker, SweepReport, TrackingConfig};

/// A create that finds the resource already there has nothing left to do.
pub(crate) fn already_done(result: Result<(), SesError>) -> Result<(), SesError> {
    match result {
        Err(SesError::AlreadyExists(_)) => Ok(()),
        other => other,
    }
}

/// A delete that finds nothing has nothing left to do.
pub(crate) fn already_gone(result: Result<(), SesError>) -> Result<(), SesError> {
    match result {
        Err(SesError::NotFound(_)) => Ok(()),
        other => other,
    }
}

/// An error and its causes on one line, for logs and stored `last_error`s.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
