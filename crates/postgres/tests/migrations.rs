//! Database creation and migrations against a real PostgreSQL.
#![allow(clippy::unwrap_used, reason = "test helpers fail loudly")]

use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
use posthawk_postgres::testing::TestDatabase;
use posthawk_postgres::{ensure_database_exists, run_migrations};

#[tokio::test]
async fn migrations_run_concurrently_apply_once_and_rerun_as_no_ops() {
    let db = TestDatabase::new().await;
    let runs = (0..4).map(|_| run_migrations(db.url()));
    for result in futures::future::join_all(runs).await {
        result.unwrap();
    }
    db.store().ping().await.unwrap();
}

#[tokio::test]
async fn a_missing_database_is_created_and_an_existing_one_left_alone() {
    let db = TestDatabase::new().await;
    // A sibling database name on the same server that does not exist yet.
    let missing_url = format!("{}_created", db.url());
    let name = missing_url.rsplit('/').next().unwrap().to_owned();

    let concurrent = (0..3).map(|_| ensure_database_exists(&missing_url));
    for result in futures::future::join_all(concurrent).await {
        result.unwrap();
    }
    ensure_database_exists(&missing_url).await.unwrap();
    run_migrations(&missing_url).await.unwrap();

    let mut admin = AsyncPgConnection::establish(db.url()).await.unwrap();
    diesel::sql_query(format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .unwrap();
}
