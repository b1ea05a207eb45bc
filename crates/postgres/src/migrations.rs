//! The schema: creating the database when it is missing and applying the migrations
//! embedded from `migrations/`, safely from several processes at once.

use diesel::RunQueryDsl as _;
use diesel::connection::Connection as _;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use url::Url;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Serialises migration runs of concurrently starting replicas (an arbitrary constant,
/// "ph-migr" in ASCII).
const MIGRATION_LOCK_KEY: i64 = 0x0070_682d_6d69_6772;

/// Why the database could not be created or brought up to date.
#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    /// `DATABASE_URL` is not a usable PostgreSQL URL.
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// The server could not be reached.
    #[error("could not connect to PostgreSQL")]
    Connect(#[source] diesel::ConnectionError),
    /// A statement failed.
    #[error("database setup failed")]
    Query(#[source] diesel::result::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// The blocking task running the migrations died.
    #[error("migration task failed")]
    Task(#[source] tokio::task::JoinError),
}

/// Creates the database named in `database_url` if the server does not have it yet,
/// connecting to the server's `postgres` database to do so.
///
/// # Errors
/// [`MigrationError`] when the URL is malformed, the server cannot be reached, or the
/// database cannot be created.
pub async fn ensure_database_exists(database_url: &str) -> Result<(), MigrationError> {
    let (admin_url, name) = split_database_url(database_url)?;
    let quoted = quote_identifier(&name);
    run_blocking(move || {
        let mut admin = connect_blocking(&admin_url)?;
        let exists = diesel::dsl::select(diesel::dsl::exists(
            pg_database::table.filter(pg_database::datname.eq(&name)),
        ))
        .get_result::<bool>(&mut admin)
        .map_err(MigrationError::Query)?;
        if exists {
            return Ok(());
        }
        match diesel::sql_query(format!("CREATE DATABASE {quoted}")).execute(&mut admin) {
            Ok(_) => {
                tracing::info!(database = %name, "created database");
                Ok(())
            }
            // Another replica created it between our check and our CREATE.
            Err(error) if is_duplicate_database(&error) => Ok(()),
            Err(error) => Err(MigrationError::Query(error)),
        }
    })
    .await
}

/// Applies every pending migration. Replicas starting together take turns through an
/// advisory lock, so each migration runs once.
///
/// # Errors
/// [`MigrationError`] when the database cannot be reached or a migration fails.
pub async fn run_migrations(database_url: &str) -> Result<(), MigrationError> {
    let url = database_url.to_owned();
    run_blocking(move || {
        let mut conn = connect_blocking(&url)?;
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            .execute(&mut conn)
            .map_err(MigrationError::Query)?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.len())
            .map_err(|error| MigrationError::Migration(error.to_string()));
        // The lock is also released when the connection closes, which follows at once.
        let _ = diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
            .execute(&mut conn);
        let applied = applied?;
        if applied > 0 {
            tracing::info!(applied, "applied database migrations");
        }
        Ok(())
    })
    .await
}

type BlockingConnection = AsyncConnectionWrapper<AsyncPgConnection>;

fn connect_blocking(url: &str) -> Result<BlockingConnection, MigrationError> {
    BlockingConnection::establish(url).map_err(MigrationError::Connect)
}

/// Diesel's migration harness is synchronous: run it off the async workers.
async fn run_blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, MigrationError> + Send + 'static,
) -> Result<T, MigrationError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(MigrationError::Task)?
}

/// Splits `postgres://host/name` into the server's `postgres` database URL and `name`.
pub(crate) fn split_database_url(database_url: &str) -> Result<(String, String), MigrationError> {
    let invalid = || MigrationError::InvalidUrl(redact(database_url));
    let mut url = Url::parse(database_url).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(invalid());
    }
    let name = url.path().trim_start_matches('/').to_owned();
    if name.is_empty() || name.contains('/') {
        return Err(invalid());
    }
    url.set_path("/postgres");
    Ok((url.to_string(), name))
}

/// The URL without its password, for error messages.
fn redact(database_url: &str) -> String {
    match Url::parse(database_url) {
        Ok(mut url) => {
            if url.password().is_some() {
                let _ = url.set_password(Some("***"));
            }
            url.to_string()
        }
        Err(_) => "<unparseable>".to_owned(),
    }
}

pub(crate) fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn is_duplicate_database(error: &diesel::result::Error) -> bool {
    match error {
        diesel::result::Error::DatabaseError(kind, info) => {
            // 42P04 duplicate_database, or the catalogue's unique index under a race.
            matches!(kind, diesel::result::DatabaseErrorKind::UniqueViolation)
                || info.message().contains("already exists")
        }
        _ => false,
    }
}

use diesel::{ExpressionMethods as _, QueryDsl as _};

diesel::table! {
    pg_database (datname) {
        datname -> Text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_database_name_from_the_server_url() {
        let (admin, name) =
            split_database_url("postgres://postgres:pw@127.0.0.1:5432/posthawk?sslmode=disable")
                .unwrap();
        assert_eq!(
            admin,
            "postgres://postgres:pw@127.0.0.1:5432/postgres?sslmode=disable"
        );
        assert_eq!(name, "posthawk");
    }

    #[test]
    fn refuses_urls_without_a_database_or_of_another_scheme() {
        for bad in [
            "postgres://127.0.0.1:5432",
            "postgres://127.0.0.1/",
            "mysql://h/db",
            "nope",
        ] {
            assert!(split_database_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn error_messages_never_show_the_password() {
        let error = split_database_url("mysql://user:secret@h/db").unwrap_err();
        assert!(!error.to_string().contains("secret"), "{error}");
    }

    #[test]
    fn identifiers_are_quoted_safely() {
        assert_eq!(quote_identifier(r#"we"ird"#), r#""we""ird""#);
    }
}
