//! Time as a dependency.
//!
//! Everything that reads the time (signature windows, outbox backoff, the
//! per-channel pace, schedules) asks a [`Clock`], so tests can move time
//! forward instead of sleeping. Waiting is part of the clock too: a worker
//! that sleeps on a [`ManualClock`] wakes exactly when a test advances it.

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use std::sync::Arc;
use tokio::sync::watch;

/// A source of "now" that can also wait until a moment arrives.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
    /// Resolves once `now() >= deadline`.
    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()>;
}

/// Shared handle used across the app.
pub type SharedClock = Arc<dyn Clock>;

/// The wall clock; waits with tokio timers.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()> {
        let wait = (deadline - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that only moves when told to: for tests and for `jobs run --at`.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<watch::Sender<DateTime<Utc>>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self {
            now: Arc::new(watch::Sender::new(start)),
        }
    }

    pub fn set(&self, to: DateTime<Utc>) {
        self.now.send_replace(to);
    }

    pub fn advance(&self, by: chrono::Duration) {
        self.now.send_modify(|now| *now += by);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()> {
        let mut rx = self.now.subscribe();
        Box::pin(async move {
            loop {
                if *rx.borrow_and_update() >= deadline {
                    return;
                }
                if rx.changed().await.is_err() {
                    // The clock is gone; nobody will ever advance it.
                    std::future::pending::<()>().await;
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_sleep_wakes_only_when_time_is_advanced_past_the_deadline() {
        let start = Utc::now();
        let clock = ManualClock::new(start);
        let wait = clock.sleep_until(start + chrono::Duration::seconds(10));
        let handle = tokio::spawn(wait);
        clock.advance(chrono::Duration::seconds(9));
        tokio::task::yield_now().await;
        assert!(!handle.is_finished());
        clock.advance(chrono::Duration::seconds(1));
        tokio::time::timeout(std::time::Duration::from_secs(5), handle)
            .await
            .expect("sleep should end once the deadline is reached")
            .unwrap();
    }
}
