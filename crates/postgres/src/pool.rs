//! The connection pool: bounded waits so an exhausted or unreachable database turns
//! into a prompt "unavailable" instead of a hung request.

use std::time::Duration;

use deadpool::Runtime;
use deadpool::managed::Timeouts;
use diesel::{ConnectionError, ConnectionResult};
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use futures::future::{BoxFuture, FutureExt as _};

/// A pool of async PostgreSQL connections.
pub type PgPool = Pool<AsyncPgConnection>;

/// Pool sizing and waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    /// Connections at most.
    pub max_size: usize,
    /// How long a request waits for a free connection before the store is "unavailable".
    pub wait_timeout: Duration,
    /// How long opening a new connection may take.
    pub connect_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        Self {
            max_size: 16,
            wait_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// Opens a connection from a task on `home`, where its socket is then driven. When the
/// pool stops waiting (its create timeout), the attempt is abandoned with it: a server
/// that accepts TCP but never answers must not collect half-open connections.
fn open_on(
    home: tokio::runtime::Handle,
    url: String,
) -> BoxFuture<'static, ConnectionResult<AsyncPgConnection>> {
    async move {
        let mut opening =
            AbortOnDrop(home.spawn(async move { AsyncPgConnection::establish(&url).await }));
        (&mut opening.0).await.map_err(|task| {
            ConnectionError::BadConnection(format!("opening a connection: {task}"))
        })?
    }
    .boxed()
}

struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The pool could not be built (a configuration error, not an outage).
#[derive(Debug, thiserror::Error)]
#[error("could not build the database pool")]
pub struct PoolSetupError(#[source] deadpool::managed::BuildError);

/// A pool for `database_url`. Connections open lazily, so this succeeds while the
/// database is down; the first query then reports it.
///
/// Called inside a Tokio runtime, the pool opens every connection on that runtime, which
/// then also reads and writes its socket, whoever checks the connection out later.
/// Otherwise a connection would live on the runtime of its first user: under actix-web,
/// one HTTP worker's single-threaded runtime, and every other user's queries on it would
/// wait whenever that worker's event loop is busy or blocked.
///
/// # Errors
/// [`PoolSetupError`] when the configuration is unusable.
pub fn connect(database_url: &str, config: PoolConfig) -> Result<PgPool, PoolSetupError> {
    let mut manager_config = ManagerConfig::<AsyncPgConnection>::default();
    // `Verified` would add a round trip to every checkout; a dead connection instead
    // fails its query, is dropped by the pool, and the next checkout opens a new one.
    manager_config.recycling_method = RecyclingMethod::Fast;
    if let Ok(home) = tokio::runtime::Handle::try_current() {
        manager_config.custom_setup = Box::new(move |url| open_on(home.clone(), url.to_owned()));
    }
    let manager =
        AsyncDieselConnectionManager::new_with_config(database_url.to_owned(), manager_config);
    Pool::builder(manager)
        .max_size(config.max_size)
        .runtime(Runtime::Tokio1)
        .timeouts(Timeouts {
            wait: Some(config.wait_timeout),
            create: Some(config.connect_timeout),
            recycle: Some(config.connect_timeout),
        })
        .build()
        .map_err(PoolSetupError)
}
