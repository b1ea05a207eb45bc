//! Translation of pool and diesel errors into the domain's [`StoreError`].

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;
use posthawk_domain::ports::StoreError;

/// A pool checkout failure: the database is out of reach or saturated.
pub(crate) fn from_pool(error: PoolError) -> StoreError {
    StoreError::Unavailable(error.into())
}

/// A query failure.
///
/// A connection found closed when the query is sent (the server restarted or failed
/// over, the network dropped it) is an outage the caller may retry, not a bug:
/// diesel-async reports it as `UnableToSendCommand` ("connection closed"), as it does
/// every client-side failure without a SQLSTATE (protocol errors too, which are as
/// transient). A backend terminated while it runs the query answers with SQLSTATE
/// 57P01/57P02 instead, which diesel does not expose, so that one is still "unexpected".
pub(crate) fn from_diesel(error: DieselError) -> StoreError {
    match error {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => StoreError::Unavailable(error.into()),
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use std::time::Duration;

    use diesel::sql_types::Integer;
    use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};

    use super::*;
    use crate::testing::TestDatabase;

    fn backend_pid() -> diesel::dsl::select<diesel::expression::SqlLiteral<Integer>> {
        diesel::select(diesel::dsl::sql::<Integer>("pg_backend_pid()"))
    }

    #[tokio::test]
    async fn a_connection_found_closed_by_a_query_means_unavailable_not_a_bug() {
        let db = TestDatabase::new().await;
        let mut victim = AsyncPgConnection::establish(db.url()).await.unwrap();
        let pid: i32 = backend_pid().get_result(&mut victim).await.unwrap();
        let mut admin = AsyncPgConnection::establish(db.url()).await.unwrap();
        diesel::sql_query(format!("SELECT pg_terminate_backend({pid})"))
            .execute(&mut admin)
            .await
            .unwrap();
        // Let the client see the socket close before it sends the next query.
        tokio::time::sleep(Duration::from_millis(200)).await;

        let error = backend_pid()
            .get_result::<i32>(&mut victim)
            .await
            .unwrap_err();
        assert!(
            matches!(from_diesel(error), StoreError::Unavailable(_)),
            "a dead connection is an outage"
        );
    }

    #[test]
    fn a_failed_statement_is_unexpected() {
        let error = DieselError::DatabaseError(
            DatabaseErrorKind::CheckViolation,
            Box::new("new row violates check constraint".to_owned()),
        );
        assert!(matches!(from_diesel(error), StoreError::Unexpected(_)));
    }
}
