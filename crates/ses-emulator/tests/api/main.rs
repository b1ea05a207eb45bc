//! End-to-end tests: the real `aws-sdk-sesv2` client (and raw HTTP where the SDK cannot
//! go) against an emulator started per test on a free port.

// Helpers outside `#[test]` functions unwrap too: a failure there is a test failure.
#![expect(clippy::unwrap_used, reason = "tests fail loudly")]

mod account;
mod associations;
mod bad_requests;
mod configuration_sets;
mod control;
mod faults;
mod helpers;
mod identities;
mod reputation;
mod sending;
mod tenants;
mod vdm;
