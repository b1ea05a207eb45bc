//! Starting and stopping the emulator: the actix-web server, its routes and its
//! configuration.

use std::future::Future;
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use actix_web::dev::ServerHandle;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use tokio::task::JoinHandle;

use crate::state::EmulatorState;
use crate::{control, ops, protocol};

/// Worker threads: the state sits behind one lock, so more would only contend.
const WORKERS: usize = 2;
/// How long a graceful stop waits for requests in flight.
const SHUTDOWN_TIMEOUT_SECS: u64 = 5;
/// SES takes raw messages of up to 40 MB; base64 adds a third.
const MAX_BODY_BYTES: usize = 54 * 1024 * 1024;

/// How the emulated SES account behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorConfig {
    /// The AWS account id in every ARN. Default `123456789012`.
    pub account_id: String,
    /// How many tenants a region holds before `CreateTenant` answers
    /// `LimitExceededException`. Default 10,000, SES's default quota.
    pub tenant_quota: usize,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            account_id: "123456789012".to_owned(),
            tenant_quota: 10_000,
        }
    }
}

/// The SES v2 emulator: an HTTP server that speaks SES's REST-JSON protocol, plus a
/// control API under `/_emulator/`.
///
/// ```no_run
/// # async fn example() -> std::io::Result<()> {
/// use posthawk_ses_emulator::{Emulator, EmulatorConfig};
///
/// let emulator = Emulator::start("127.0.0.1:0".parse().unwrap(), EmulatorConfig::default())?;
/// // Point an aws-sdk-sesv2 client at `emulator.endpoint_url()` ...
/// emulator.stop().await;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Binds `addr` (port 0 picks a free port) and serves the emulator on the current
    /// Tokio runtime until [`EmulatorHandle::stop`] or the end of the runtime.
    ///
    /// # Errors
    /// When the address cannot be bound, or when called outside a Tokio runtime.
    pub fn start(addr: SocketAddr, config: EmulatorConfig) -> io::Result<EmulatorHandle> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            io::Error::other("the SES emulator must be started inside a Tokio runtime")
        })?;
        let state = EmulatorState::new(config);
        let app_state = state.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(app_state.clone())
                .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
                .app_data(protocol::path_config())
                .wrap(from_fn(protocol::stamp_request_id))
                .configure(control::register)
                .configure(ops::register)
                .default_service(web::to(protocol::unknown_operation))
        })
        .workers(WORKERS)
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_TIMEOUT_SECS)
        .bind(addr)?;
        let addr = server
            .addrs()
            .first()
            .copied()
            .ok_or_else(|| io::Error::other("the SES emulator bound no address"))?;
        let server = server.run();
        let server_handle = server.handle();
        let task = runtime.spawn(server);
        tracing::info!(%addr, "SES emulator started");
        Ok(EmulatorHandle {
            addr,
            state,
            server: server_handle,
            task,
        })
    }

    /// Serves the emulator on `addr` until `shutdown` completes, then stops it gracefully:
    /// what a binary needs, e.g. with `tokio::signal::ctrl_c()` as the shutdown signal.
    ///
    /// # Errors
    /// When the address cannot be bound or the server fails.
    pub async fn serve_until(
        addr: SocketAddr,
        config: EmulatorConfig,
        shutdown: impl Future<Output = ()>,
    ) -> io::Result<()> {
        let mut emulator = Self::start(addr, config)?;
        tracing::info!(endpoint = %emulator.endpoint_url(), "SES emulator listening");
        let finished_early = tokio::select! {
            finished = &mut emulator.task => Some(finished),
            () = shutdown => None,
        };
        match finished_early {
            Some(finished) => flatten(finished),
            None => emulator.shutdown().await,
        }
    }
}

/// A running emulator.
#[derive(Debug)]
pub struct EmulatorHandle {
    addr: SocketAddr,
    state: EmulatorState,
    server: ServerHandle,
    task: JoinHandle<io::Result<()>>,
}

impl EmulatorHandle {
    /// The address the server listens on, with the port it was given.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to give an SDK client as its endpoint, e.g. `http://127.0.0.1:4566`. A
    /// wildcard bind address is replaced by loopback.
    pub fn endpoint_url(&self) -> String {
        let ip = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        format!("http://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// A handle on the in-memory state: the Rust side of the control API.
    pub fn state(&self) -> EmulatorState {
        self.state.clone()
    }

    /// Stops the server gracefully: no new connections, requests in flight finish.
    pub async fn stop(self) {
        if let Err(error) = self.shutdown().await {
            tracing::warn!(%error, "the SES emulator stopped with an error");
        }
    }

    async fn shutdown(self) -> io::Result<()> {
        self.server.stop(true).await;
        flatten(self.task.await)
    }
}

fn flatten(finished: Result<io::Result<()>, tokio::task::JoinError>) -> io::Result<()> {
    finished.map_err(io::Error::other)?
}
