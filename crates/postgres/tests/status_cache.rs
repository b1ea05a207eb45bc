//! The status cache against a real PostgreSQL: what it serves, what evicts it (its own
//! writes, other processes' writes through `LISTEN/NOTIFY`, a lost listener), and what
//! must not. Each test has a database of its own.
//!
//! To tell a cached answer from a fresh one, tests change rows "behind the cache's
//! back": in a session with `session_replication_role = replica`, where the triggers
//! that announce changes do not fire. A read that does not show such a change came
//! from the cache. Data a test starts from is written before the listener connects,
//! so that no notification of it can arrive late and evict what the test reads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
use posthawk_domain::ports::{DomainStore, RefreshStore, TenantStore};
use posthawk_domain::{DomainName, Region, SendingStatus, TenantName, WorkspaceId};
use posthawk_postgres::status_cache::LISTENER_APPLICATION_NAME;
use posthawk_postgres::testing::TestDatabase;
use posthawk_postgres::{PgStore, StatusCache, StatusCacheConfig, follow_status_changes};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Long enough that only an eviction can explain a fresh read within a test.
const NEVER_EXPIRES: Duration = Duration::from_secs(3600);
const PATIENCE: Duration = Duration::from_secs(10);

/// A store with a cache, its listener running, as `serve` wires them.
struct Cached {
    store: PgStore,
    cache: Arc<StatusCache>,
    stop: Option<oneshot::Sender<()>>,
    listener: Option<JoinHandle<()>>,
}

impl Cached {
    async fn start(db: &TestDatabase) -> Self {
        let cache = Arc::new(StatusCache::new(StatusCacheConfig {
            ttl: NEVER_EXPIRES,
            capacity: 100,
        }));
        let (stop, stopped) = oneshot::channel::<()>();
        let url = db.url().to_owned();
        let listening = cache.clone();
        let listener = tokio::spawn(async move {
            follow_status_changes(&url, &listening, async {
                let _ = stopped.await;
            })
            .await;
        });
        let cached = Self {
            store: db.store().with_status_cache(cache.clone()),
            cache,
            stop: Some(stop),
            listener: Some(listener),
        };
        cached.wait_until_live().await;
        cached
    }

    async fn wait_until_live(&self) {
        tokio::time::timeout(PATIENCE, async {
            while !self.cache.is_live() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the listener connects");
    }

    /// A cache serving `ws` with one domain while the database holds two: the second
    /// was added behind its back after the first read was cached.
    async fn serving_one_of_two_domains(db: &TestDatabase, ws: WorkspaceId) -> Self {
        add_domain(&db.store(), ws).await;
        let cached = Self::start(db).await;
        assert_eq!(cached.domain_count(ws).await, 1);
        db.add_domain_unannounced(ws, "us-east-1").await;
        assert_eq!(cached.domain_count(ws).await, 1, "served from the cache");
        cached
    }

    async fn domain_count(&self, ws: WorkspaceId) -> u32 {
        domain_count(&self.store, ws).await
    }
}

async fn domain_count(store: &PgStore, ws: WorkspaceId) -> u32 {
    let summaries = store.regions_of_workspace(ws).await.unwrap();
    summaries.iter().map(|s| s.domain_count).sum()
}

/// Workspaces with distinct short tenant names.
fn workspace(n: u8) -> WorkspaceId {
    WorkspaceId::parse(&format!("{n:02x}1e0d2a-3b4c-4d5e-8f60-000000000000")).unwrap()
}

fn us_east() -> Region {
    Region::parse("us-east-1").unwrap()
}

async fn add_domain(store: &PgStore, ws: WorkspaceId) -> posthawk_domain::ports::DomainId {
    let name = format!("{}.example.com", uuid::Uuid::new_v4().simple());
    store
        .add_domain(
            ws,
            &DomainName::parse(&name).unwrap(),
            &us_east(),
            &TenantName::for_workspace(ws),
        )
        .await
        .unwrap()
        .domain
        .id
}

async fn execute(db: &TestDatabase, statement: &str) {
    let mut conn = AsyncPgConnection::establish(db.url()).await.unwrap();
    diesel::sql_query(statement)
        .execute(&mut conn)
        .await
        .unwrap();
}

/// Polls `read` until it returns `expected`, for at most [`PATIENCE`].
async fn eventually<T, F, Fut>(expected: T, mut read: F)
where
    T: PartialEq + std::fmt::Debug,
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let outcome = tokio::time::timeout(PATIENCE, async {
        loop {
            if read().await == expected {
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await;
    assert!(outcome.is_ok(), "never read {expected:?}");
}

#[tokio::test]
async fn reads_are_served_from_the_cache_until_a_change_is_announced() {
    let db = TestDatabase::new().await;
    let ws = workspace(1);
    let cached = Cached::serving_one_of_two_domains(&db, ws).await;

    // Another replica (a store without this cache) adds a domain: only the
    // notification can tell this process.
    let other_replica = db.store();
    add_domain(&other_replica, ws).await;
    eventually(3, || cached.domain_count(ws)).await;
}

#[tokio::test]
async fn status_readings_and_removals_by_another_replica_evict() {
    let db = TestDatabase::new().await;
    let ws = workspace(2);
    let first = add_domain(&db.store(), ws).await;
    add_domain(&db.store(), ws).await;
    let cached = Cached::start(&db).await;
    let tenant = cached.store.tenant(ws, &us_east()).await.unwrap().unwrap();
    let status = |store: &PgStore| {
        let store = store.clone();
        async move {
            let summaries = store.regions_of_workspace(ws).await.unwrap();
            summaries[0].tenant.as_ref().unwrap().sending_status
        }
    };
    assert_eq!(status(&cached.store).await, SendingStatus::Disabled);

    let other_replica = db.store();
    other_replica
        .record_status(tenant.id, SendingStatus::Paused, Utc::now())
        .await
        .unwrap();
    eventually(SendingStatus::Paused, || status(&cached.store)).await;

    other_replica.remove_domain(ws, first).await.unwrap();
    eventually(1, || cached.domain_count(ws)).await;
}

#[tokio::test]
async fn this_process_reads_its_own_writes_at_once() {
    let db = TestDatabase::new().await;
    let ws = workspace(3);
    add_domain(&db.store(), ws).await;
    // No announcements at all: only the store's own eviction can show its writes.
    execute(&db, "ALTER TABLE domains DISABLE TRIGGER USER").await;
    execute(&db, "ALTER TABLE tenants DISABLE TRIGGER USER").await;
    let cached = Cached::start(&db).await;
    assert_eq!(cached.domain_count(ws).await, 1);

    let second = add_domain(&cached.store, ws).await;
    assert_eq!(cached.domain_count(ws).await, 2);
    cached.store.remove_domain(ws, second).await.unwrap();
    assert_eq!(cached.domain_count(ws).await, 1);

    db.add_domain_unannounced(ws, "us-east-1").await;
    assert_eq!(cached.domain_count(ws).await, 1, "still caching");
}

#[tokio::test]
async fn bookkeeping_writes_do_not_evict() {
    let db = TestDatabase::new().await;
    let ws = workspace(4);
    let cached = Cached::serving_one_of_two_domains(&db, ws).await;
    let tenant = cached.store.tenant(ws, &us_east()).await.unwrap().unwrap();

    // Leases, schedules and a domain becoming active change nothing the read shows.
    execute(&db, "UPDATE domains SET state = 'active'").await;
    let other_replica = db.store();
    other_replica
        .schedule_refresh(tenant.id, Utc::now() + chrono::Duration::hours(1))
        .await
        .unwrap();
    execute(
        &db,
        "UPDATE tenants SET lease_until = now(), attempts = attempts + 1, updated_at = now()",
    )
    .await;
    // Give a (wrong) notification time to arrive before looking.
    tokio::time::sleep(Duration::from_millis(200)).await;

    assert_eq!(cached.domain_count(ws).await, 1, "still cached");
}

#[tokio::test]
async fn truncating_evicts_every_workspace() {
    let db = TestDatabase::new().await;
    let (a, b) = (workspace(5), workspace(6));
    add_domain(&db.store(), a).await;
    add_domain(&db.store(), b).await;
    let cached = Cached::start(&db).await;
    assert_eq!(cached.domain_count(a).await, 1);
    assert_eq!(cached.domain_count(b).await, 1);

    execute(&db, "TRUNCATE domains").await;

    eventually(0, || cached.domain_count(a)).await;
    eventually(0, || cached.domain_count(b)).await;
}

#[tokio::test]
async fn a_lost_listener_empties_the_cache_then_reconnects_and_caching_resumes() {
    let db = TestDatabase::new().await;
    let ws = workspace(7);
    let cached = Cached::serving_one_of_two_domains(&db, ws).await;

    // Changes made while the listener is away are never announced to it.
    execute(
        &db,
        &format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = '{LISTENER_APPLICATION_NAME}' \
             AND datname = current_database()"
        ),
    )
    .await;

    eventually(2, || cached.domain_count(ws)).await;
    cached.wait_until_live().await;
    assert_eq!(cached.domain_count(ws).await, 2);
    db.add_domain_unannounced(ws, "us-east-1").await;
    assert_eq!(cached.domain_count(ws).await, 2, "caching again");
}

/// The listening connection's backend, as PostgreSQL lists it.
async fn listener_pid(db: &TestDatabase) -> Option<i32> {
    let mut conn = AsyncPgConnection::establish(db.url()).await.unwrap();
    diesel::select(diesel::dsl::sql::<
        diesel::sql_types::Nullable<diesel::sql_types::Integer>,
    >(&format!(
        "(SELECT pid FROM pg_stat_activity \
              WHERE application_name = '{LISTENER_APPLICATION_NAME}' \
              AND datname = current_database())"
    )))
    .get_result(&mut conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_quiet_listener_proves_itself_by_heartbeat_and_keeps_its_connection() {
    let db = TestDatabase::new().await;
    let cached = Cached::start(&db).await;
    let before = listener_pid(&db).await;
    assert!(before.is_some());

    // Two heartbeat periods (5 s each) without a single change to announce.
    tokio::time::sleep(Duration::from_secs(12)).await;

    assert!(cached.cache.is_live());
    assert_eq!(listener_pid(&db).await, before, "never reconnected");
}

#[tokio::test]
async fn the_listener_stops_on_shutdown() {
    let db = TestDatabase::new().await;
    let mut cached = Cached::start(&db).await;

    let _ = cached.stop.take().unwrap().send(());

    tokio::time::timeout(PATIENCE, cached.listener.take().unwrap())
        .await
        .expect("the listener stops")
        .unwrap();
    assert!(!cached.cache.is_live(), "nothing is served once it stopped");
}
