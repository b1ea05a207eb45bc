//! HTTP adapter of the tenant reputation service: the actix-web routes (tenant status and
//! findings, the operators' event-destination backfill, sending domains, sending mail), bearer-JWT authentication, the JSON envelope
//! and response shapes, the one mapping from errors to HTTP statuses, the OpenAPI
//! document, and the Prometheus metrics (`GET /metrics`, the request-timing middleware).
//!
//! The server binary verifies its configuration once, builds an [`ApiState`] and mounts
//! everything with [`configure`]; handlers are not generic, the state holds the domain's
//! use cases, which hold their ports as `Arc<dyn Port>`.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use actix_web::middleware::from_fn;
//! # use actix_web::{App, HttpServer};
//! # use posthawk_domain::use_cases::{
//! #     DomainService, EventDestinationBackfill, ReputationQueries, SendingService,
//! # };
//! use posthawk_http::observability::{prometheus_recorder, record_request_metrics};
//! use posthawk_http::{configure, ApiState, AuthConfig, GaugeSource, JwtVerifier, Readiness};
//!
//! # async fn run(
//! #     queries: ReputationQueries,
//! #     domains: DomainService,
//! #     sending: SendingService,
//! #     backfill: EventDestinationBackfill,
//! #     readiness: Arc<dyn Readiness>,
//! #     gauges: Arc<dyn GaugeSource>,
//! # ) -> anyhow::Result<()> {
//! let verifier = Arc::new(JwtVerifier::new(&AuthConfig::hs256("a long random secret"))?);
//! // One metrics recorder per process, installed globally; the state keeps its handle.
//! let recorder = prometheus_recorder()?;
//! let metrics = recorder.handle();
//! metrics::set_global_recorder(recorder)?;
//! let state = ApiState {
//!     queries, domains, sending, backfill, verifier, readiness, metrics, gauges,
//! };
//! HttpServer::new(move || {
//!     App::new()
//!         .wrap(from_fn(record_request_metrics))
//!         .configure(configure(state.clone()))
//! })
//! .bind(("127.0.0.1", 8080))?
//! .run()
//! .await?;
//! # Ok(())
//! # }
//! ```

pub mod auth;
pub mod envelope;
pub mod error;
pub mod observability;
pub mod openapi;
mod routes;
mod wire;

pub use auth::{
    AdminCaller, AuthConfig, AuthConfigError, AuthError, Caller, JwtAlgorithm, JwtKey, JwtVerifier,
    MintError, TokenIssuer, UnknownAlgorithm,
};
pub use error::{ApiError, ErrorCode};
pub use routes::{ApiState, GaugeSource, JSON_BODY_LIMIT, Readiness, configure};
