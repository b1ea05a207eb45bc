//! The HTTP API as a client sees it: status codes, headers and exact JSON, driven through
//! the real route table with mocked domain ports (no database, no network).

// clippy.toml allows these in `#[test]` functions only; the shared helpers fail a test
// the same way.
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers fail the test by panicking"
)]

mod auth;
mod domains;
mod emails;
mod errors;
mod health;
mod metrics;
mod openapi;
mod support;
mod tenants;
