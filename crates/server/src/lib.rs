//! The `posthawk-tenants` service: configuration, wiring of the adapters into the
//! domain's use cases, and the application that tests start on port 0.

pub mod app;
pub mod config;
pub mod telemetry;
pub mod workers;
