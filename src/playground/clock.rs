//! The playground's own time. The bot runs on this clock, so the page's
//! time control can move the whole organization forward (to next month's
//! 1st, the 25th, the year's end) and people can live through what the
//! scheduled jobs do over weeks in a few clicks.
//!
//! It is the real clock (or a test's) plus an offset that only grows.
//! Whoever sleeps on it wakes when the offset moves past their deadline,
//! so the delivery worker sends a deferred nudge as soon as its time has
//! come in the simulated world. The offset is saved next to the demo
//! database, so a restarted playground is still on the day it was.

use crate::clock::{Clock, SharedClock};
use chrono::{DateTime, Duration, Utc};
use futures_util::future::BoxFuture;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;

/// A clock running ahead of `base` by an offset the page moves.
#[derive(Clone)]
pub struct PlaygroundClock {
    base: SharedClock,
    offset: Arc<watch::Sender<Duration>>,
    save_to: Option<PathBuf>,
}

impl PlaygroundClock {
    /// A clock on `base`; with `save_to`, the offset saved there by an
    /// earlier run is taken up (if `load`) and every move is saved.
    pub fn new(base: SharedClock, save_to: Option<PathBuf>, load: bool) -> Self {
        let saved = save_to
            .as_ref()
            .filter(|_| load)
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|secs| *secs > 0)
            .map(Duration::seconds)
            .unwrap_or_else(Duration::zero);
        Self {
            base,
            offset: Arc::new(watch::Sender::new(saved)),
            save_to,
        }
    }

    /// How far ahead of the real time the playground is.
    pub fn offset(&self) -> Duration {
        *self.offset.borrow()
    }

    /// Moves the playground's time to `to`. Time only moves forward, even
    /// on "Reset demo": what was stored (job runs, each channel's next
    /// allowed send, the delivery worker's waits) stays in the past.
    pub fn jump_to(&self, to: DateTime<Utc>) -> Result<(), JumpError> {
        let now = self.now();
        if to <= now {
            return Err(JumpError::Backwards { now, to });
        }
        self.set_offset(to - self.base.now());
        Ok(())
    }

    fn set_offset(&self, offset: Duration) {
        self.offset.send_replace(offset);
        if let Some(path) = &self.save_to
            && let Err(e) = std::fs::write(path, offset.num_seconds().to_string())
        {
            tracing::warn!(error = %e, "cannot save the playground's time");
        }
    }
}

/// Why the time could not be moved.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum JumpError {
    #[error("time only moves forward in the playground: it is already {now}, later than {to}")]
    Backwards {
        now: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

impl Clock for PlaygroundClock {
    fn now(&self) -> DateTime<Utc> {
        self.base.now() + self.offset()
    }

    fn sleep_until(&self, deadline: DateTime<Utc>) -> BoxFuture<'static, ()> {
        let base = self.base.clone();
        let mut offset = self.offset.subscribe();
        Box::pin(async move {
            loop {
                let ahead = *offset.borrow_and_update();
                if base.now() + ahead >= deadline {
                    return;
                }
                tokio::select! {
                    _ = base.sleep_until(deadline - ahead) => {}
                    changed = offset.changed() => {
                        if changed.is_err() {
                            // The playground is gone: sleep on the base alone.
                            base.sleep_until(deadline - ahead).await;
                        }
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    fn start() -> DateTime<Utc> {
        "2026-11-27T15:00:00Z".parse().unwrap()
    }

    #[tokio::test]
    async fn a_jump_moves_now_and_wakes_whoever_waits_for_a_moment_it_passed() {
        let base = ManualClock::new(start());
        let clock = PlaygroundClock::new(Arc::new(base.clone()), None, false);
        let waiting = tokio::spawn(clock.sleep_until(start() + Duration::days(4)));
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        clock.jump_to(start() + Duration::days(5)).unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), waiting)
            .await
            .expect("the jump wakes the sleeper")
            .unwrap();
        assert_eq!(clock.now(), start() + Duration::days(5));
        // The base keeps running underneath.
        base.advance(Duration::minutes(1));
        assert_eq!(
            clock.now(),
            start() + Duration::days(5) + Duration::minutes(1)
        );
    }

    #[test]
    fn time_never_moves_back() {
        let clock = PlaygroundClock::new(Arc::new(ManualClock::new(start())), None, false);
        clock.jump_to(start() + Duration::days(2)).unwrap();
        let err = clock.jump_to(start() + Duration::days(1)).unwrap_err();
        assert!(err.to_string().contains("only moves forward"), "{err}");
        assert_eq!(clock.now(), start() + Duration::days(2));
    }

    #[test]
    fn the_offset_is_kept_for_the_next_run_unless_the_database_is_new() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("playground.db.clock");
        let base: SharedClock = Arc::new(ManualClock::new(start()));
        let clock = PlaygroundClock::new(base.clone(), Some(path.clone()), false);
        clock.jump_to(start() + Duration::days(3)).unwrap();
        let again = PlaygroundClock::new(base.clone(), Some(path.clone()), true);
        assert_eq!(again.now(), start() + Duration::days(3));
        let fresh = PlaygroundClock::new(base.clone(), Some(path.clone()), false);
        assert_eq!(fresh.now(), start());
    }
}
