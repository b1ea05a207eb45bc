//! Use cases: the operations other layers call, each with its own error type.

mod domains;
pub mod lifecycle;
mod reputation;
mod sending;

pub use domains::{AddDomainError, DomainError, DomainService};
pub use lifecycle::{LifecycleConfig, PassReport, ReconcileError, TenantLifecycle};
pub use reputation::{FindingsError, ReputationQueries, TenantStatus, TenantStatusError};
pub use sending::{SendError, SendingService};
