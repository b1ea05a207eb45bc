//! A per-region ceiling on SES calls: SES throttles an account above its API rate, and a
//! sweep over thousands of tenants should queue here, spread evenly, instead of being
//! refused there and retried.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Spaces calls at least `1 / rate` seconds apart (the generic cell rate algorithm with
/// no burst): each caller books the next free slot and sleeps until it.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    interval: Duration,
    next_free: Mutex<Instant>,
}

impl RateLimiter {
    /// At most `calls_per_second` calls per second.
    pub(crate) fn new(calls_per_second: u32) -> Self {
        Self {
            interval: Duration::from_secs(1) / calls_per_second.max(1),
            next_free: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this call's slot.
    pub(crate) async fn acquire(&self) {
        let slot = {
            // A poisoned lock only means another caller panicked mid-update of an
            // Instant: the value is still a valid slot.
            let mut next_free = self
                .next_free
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let slot = (*next_free).max(Instant::now());
            *next_free = slot + self.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn calls_are_spaced_by_the_rate() {
        let limiter = RateLimiter::new(50);
        let start = Instant::now();
        for _ in 0..100 {
            limiter.acquire().await;
        }
        // The first call goes at once; the 100th waits 99 intervals of 20 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(1980));
    }

    #[tokio::test(start_paused = true)]
    async fn idle_time_does_not_build_up_a_burst() {
        let limiter = RateLimiter::new(10);
        tokio::time::sleep(Duration::from_secs(5)).await;
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::from_millis(200));
    }
}
