//! Use cases: the operations other layers call, each with its own error type.

mod reputation;

pub use reputation::{FindingsError, ReputationQueries, TenantStatus, TenantStatusError};
