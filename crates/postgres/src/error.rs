//! Translation of pool and diesel errors into the domain's [`StoreError`].

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;
use posthawk_domain::ports::StoreError;

/// A pool checkout failure: the database is out of reach or saturated.
pub(crate) fn from_pool(error: PoolError) -> StoreError {
    StoreError::Unavailable(error.into())
}

/// A query failure.
pub(crate) fn from_diesel(error: DieselError) -> StoreError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
            StoreError::Unavailable(error.into())
        }
        other => StoreError::Unexpected(other.into()),
    }
}

/// A query failure where a unique violation means `what` already exists.
pub(crate) fn unique_means(what: &'static str) -> impl FnOnce(DieselError) -> StoreError {
    unique_constraints_mean(move |_| Some(what))
}

/// A query failure where a unique violation of a constraint means what `meaning` says
/// of its name (`None`: unexpected).
pub(crate) fn unique_constraints_mean(
    meaning: impl FnOnce(&str) -> Option<&'static str>,
) -> impl FnOnce(DieselError) -> StoreError {
    move |error| match &error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            match meaning(info.constraint_name().unwrap_or_default()) {
                Some(what) => StoreError::AlreadyExists { what },
                None => from_diesel(error),
            }
        }
        _ => from_diesel(error),
    }
}
