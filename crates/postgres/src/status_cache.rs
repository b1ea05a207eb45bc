//! A per-process cache of the status read ([`TenantStore::regions_of_workspace`], what
//! `GET /tenants/status` shows), kept coherent with PostgreSQL by `LISTEN/NOTIFY`.
//!
//! Why it exists: dashboards poll that endpoint, and two indexed statements per request
//! are what capped it at half its throughput target (`docs/benchmarks.md`). Why it can
//! be trusted:
//!
//! - triggers on `tenants` and `domains` announce every change to a row the read
//!   returns on [`CHANNEL`], with the workspace id, whoever writes it (another replica,
//!   the `reconcile` command, an operator in psql); [`follow_status_changes`] evicts it,
//!   typically within a millisecond of the commit;
//! - this process's own writes evict synchronously after their commit, so a client
//!   reads its own write at once (`POST /domains`, then `GET /tenants/status`);
//! - while the listener is not connected the cache is empty and bypassed; a connection
//!   that dies silently, or stops delivering notifications, is noticed by a heartbeat
//!   (a notification to itself) within 10 s;
//! - a read that overlapped an eviction of its workspace is not stored (see [`Ticket`]);
//! - entries expire after a TTL anyway: the bound should a notification ever be lost.
//!   Each lives a random 50-100% of it, so that entries filled together (after a
//!   restart, say) do not all expire, and all go to PostgreSQL, in the same instant.
//!
//! [`TenantStore::regions_of_workspace`]: posthawk_domain::ports::TenantStore::regions_of_workspace

use std::collections::HashMap;
use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context as _, anyhow};
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _};
use futures::StreamExt as _;
use posthawk_domain::WorkspaceId;
use posthawk_domain::ports::RegionSummary;
use uuid::Uuid;

/// The channel the migrations' triggers notify, with a workspace id or `*` (everything).
pub const CHANNEL: &str = "workspace_status_changed";

/// `application_name` of the listening connection, so operators can find it in
/// `pg_stat_activity`.
pub const LISTENER_APPLICATION_NAME: &str = "posthawk-status-listener";

const LOOKUPS: &str = "status_cache_lookups_total";
const LISTENER_UP: &str = "status_cache_listener_up";

/// How long the listening connection may be silent before it is checked, and how long
/// the check (or connecting) may take before the connection is given up.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// Payload of the listeners' heartbeat notifications (never a workspace id).
const HEARTBEAT_PAYLOAD: &str = "heartbeat";
const RECONNECT_DELAY_MIN: Duration = Duration::from_millis(100);
const RECONNECT_DELAY_MAX: Duration = Duration::from_secs(10);

/// Sizing of a [`StatusCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusCacheConfig {
    /// How long an entry may be served without a notification evicting it (each entry
    /// gets a random 50-100% of it).
    pub ttl: Duration,
    /// Workspaces held at most.
    pub capacity: usize,
}

impl Default for StatusCacheConfig {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(30),
            capacity: 50_000,
        }
    }
}

/// The cached status reads of one process; share it (`Arc`) between the
/// [`PgStore`](crate::PgStore)s of the process and [`follow_status_changes`].
#[derive(Debug)]
pub struct StatusCache {
    config: StatusCacheConfig,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Whether the listener is connected; entries are only served and stored while it is.
    live: bool,
    /// Source of [`Ticket`] numbers.
    tickets: u64,
    slots: HashMap<WorkspaceId, Slot>,
}

#[derive(Debug)]
enum Slot {
    /// A read is in flight under this ticket number; it may fill the slot if nothing
    /// evicts the workspace meanwhile (an eviction removes the slot).
    Reading { ticket: u64, since: Instant },
    /// A read's result, served until it expires or is evicted.
    Filled {
        summaries: Arc<[RegionSummary]>,
        expires_at: Instant,
    },
}

impl Slot {
    fn is_current(&self, now: Instant, ttl: Duration) -> bool {
        match self {
            Self::Filled { expires_at, .. } => now < *expires_at,
            // A reader that failed never comes back; its placeholder goes with age.
            Self::Reading { since, .. } => now.saturating_duration_since(*since) < ttl,
        }
    }
}

/// Taken before reading PostgreSQL, handed back to [`StatusCache::store`] with the
/// result: if the workspace was evicted in between (its [`Slot::Reading`] gone), the
/// result may predate that change and is not stored.
#[derive(Debug)]
pub(crate) struct Ticket(u64);

/// What the cache has for a workspace.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// A fresh entry.
    Hit(Arc<[RegionSummary]>),
    /// Nothing usable: read PostgreSQL and store the result with this ticket.
    Miss(Ticket),
    /// The listener is down: read PostgreSQL and keep nothing.
    Bypass,
}

impl StatusCache {
    /// An empty cache, bypassed until [`follow_status_changes`] has connected.
    #[must_use]
    pub fn new(config: StatusCacheConfig) -> Self {
        Self {
            config,
            state: Mutex::new(State::default()),
        }
    }

    /// Whether entries are being served (the listener is connected).
    #[must_use]
    pub fn is_live(&self) -> bool {
        self.state().live
    }

    /// Forgets `workspace`'s entry, and makes its reads in flight unstorable.
    pub fn invalidate(&self, workspace: WorkspaceId) {
        let evicted = self.state().slots.remove(&workspace);
        drop(evicted);
    }

    /// Forgets every entry, and makes every read in flight unstorable.
    pub fn invalidate_all(&self) {
        self.reset(None);
    }

    pub(crate) fn lookup(&self, workspace: WorkspaceId) -> Lookup {
        let lookup = self.lookup_at(workspace, Instant::now());
        let outcome = match lookup {
            Lookup::Hit(_) => "hit",
            Lookup::Miss(_) => "miss",
            Lookup::Bypass => "bypass",
        };
        metrics::counter!(LOOKUPS, "outcome" => outcome).increment(1);
        lookup
    }

    fn lookup_at(&self, workspace: WorkspaceId, now: Instant) -> Lookup {
        if self.config.capacity == 0 {
            return Lookup::Bypass;
        }
        let mut dropped = None;
        let lookup = {
            let mut state = self.state();
            if !state.live {
                return Lookup::Bypass;
            }
            if let Some(Slot::Filled {
                summaries,
                expires_at,
            }) = state.slots.get(&workspace)
                && now < *expires_at
            {
                return Lookup::Hit(summaries.clone());
            }
            if state.slots.len() >= self.config.capacity && !state.slots.contains_key(&workspace) {
                dropped = Some(self.make_room(&mut state, now));
            }
            state.tickets += 1;
            let ticket = state.tickets;
            // A read already in flight for the workspace loses its claim: either result
            // is as good, and only one needs keeping.
            state
                .slots
                .insert(workspace, Slot::Reading { ticket, since: now });
            Lookup::Miss(Ticket(ticket))
        };
        drop(dropped);
        lookup
    }

    /// Frees slots when the cache is full: the stale ones, or else all of them rather
    /// than pay for an LRU on the hot path (the next reads refill what is actually
    /// polled). Returns what was removed, to be dropped once the lock is released.
    fn make_room(&self, state: &mut State, now: Instant) -> HashMap<WorkspaceId, Slot> {
        let ttl = self.config.ttl;
        let (current, stale) = std::mem::take(&mut state.slots)
            .into_iter()
            .partition::<HashMap<_, _>, _>(|(_, slot)| slot.is_current(now, ttl));
        if current.len() < self.config.capacity {
            state.slots = current;
            stale
        } else {
            current
        }
    }

    /// Keeps `summaries`, read after `ticket` was taken, unless the workspace was evicted
    /// meanwhile or the listener went down.
    pub(crate) fn store(
        &self,
        workspace: WorkspaceId,
        ticket: Ticket,
        summaries: &[RegionSummary],
    ) {
        // Never longer than the TTL, so mul_f64 cannot overflow.
        let lifetime = self.config.ttl.mul_f64(rand::random_range(0.5..=1.0));
        self.store_for(workspace, ticket, summaries, lifetime);
    }

    fn store_for(
        &self,
        workspace: WorkspaceId,
        ticket: Ticket,
        summaries: &[RegionSummary],
        lifetime: Duration,
    ) {
        let summaries: Arc<[RegionSummary]> = summaries.into();
        let mut state = self.state();
        if let Some(slot) = state.slots.get_mut(&workspace)
            && let Slot::Reading {
                ticket: claim,
                since,
            } = *slot
            && claim == ticket.0
        {
            // The TTL counts from when the read began.
            *slot = match since.checked_add(lifetime) {
                Some(expires_at) => Slot::Filled {
                    summaries,
                    expires_at,
                },
                None => return,
            };
        }
    }

    /// The listener is listening: from now on every change is announced.
    fn go_live(&self) {
        // Reads that began before LISTEN may have missed a change: not storable.
        self.reset(Some(true));
    }

    /// The listener lost its connection: changes may go unannounced until it is back.
    fn go_offline(&self) {
        self.reset(Some(false));
    }

    /// Empties the cache (in-flight reads included), setting `live` if given. The
    /// entries are dropped after the lock is released, not while requests wait on it.
    fn reset(&self, live: Option<bool>) {
        let evicted = {
            let mut state = self.state();
            if let Some(live) = live {
                state.live = live;
                metrics::gauge!(LISTENER_UP).set(if live { 1.0 } else { 0.0 });
            }
            std::mem::take(&mut state.slots)
        };
        drop(evicted);
    }

    fn apply(&self, payload: &str) {
        if payload == HEARTBEAT_PAYLOAD {
            return;
        }
        match Uuid::parse_str(payload) {
            Ok(workspace) => self.invalidate(WorkspaceId::from_uuid(workspace)),
            // `*` (a TRUNCATE) or anything unexpected: drop everything rather than guess.
            Err(_) => self.invalidate_all(),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // Every critical section leaves the state consistent, so a panic elsewhere while
        // holding the lock does not make it unusable.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Registers the descriptions of the cache's metrics with the installed recorder.
pub(crate) fn describe_metrics() {
    metrics::describe_counter!(
        LOOKUPS,
        "Status reads by cache outcome: hit, miss (read from PostgreSQL), bypass (listener down)."
    );
    metrics::describe_gauge!(
        LISTENER_UP,
        "1 while the status cache's LISTEN connection is up (the cache is in use), else 0."
    );
}

/// Keeps `cache` coherent until `shutdown` completes: holds a connection of its own to
/// `database_url` that listens on [`CHANNEL`] and evicts what each notification names.
/// After [`HEARTBEAT`] of silence it notifies itself and expects the echo within as
/// long again, which proves the connection still delivers notifications; when it does
/// not, or the connection fails, the cache is emptied and bypassed and the listener
/// reconnects, backing off up to 10 s.
///
/// The connection must be a session of its own: `LISTEN` does not work through a
/// transaction-pooling proxy such as PgBouncer in transaction mode (the missing echo
/// then keeps the cache bypassed).
pub async fn follow_status_changes(
    database_url: &str,
    cache: &StatusCache,
    shutdown: impl Future<Output = ()>,
) {
    metrics::gauge!(LISTENER_UP).set(0.0);
    let mut shutdown = pin!(shutdown);
    let mut delay = RECONNECT_DELAY_MIN;
    loop {
        let started = Instant::now();
        let session = async {
            let mut conn = listening_connection(database_url).await?;
            cache.go_live();
            tracing::info!(channel = CHANNEL, "status cache listening");
            Err::<(), _>(follow(&mut conn, cache).await)
        };
        let ended = tokio::select! {
            () = &mut shutdown => None,
            ended = session => ended.err(),
        };
        cache.go_offline();
        let Some(error) = ended else { return };
        // A session that held up for a while starts the backoff over; one that failed
        // at once (a flapping database) does not.
        delay = if started.elapsed() > 2 * HEARTBEAT {
            RECONNECT_DELAY_MIN
        } else {
            (delay * 2).min(RECONNECT_DELAY_MAX)
        };
        tracing::warn!(error = format!("{error:#}"), retry_in = ?delay, "status cache listener down; reads bypass the cache");
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(delay) => {}
        }
    }
}

async fn listening_connection(database_url: &str) -> anyhow::Result<AsyncPgConnection> {
    let connect = async {
        let mut conn = AsyncPgConnection::establish(database_url).await?;
        diesel::sql_query(format!(
            "SET application_name = '{LISTENER_APPLICATION_NAME}'"
        ))
        .execute(&mut conn)
        .await?;
        diesel::sql_query(format!("LISTEN {CHANNEL}"))
            .execute(&mut conn)
            .await?;
        Ok::<_, anyhow::Error>(conn)
    };
    tokio::time::timeout(HEARTBEAT, connect)
        .await
        .context("connecting the status listener timed out")?
        .context("connecting the status listener")
}

/// Applies notifications until the connection fails or stops delivering; returns why.
/// Any notification that arrives, its own heartbeat's echo or another's, proves delivery.
async fn follow(conn: &mut AsyncPgConnection, cache: &StatusCache) -> anyhow::Error {
    let mut echo_due_by: Option<Instant> = None;
    loop {
        let wait = echo_due_by.map_or(HEARTBEAT, |due| {
            due.saturating_duration_since(Instant::now())
        });
        // The stream reads a channel the connection's driver task fills, so dropping
        // it between notifications loses nothing.
        let next = {
            let mut notifications = pin!(conn.notifications_stream());
            tokio::time::timeout(wait, notifications.next()).await
        };
        match next {
            Ok(Some(Ok(notification))) => {
                echo_due_by = None;
                cache.apply(&notification.payload);
            }
            Ok(Some(Err(error))) => return anyhow::Error::new(error).context("listening"),
            Ok(None) => return anyhow!("the listening connection closed"),
            Err(_) if echo_due_by.is_some() => {
                return anyhow!(
                    "the heartbeat notification did not come back within {HEARTBEAT:?}"
                );
            }
            Err(_silence) => {
                let sent = diesel::sql_query("SELECT pg_notify($1, $2)")
                    .bind::<Text, _>(CHANNEL)
                    .bind::<Text, _>(HEARTBEAT_PAYLOAD)
                    .execute(conn);
                match tokio::time::timeout(HEARTBEAT, sent).await {
                    Ok(Ok(_)) => echo_due_by = Some(Instant::now() + HEARTBEAT),
                    Ok(Err(error)) => return anyhow::Error::new(error).context("heartbeat"),
                    Err(_) => return anyhow!("the heartbeat query timed out"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, reason = "tests")]

    use posthawk_domain::Region;

    use super::*;

    const TTL: Duration = Duration::from_secs(10);

    fn cache(capacity: usize) -> StatusCache {
        let cache = StatusCache::new(StatusCacheConfig { ttl: TTL, capacity });
        cache.go_live();
        cache
    }

    fn workspace(n: u128) -> WorkspaceId {
        WorkspaceId::from_uuid(Uuid::from_u128(n))
    }

    fn summaries(domain_count: u32) -> Vec<RegionSummary> {
        vec![RegionSummary {
            region: Region::parse("us-east-1").unwrap(),
            domain_count,
            tenant: None,
        }]
    }

    /// Stores with the full TTL, for exact expiry times.
    fn store(cache: &StatusCache, ws: WorkspaceId, ticket: Ticket, summaries: &[RegionSummary]) {
        cache.store_for(ws, ticket, summaries, TTL);
    }

    /// A miss at `now` whose read comes back with `summaries`, stored with the full TTL.
    fn fill(cache: &StatusCache, ws: WorkspaceId, now: Instant, summaries: &[RegionSummary]) {
        let ticket = ticket(cache, ws, now);
        store(cache, ws, ticket, summaries);
    }

    fn ticket(cache: &StatusCache, ws: WorkspaceId, now: Instant) -> Ticket {
        match cache.lookup_at(ws, now) {
            Lookup::Miss(ticket) => ticket,
            other => panic!("expected a miss, got {other:?}"),
        }
    }

    fn hit(cache: &StatusCache, ws: WorkspaceId, now: Instant) -> Option<Vec<RegionSummary>> {
        match cache.lookup_at(ws, now) {
            Lookup::Hit(summaries) => Some(summaries.to_vec()),
            Lookup::Miss(_) => None,
            Lookup::Bypass => panic!("unexpected bypass"),
        }
    }

    #[test]
    fn a_stored_read_is_served_until_its_ttl() {
        let cache = cache(10);
        let now = Instant::now();
        fill(&cache, workspace(1), now, &summaries(2));

        assert_eq!(hit(&cache, workspace(1), now), Some(summaries(2)));
        let almost = now + TTL - Duration::from_millis(1);
        assert_eq!(hit(&cache, workspace(1), almost), Some(summaries(2)));
        assert_eq!(hit(&cache, workspace(1), now + TTL), None);
        assert_eq!(hit(&cache, workspace(2), now), None);
    }

    #[test]
    fn invalidating_a_workspace_evicts_only_it() {
        let cache = cache(10);
        let now = Instant::now();
        for n in [1, 2] {
            fill(&cache, workspace(n), now, &summaries(1));
        }

        cache.invalidate(workspace(1));

        assert_eq!(hit(&cache, workspace(1), now), None);
        assert_eq!(hit(&cache, workspace(2), now), Some(summaries(1)));
    }

    #[test]
    fn a_read_that_overlapped_an_eviction_is_not_stored() {
        let cache = cache(10);
        let now = Instant::now();
        let stale = ticket(&cache, workspace(1), now);
        // The change commits and is announced while the read is in flight.
        cache.invalidate(workspace(1));
        store(&cache, workspace(1), stale, &summaries(1));

        assert_eq!(hit(&cache, workspace(1), now), None);
    }

    #[test]
    fn an_eviction_of_another_workspace_does_not_stop_a_read_from_being_stored() {
        let cache = cache(10);
        let now = Instant::now();
        let in_flight = ticket(&cache, workspace(1), now);
        cache.invalidate(workspace(2));
        store(&cache, workspace(1), in_flight, &summaries(1));

        assert_eq!(hit(&cache, workspace(1), now), Some(summaries(1)));
    }

    #[test]
    fn of_two_reads_in_flight_for_a_workspace_the_later_one_is_kept() {
        let cache = cache(10);
        let now = Instant::now();
        let first = ticket(&cache, workspace(1), now);
        let second = ticket(&cache, workspace(1), now);
        store(&cache, workspace(1), first, &summaries(1));
        assert_eq!(
            hit(&cache, workspace(1), now),
            None,
            "the first lost its claim"
        );

        let third = ticket(&cache, workspace(1), now);
        store(&cache, workspace(1), second, &summaries(2));
        store(&cache, workspace(1), third, &summaries(3));
        assert_eq!(hit(&cache, workspace(1), now), Some(summaries(3)));
    }

    #[test]
    fn a_ttl_too_long_to_compute_stores_nothing_rather_than_panic() {
        let cache = cache(10);
        let now = Instant::now();
        let ticket = ticket(&cache, workspace(1), now);
        cache.store_for(workspace(1), ticket, &summaries(1), Duration::MAX);

        assert_eq!(hit(&cache, workspace(1), now), None);
    }

    #[test]
    fn invalidating_everything_evicts_every_workspace() {
        let cache = cache(10);
        let now = Instant::now();
        for n in [1, 2] {
            fill(&cache, workspace(n), now, &summaries(1));
        }

        cache.apply("*");

        assert_eq!(hit(&cache, workspace(1), now), None);
        assert_eq!(hit(&cache, workspace(2), now), None);
    }

    #[test]
    fn a_notification_evicts_the_workspace_it_names() {
        let cache = cache(10);
        let now = Instant::now();
        for n in [1, 2] {
            fill(&cache, workspace(n), now, &summaries(1));
        }

        cache.apply(&Uuid::from_u128(2).to_string());

        assert_eq!(hit(&cache, workspace(1), now), Some(summaries(1)));
        assert_eq!(hit(&cache, workspace(2), now), None);
    }

    #[test]
    fn a_heartbeat_evicts_nothing() {
        let cache = cache(10);
        let now = Instant::now();
        fill(&cache, workspace(1), now, &summaries(1));

        cache.apply(HEARTBEAT_PAYLOAD);

        assert_eq!(hit(&cache, workspace(1), now), Some(summaries(1)));
    }

    #[test]
    fn nothing_is_served_or_stored_while_the_listener_is_down() {
        let cache = cache(10);
        let now = Instant::now();
        fill(&cache, workspace(1), now, &summaries(1));
        let in_flight = ticket(&cache, workspace(2), now);

        cache.go_offline();

        assert!(matches!(cache.lookup_at(workspace(1), now), Lookup::Bypass));
        store(&cache, workspace(2), in_flight, &summaries(1));
        cache.go_live();
        assert_eq!(
            hit(&cache, workspace(1), now),
            None,
            "emptied when it went down"
        );
        assert_eq!(
            hit(&cache, workspace(2), now),
            None,
            "a read from before was dropped"
        );
    }

    #[test]
    fn a_new_cache_is_bypassed_until_the_listener_connects() {
        let cache = StatusCache::new(StatusCacheConfig::default());

        assert!(!cache.is_live());
        assert!(matches!(
            cache.lookup_at(workspace(1), Instant::now()),
            Lookup::Bypass
        ));
    }

    #[test]
    fn a_full_cache_makes_room_from_expired_entries_first() {
        let cache = cache(2);
        let start = Instant::now();
        fill(&cache, workspace(1), start, &summaries(1));
        let later = start + TTL / 2;
        fill(&cache, workspace(2), later, &summaries(2));

        let now = start + TTL;
        fill(&cache, workspace(3), now, &summaries(3));

        assert_eq!(hit(&cache, workspace(2), now), Some(summaries(2)));
        assert_eq!(hit(&cache, workspace(3), now), Some(summaries(3)));
    }

    #[test]
    fn a_cache_full_of_fresh_entries_never_grows_past_its_capacity() {
        let cache = cache(2);
        let now = Instant::now();
        for n in 1..=5 {
            fill(&cache, workspace(n), now, &summaries(1));
            assert!(cache.state().slots.len() <= 2);
        }
        assert_eq!(hit(&cache, workspace(5), now), Some(summaries(1)));
    }

    #[test]
    fn entries_filled_together_expire_spread_over_the_second_half_of_the_ttl() {
        let cache = cache(1000);
        let filled = Instant::now();
        for n in 0..200 {
            let ticket = ticket(&cache, workspace(n), filled);
            cache.store(workspace(n), ticket, &summaries(1));
        }
        let alive_at = |fraction: f64| {
            let now = filled + TTL.mul_f64(fraction);
            (0..200)
                .filter(|n| hit(&cache, workspace(*n), now).is_some())
                .count()
        };

        assert_eq!(alive_at(0.49), 200, "none expires before half the TTL");
        let at_three_quarters = alive_at(0.75);
        assert!(
            (50..150).contains(&at_three_quarters),
            "{at_three_quarters} of 200 alive at 3/4 of the TTL"
        );
        assert_eq!(alive_at(1.0), 0, "all expired at the TTL");
    }

    #[test]
    fn a_capacity_of_zero_reads_through() {
        let cache = cache(0);

        assert!(matches!(
            cache.lookup_at(workspace(1), Instant::now()),
            Lookup::Bypass
        ));
    }
}
