//! The SES adapter against the project's SES emulator: every port method through the
//! real `aws-sdk-sesv2` client, checked in the emulator's inventory, call counts and
//! injected faults. Each test starts its own emulator on a free port.
//!
//! One test binary with a module per port keeps the link time of the SDK paid once.

mod helpers;
mod reputation;
mod retries;
mod sending;
mod tenants;
