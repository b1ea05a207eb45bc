//! The SES adapter: the domain's SES ports ([`TenantAdmin`], [`ReputationSource`],
//! [`MailSender`]) implemented with `aws-sdk-sesv2`, one client per served region.
//!
//! The same code talks to real SES or to the project's emulator; only [`SesConfig`]
//! differs. SDK types stay inside this crate: every SDK error is translated to
//! [`SesError`] in one place (`error.rs`), every SDK shape to a domain type. Every call is
//! recorded through the `metrics` facade (`ses_calls_total`, `ses_call_duration_seconds`,
//! `ses_rate_limit_wait_seconds`; see [`describe_metrics`]).
//!
//! ```no_run
//! use posthawk_domain::ServedRegions;
//! use posthawk_ses::{SesAdapter, SesConfig};
//!
//! # async fn build() {
//! let ses = SesAdapter::new(SesConfig::local("http://127.0.0.1:4566"), &ServedRegions::default()).await;
//! # }
//! ```
//!
//! [`TenantAdmin`]: posthawk_domain::ports::TenantAdmin
//! [`ReputationSource`]: posthawk_domain::ports::ReputationSource
//! [`MailSender`]: posthawk_domain::ports::MailSender
//! [`SesError`]: posthawk_domain::ports::SesError

mod adapter;
mod client;
mod config;
mod convert;
mod error;
mod observe;
mod rate_limit;
mod reputation;
mod sending;
mod tenants;

pub use adapter::SesAdapter;
pub use config::{SesConfig, SesCredentials, SesRetryMode};
pub use observe::describe_metrics;
pub use tenants::OWNER_TAG_KEY;
