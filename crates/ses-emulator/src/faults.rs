//! Fault injection and call counting. Every SES operation goes through [`intercept`],
//! which counts the call, then applies the faults set for the operation (or for `"*"`,
//! every operation): latency first, then a scripted failure, then throttling.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use serde::{Deserialize, Serialize};

use crate::error::SesError;
use crate::ops::Operation;
use crate::protocol::emulator_state;

/// The fault target that matches every operation.
pub const EVERY_OPERATION: &str = "*";

/// A fault to inject into an operation.
///
/// As JSON (control API) it is tagged by `kind`:
/// `{"kind": "fail_next", "count": 2, "status": 429, "error_type": "TooManyRequestsException"}`,
/// `{"kind": "throttle", "per_second": 5}`, `{"kind": "latency", "ms": 250}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Fail the next `count` calls with this HTTP status and exception name.
    FailNext {
        /// How many calls fail.
        count: u32,
        /// The HTTP status, 400-599.
        status: u16,
        /// The exception name sent in `x-amzn-ErrorType`, e.g. `TooManyRequestsException`.
        error_type: String,
        /// The message in the body.
        #[serde(default = "default_fault_message")]
        message: String,
    },
    /// Answer 429 `TooManyRequestsException` to calls beyond `per_second` within any
    /// one-second window.
    Throttle {
        /// Calls allowed per second.
        per_second: u32,
    },
    /// Hold every call for `ms` milliseconds before answering it.
    Latency {
        /// The delay in milliseconds.
        ms: u64,
    },
}

fn default_fault_message() -> String {
    "Injected fault.".into()
}

impl Fault {
    /// Fails the next `count` calls with `status` and the exception `error_type`.
    pub fn fail_next(count: u32, status: u16, error_type: impl Into<String>) -> Self {
        Self::FailNext {
            count,
            status,
            error_type: error_type.into(),
            message: default_fault_message(),
        }
    }

    /// Throttles calls beyond `per_second` in any one-second window.
    pub fn throttle(per_second: u32) -> Self {
        Self::Throttle { per_second }
    }

    /// Delays every call by `delay` (millisecond precision).
    pub fn latency(delay: Duration) -> Self {
        Self::Latency {
            ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
        }
    }

    fn validate(&self) -> Result<(), SesError> {
        match self {
            Self::FailNext {
                status, error_type, ..
            } => {
                if !(400..=599).contains(status) {
                    return Err(SesError::BadRequest(format!(
                        "A failure needs an HTTP status of 400-599, not {status}."
                    )));
                }
                let header_safe = !error_type.is_empty()
                    && error_type
                        .bytes()
                        .all(|b| b.is_ascii_graphic() && b != b':' && b != b'#');
                if !header_safe {
                    return Err(SesError::BadRequest(format!(
                        "Invalid error type '{error_type}': use an exception name such as \
                         TooManyRequestsException."
                    )));
                }
                Ok(())
            }
            Self::Throttle { per_second: 0 } => Err(SesError::BadRequest(
                "A throttle must allow at least one call per second.".into(),
            )),
            Self::Throttle { .. } | Self::Latency { .. } => Ok(()),
        }
    }
}

/// The faults in force and the calls counted, per operation name (or `"*"`).
#[derive(Debug, Default)]
pub(crate) struct FaultBook {
    rules: HashMap<String, Rules>,
    calls: BTreeMap<&'static str, u64>,
}

/// The faults set for one target; each kind is set independently.
#[derive(Debug, Default)]
struct Rules {
    fail_next: Option<Failure>,
    throttle: Option<Throttle>,
    latency: Option<Duration>,
}

#[derive(Debug)]
struct Failure {
    remaining: u32,
    status: u16,
    error_type: String,
    message: String,
}

#[derive(Debug)]
struct Throttle {
    per_second: u32,
    /// When the calls admitted in the last second arrived, oldest first.
    admitted: VecDeque<Instant>,
}

impl Throttle {
    fn has_room(&mut self, now: Instant) -> bool {
        while self
            .admitted
            .front()
            .is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(1))
        {
            self.admitted.pop_front();
        }
        self.admitted.len() < usize::try_from(self.per_second).unwrap_or(usize::MAX)
    }
}

/// What to do with one call.
#[derive(Debug)]
pub(crate) struct Verdict {
    /// How long to hold the call first.
    pub delay: Option<Duration>,
    /// `Err` to answer with instead of running the operation.
    pub outcome: Result<(), SesError>,
}

impl FaultBook {
    /// Sets a fault on `target` (an operation name or `"*"`), replacing the fault of the
    /// same kind set there before.
    pub(crate) fn inject(&mut self, target: &str, fault: Fault) -> Result<(), SesError> {
        if target != EVERY_OPERATION && Operation::from_name(target).is_none() {
            return Err(SesError::BadRequest(format!(
                "Unknown operation '{target}': use an SES operation name such as \
                 CreateTenant, or \"*\"."
            )));
        }
        fault.validate()?;
        let rules = self.rules.entry(target.to_owned()).or_default();
        match fault {
            Fault::FailNext {
                count,
                status,
                error_type,
                message,
            } => {
                rules.fail_next = Some(Failure {
                    remaining: count,
                    status,
                    error_type,
                    message,
                });
            }
            Fault::Throttle { per_second } => {
                rules.throttle = Some(Throttle {
                    per_second,
                    admitted: VecDeque::new(),
                });
            }
            Fault::Latency { ms } => rules.latency = Some(Duration::from_millis(ms)),
        }
        Ok(())
    }

    /// Removes every fault, or only those of one target.
    pub(crate) fn clear(&mut self, target: Option<&str>) {
        match target {
            Some(target) => {
                self.rules.remove(target);
            }
            None => self.rules.clear(),
        }
    }

    /// The faults in force, per target, as they would be injected now (a failure counts
    /// only its remaining calls).
    pub(crate) fn active(&self) -> BTreeMap<String, Vec<Fault>> {
        self.rules
            .iter()
            .map(|(target, rules)| {
                let failure = rules
                    .fail_next
                    .as_ref()
                    .filter(|failure| failure.remaining > 0)
                    .map(|failure| Fault::FailNext {
                        count: failure.remaining,
                        status: failure.status,
                        error_type: failure.error_type.clone(),
                        message: failure.message.clone(),
                    });
                let throttle = rules.throttle.as_ref().map(|throttle| Fault::Throttle {
                    per_second: throttle.per_second,
                });
                let latency = rules.latency.map(Fault::latency);
                let faults: Vec<Fault> =
                    [failure, throttle, latency].into_iter().flatten().collect();
                (target.clone(), faults)
            })
            .filter(|(_, faults)| !faults.is_empty())
            .collect()
    }

    /// How often an operation was called, failed calls included.
    pub(crate) fn call_count(&self, operation: &str) -> u64 {
        self.calls.get(operation).copied().unwrap_or(0)
    }

    /// Every operation's call count.
    pub(crate) fn call_counts(&self) -> BTreeMap<String, u64> {
        self.calls
            .iter()
            .map(|(name, count)| ((*name).to_owned(), *count))
            .collect()
    }

    /// Counts a call and decides its fate. A rule of the operation itself wins over the
    /// `"*"` rule of the same kind; a call must pass both throttles.
    pub(crate) fn on_call(&mut self, operation: Operation, now: Instant) -> Verdict {
        let name = operation.name();
        *self.calls.entry(name).or_default() += 1;

        let delay = [name, EVERY_OPERATION]
            .into_iter()
            .find_map(|target| self.rules.get(target).and_then(|rules| rules.latency));
        let outcome = match self.take_failure(name) {
            Some(error) => Err(error),
            None => self.admit(name, now),
        };
        Verdict { delay, outcome }
    }

    fn take_failure(&mut self, name: &str) -> Option<SesError> {
        [name, EVERY_OPERATION].into_iter().find_map(|target| {
            let failure = self.rules.get_mut(target)?.fail_next.as_mut()?;
            if failure.remaining == 0 {
                return None;
            }
            failure.remaining -= 1;
            Some(SesError::Injected {
                status: failure.status,
                error_type: failure.error_type.clone(),
                message: failure.message.clone(),
            })
        })
    }

    fn admit(&mut self, name: &str, now: Instant) -> Result<(), SesError> {
        let mut throttles: Vec<&mut Throttle> = self
            .rules
            .iter_mut()
            .filter(|(target, _)| *target == name || *target == EVERY_OPERATION)
            .filter_map(|(_, rules)| rules.throttle.as_mut())
            .collect();
        // Record the call only once every throttle admits it, so a rejected call never
        // uses up room.
        if throttles.iter_mut().all(|throttle| throttle.has_room(now)) {
            for throttle in throttles {
                throttle.admitted.push_back(now);
            }
            Ok(())
        } else {
            Err(SesError::TooManyRequests("Rate exceeded.".into()))
        }
    }
}

/// The middleware every SES operation runs behind (see [`crate::ops`]).
pub(crate) async fn intercept(
    operation: Operation,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = match emulator_state(req.request()) {
        Ok(state) => state,
        Err(error) => return Ok(req.error_response(error)),
    };
    let verdict = state.record_call(operation);
    tracing::debug!(operation = operation.name(), ?verdict, "SES call");
    if let Some(delay) = verdict.delay {
        tokio::time::sleep(delay).await;
    }
    match verdict.outcome {
        Ok(()) => next.call(req).await,
        // Answered here rather than returned as `Err`, so the outer middleware (request
        // ids) sees an ordinary response.
        Err(error) => Ok(req.error_response(error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book_with(target: &str, fault: Fault) -> FaultBook {
        let mut book = FaultBook::default();
        book.inject(target, fault).unwrap();
        book
    }

    #[test]
    fn a_failure_fails_exactly_the_next_calls() {
        let mut book = book_with(
            "GetTenant",
            Fault::fail_next(2, 429, "TooManyRequestsException"),
        );
        let now = Instant::now();

        for _ in 0..2 {
            let error = book.on_call(Operation::GetTenant, now).outcome.unwrap_err();
            assert_eq!(error.error_type(), "TooManyRequestsException");
        }
        assert!(book.on_call(Operation::GetTenant, now).outcome.is_ok());
        assert!(book.on_call(Operation::CreateTenant, now).outcome.is_ok());
        assert_eq!(book.call_count("GetTenant"), 3);
    }

    #[test]
    fn a_wildcard_failure_hits_every_operation() {
        let mut book = book_with("*", Fault::fail_next(1, 500, "InternalFailure"));
        let error = book
            .on_call(Operation::SendEmail, Instant::now())
            .outcome
            .unwrap_err();
        assert_eq!(error.status().as_u16(), 500);
    }

    #[test]
    fn a_throttle_admits_its_rate_per_second() {
        let mut book = book_with("SendEmail", Fault::throttle(2));
        let start = Instant::now();

        assert!(book.on_call(Operation::SendEmail, start).outcome.is_ok());
        assert!(book.on_call(Operation::SendEmail, start).outcome.is_ok());
        let error = book
            .on_call(Operation::SendEmail, start)
            .outcome
            .unwrap_err();
        assert_eq!(error.error_type(), "TooManyRequestsException");

        let later = start + Duration::from_secs(1);
        assert!(book.on_call(Operation::SendEmail, later).outcome.is_ok());
    }

    #[test]
    fn the_operations_own_latency_wins_over_the_wildcard() {
        let mut book = book_with("*", Fault::latency(Duration::from_millis(5)));
        book.inject("GetTenant", Fault::latency(Duration::from_millis(50)))
            .unwrap();

        let now = Instant::now();
        assert_eq!(
            book.on_call(Operation::GetTenant, now).delay,
            Some(Duration::from_millis(50))
        );
        assert_eq!(
            book.on_call(Operation::ListTenants, now).delay,
            Some(Duration::from_millis(5))
        );
    }

    #[test]
    fn unknown_operations_and_bad_faults_are_refused() {
        let mut book = FaultBook::default();
        assert!(book.inject("CreateTennant", Fault::throttle(1)).is_err());
        assert!(book.inject("*", Fault::throttle(0)).is_err());
        assert!(book.inject("*", Fault::fail_next(1, 200, "Ok")).is_err());
        assert!(
            book.inject("*", Fault::fail_next(1, 400, "Bad Type"))
                .is_err()
        );
    }

    #[test]
    fn active_faults_show_what_remains() {
        let mut book = book_with("GetTenant", Fault::fail_next(2, 500, "InternalFailure"));
        book.on_call(Operation::GetTenant, Instant::now());

        let active = book.active();
        assert!(matches!(
            active["GetTenant"][..],
            [Fault::FailNext { count: 1, .. }]
        ));

        book.clear(None);
        assert!(book.active().is_empty());
    }

    #[test]
    fn fault_json_is_tagged_by_kind() {
        let fault: Fault =
            serde_json::from_str(r#"{"kind":"fail_next","count":2,"status":429,"error_type":"TooManyRequestsException"}"#)
                .unwrap();
        assert_eq!(fault, Fault::fail_next(2, 429, "TooManyRequestsException"));
        let fault: Fault = serde_json::from_str(r#"{"kind":"latency","ms":250}"#).unwrap();
        assert_eq!(fault, Fault::latency(Duration::from_millis(250)));
    }
}
