//! HTTP adapter of the tenant reputation service: the actix-web routes (tenant status and
//! findings, the operators' event-destination backfill, sending domains, sending mail), bearer-JWT authentication, the JSON envelope
//! and response shapes, the one mapping from errors to HTTP statuses, and the OpenAPI
//! document.
//!
//! The server binary verifies its configuration once, builds an [`ApiState`] and mounts
//! everything with [`configure`]; handlers are not generic, the state holds the domain's
//! use cases, which hold their ports as `Arc<dyn Port>`.
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use actix_web::{App, HttpServer};
//! # use posthawk_domain::use_cases::{
//! #     DomainService, EventDestinationBackfill, ReputationQueries, SendingService,
//! # };
//! use posthawk_http::{configure, ApiState, AuthConfig, JwtVerifier, Readiness};
//!
//! # async fn run(
//! #     queries: ReputationQueries,
//! #     domains: DomainService,
//! #     sending: SendingService,
//! #     backfill: EventDestinationBackfill,
//! #     readiness: Arc<dyn Readiness>,
//! # ) -> anyhow::Result<()> {
//! let verifier = Arc::new(JwtVerifier::new(&AuthConfig::hs256("a long random secret"))?);
//! let state = ApiState { queries, domains, sending, backfill, verifier, readiness };
//! HttpServer::new(move || App::new().configure(configure(state.clone())))
//!     .bind(("127.0.0.1", 8080))?
//!     .run()
//!     .await?;
//! # Ok(())
//! # }
//! ```

pub mod auth;
pub mod envelope;
pub mod error;
pub mod openapi;
mod routes;
mod wire;

pub use auth::{
    AdminCaller, AuthConfig, AuthConfigError, AuthError, Caller, JwtAlgorithm, JwtKey, JwtVerifier,
    MintError, TokenIssuer, UnknownAlgorithm,
};
pub use error::{ApiError, ErrorCode};
pub use routes::{ApiState, JSON_BODY_LIMIT, Readiness, configure};
