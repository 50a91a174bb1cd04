//! Waits between reconnect attempts: doubling from `initial` up to `max`,
//! each scaled by a random factor in [0.5, 1] so that many instances cut
//! off at once do not all come back in the same instant.

use std::time::Duration;

pub struct Backoff {
    initial: Duration,
    max: Duration,
    failures: u32,
}

/// Past this many doublings every wait is `max` anyway.
const MAX_DOUBLINGS: u32 = 30;

impl Backoff {
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max: max.max(initial),
            failures: 0,
        }
    }

    /// The wait before the next attempt; each call counts one failure.
    pub fn next(&mut self) -> Duration {
        let doublings = self.failures.min(MAX_DOUBLINGS);
        self.failures = self.failures.saturating_add(1);
        let base = self.initial.saturating_mul(1u32 << doublings).min(self.max);
        base.mul_f64(0.5 + fastrand::f64() * 0.5)
    }

    /// A connection worked: the next failure waits `initial` again.
    pub fn reset(&mut self) {
        self.failures = 0;
    }

    /// Waits from now on are at the maximum until the next reset.
    pub fn exhaust(&mut self) {
        self.failures = MAX_DOUBLINGS;
    }

    /// No failure since the last reset.
    pub fn is_fresh(&self) -> bool {
        self.failures == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn waits_double_up_to_the_maximum_with_jitter_and_reset_after_success() {
        let mut b = Backoff::new(100 * MS, 1000 * MS);
        assert!(b.is_fresh());
        for ceiling in [100, 200, 400, 800, 1000, 1000] {
            let wait = b.next();
            assert!(
                wait >= ceiling * MS / 2 && wait <= ceiling * MS,
                "{wait:?} vs {ceiling}"
            );
        }
        assert!(!b.is_fresh());
        b.reset();
        assert!(b.next() <= 100 * MS);
        b.exhaust();
        assert!(b.next() >= 500 * MS);
    }

    #[test]
    fn many_failures_never_overflow() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        for _ in 0..1000 {
            assert!(b.next() <= Duration::from_secs(60));
        }
    }
}
