//! The delivery worker: drains the outbox into the chat platform.
//!
//! Shape: [`Worker::step`] does one round (claim what is due, compose each
//! message in the app, hand it to the [`Transport`] to render and send,
//! record the outcome) and returns when the next thing will be due; [`Worker::run`]
//! loops over it, sleeping on the injected clock until that moment, a wake-up
//! from a service that just enqueued something, or shutdown.
//!
//! Guarantees:
//! - Rows of one lane (a channel) go out in order, one at a time, at most one
//!   per `per_channel_interval` (Slack allows about one message per second
//!   per channel). Rows without a lane go out concurrently.
//! - A 429 pauses all sending for its `Retry-After`; 5xx, timeouts and
//!   network errors back off exponentially (capped, with jitter); permanent
//!   errors stop the row with the reason stored and logged.
//! - A row is claimed with a lease before it is sent and marked sent right
//!   after, so this worker never sends a row twice; rows left pending by a
//!   crash are sent after their lease runs out.

use crate::app::AppContext;
use crate::app::compose::{self, ComposeError, Composed};
use crate::app::outgoing::Outgoing;
use crate::app::people::PlatformPeople;
use crate::clock::SharedClock;
use crate::config::DeliverySettings;
use crate::domain::Directory;
use crate::domain::ids::{PostOwner, PostRef};
use crate::metrics::Delivery;
use crate::store::outbox::{self, OutboxRow};
use crate::store::{Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use futures_util::future::BoxFuture;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// What a successful send produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    Done,
    /// A new post landed here (recorded when the message asked for it).
    Posted(PostRef),
    /// Nothing needed sending any more (e.g. deleted before posting).
    Skipped(&'static str),
}

/// Why a send did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// Slow down: nothing is sent for this long (or a default pause).
    RateLimited(Option<std::time::Duration>),
    /// Try again later with backoff.
    Transient(String),
    /// Never going to work; stop and keep the reason.
    Permanent(String),
    /// Not yet: send at this instant (e.g. the hour in the person's zone).
    Defer(DateTime<Utc>, &'static str),
}

/// Renders one composed message and sends it with one platform call;
/// implemented by a chat adapter, which also answers the app's questions
/// about people ([`PlatformPeople`]). `directory` is the organization the
/// message was composed against (names of pillars, teams, the mission).
pub trait Transport: PlatformPeople + Send + Sync + 'static {
    fn send<'a>(
        &'a self,
        message: &'a Composed,
        directory: &'a Directory,
    ) -> BoxFuture<'a, Result<Sent, SendError>>;
}

/// A finished send, and the row that remembers where its post landed.
struct Delivered {
    sent: Sent,
    record: Option<PostOwner>,
}

impl From<ComposeError> for SendError {
    fn from(e: ComposeError) -> Self {
        match e {
            ComposeError::Unavailable(why) => SendError::Transient(why),
            ComposeError::Impossible(why) => SendError::Permanent(why),
            ComposeError::RateLimited(after) => SendError::RateLimited(after),
        }
    }
}

/// Composes `message` (app) and hands it to the transport (adapter).
async fn deliver(
    ctx: &AppContext,
    transport: &dyn Transport,
    message: &Outgoing,
) -> Result<Delivered, SendError> {
    let composed = compose::compose(ctx, transport, message).await?;
    let record = match &composed {
        Composed::Skip(why) => {
            return Ok(Delivered {
                sent: Sent::Skipped(why),
                record: None,
            });
        }
        Composed::Defer(at, why) => return Err(SendError::Defer(*at, why)),
        Composed::Post { record, .. } => *record,
        _ => None,
    };
    let sent = transport.send(&composed, &ctx.directory()).await?;
    Ok(Delivered { sent, record })
}

/// How long a claim lasts; a send that takes longer is abandoned (timeout).
const LEASE: Duration = Duration::seconds(60);
/// Pause after a 429 without a usable Retry-After.
const DEFAULT_RATE_PAUSE: Duration = Duration::seconds(30);
const BACKOFF_BASE_MS: i64 = 1_000;
const BACKOFF_CAP_MS: i64 = 15 * 60 * 1_000;
/// Pending rows looked at per round.
const SCAN: i64 = 200;
/// The least time between two rounds started by wake-ups (real time).
const MIN_ROUND_GAP: std::time::Duration = std::time::Duration::from_millis(20);
/// How long to sleep when nothing at all is pending (a wake-up comes sooner).
const IDLE: Duration = Duration::seconds(60);

/// The outcome of one round, for the loop and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// When something will next be due; `None` if nothing is pending.
    pub next_due: Option<DateTime<Utc>>,
}

pub struct Worker {
    ctx: AppContext,
    transport: Arc<dyn Transport>,
    settings: DeliverySettings,
    /// Per lane: not before this instant (pacing).
    lanes: Mutex<HashMap<String, DateTime<Utc>>>,
    /// After a 429: nothing at all before this instant.
    paused_until: Mutex<Option<DateTime<Utc>>>,
    /// When the calls of the last second were made (workspace pace).
    sent_window: Mutex<std::collections::VecDeque<DateTime<Utc>>>,
}

impl Worker {
    pub fn new(ctx: AppContext, transport: Arc<dyn Transport>, settings: DeliverySettings) -> Self {
        Self {
            ctx,
            transport,
            settings,
            lanes: Mutex::new(HashMap::new()),
            paused_until: Mutex::new(None),
            sent_window: Mutex::new(std::collections::VecDeque::new()),
        }
    }

    /// How many calls may start now without exceeding `max_per_second`.
    fn window_room(&self, now: DateTime<Utc>) -> usize {
        let mut window = self.sent_window.lock().expect("lock");
        while window
            .front()
            .is_some_and(|t| *t <= now - Duration::seconds(1))
        {
            window.pop_front();
        }
        self.settings.max_per_second.saturating_sub(window.len())
    }

    fn clock(&self) -> &SharedClock {
        &self.ctx.clock
    }

    fn store(&self) -> &Store {
        &self.ctx.store
    }

    /// Runs until `shutdown`; sends in flight are finished first.
    pub async fn run(self: Arc<Self>, shutdown: CancellationToken) {
        let wake: Arc<Notify> = self.ctx.delivery_wake();
        tracing::info!("delivery worker started");
        loop {
            let round = match self.step().await {
                Ok(round) => round,
                Err(e) => {
                    tracing::error!(error = %e, "delivery round failed; retrying shortly");
                    Round {
                        next_due: Some(self.clock().now() + Duration::seconds(5)),
                        ..Round::default()
                    }
                }
            };
            let until = round.next_due.unwrap_or_else(|| self.clock().now() + IDLE);
            let finished = tokio::time::Instant::now();
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = wake.notified() => {
                    // Under load every committed batch wakes the worker; one
                    // scan of the outbox per short gap serves them all.
                    let gap = MIN_ROUND_GAP.saturating_sub(finished.elapsed());
                    if !gap.is_zero() {
                        tokio::select! {
                            _ = shutdown.cancelled() => break,
                            _ = tokio::time::sleep(gap) => {}
                        }
                    }
                }
                _ = self.clock().sleep_until(until) => {}
            }
        }
        tracing::info!("delivery worker stopped");
    }

    /// One round: sends everything due now (respecting lanes and pauses),
    /// waits for those sends, and says when to look again.
    pub async fn step(&self) -> Result<Round, StoreError> {
        let now = self.clock().now();
        let mut round = Round::default();
        if self.ctx.delivery_stopped() {
            // Uninstalled or token revoked: nothing may reach Slack. Rows
            // stay pending until the retention purge or a reinstall.
            return Ok(round);
        }
        let paused = *self.paused_until.lock().expect("lock");
        if let Some(until) = paused.filter(|until| *until > now) {
            round.next_due = Some(until);
            return Ok(round);
        }
        let rows = outbox::pending(self.store().reads(), SCAN).await?;
        let mut blocked: HashSet<String> = HashSet::new();
        let mut due: Vec<OutboxRow> = Vec::new();
        let mut expired: Vec<i64> = Vec::new();
        let mut next_due: Option<DateTime<Utc>> = None;
        let mut note =
            |t: DateTime<Utc>| next_due = Some(next_due.map_or(t, |n: DateTime<Utc>| n.min(t)));
        for row in rows {
            let lane_free_at = row
                .lane
                .as_ref()
                .and_then(|l| self.lanes.lock().expect("lock").get(l).copied());
            let ready_at = [
                Some(from_ms(row.next_attempt_at)),
                row.lease_until.map(from_ms),
                lane_free_at,
            ]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(now);
            if let Some(lane) = &row.lane {
                // Only the oldest pending row of a lane may go: order matters.
                if !blocked.insert(lane.clone()) {
                    continue;
                }
            }
            if ready_at > now {
                note(ready_at);
                continue;
            }
            if row.expires_at.is_some_and(|at| from_ms(at) <= now) {
                expired.push(row.id);
                continue;
            }
            due.push(row);
        }

        // The workspace-wide pace: at most `max_per_second` calls in any
        // second, so a fan-out of thousands of DMs never runs into Slack's
        // per-method limit (and a 429 storm).
        let allowed = self.window_room(now);
        if due.len() > allowed {
            due.truncate(allowed);
            let oldest = self.sent_window.lock().expect("lock").front().copied();
            note(oldest.map_or(now, |t| t + Duration::seconds(1)));
        }
        for id in expired {
            // A modal trigger lives 3 s: opening it later would only fail.
            self.fail(id, "expired before it could be sent").await?;
            round.failed += 1;
        }
        // Claim and send in chunks of `max_in_flight`, so no claim waits
        // long enough behind others for its lease to run out.
        for chunk in due.chunks(self.settings.max_in_flight.max(1)) {
            let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
            let claimed = self
                .store()
                .write(move |conn| {
                    Box::pin(async move {
                        let mut mine = HashSet::new();
                        for id in ids {
                            if outbox::claim(conn, id, now, now + LEASE).await? {
                                mine.insert(id);
                            }
                        }
                        Ok(mine)
                    })
                })
                .await?;
            let mut sends = JoinSet::new();
            for row in chunk.iter().filter(|r| claimed.contains(&r.id)).cloned() {
                let transport = self.transport.clone();
                let ctx = self.ctx.clone();
                let timeout = self.settings.request_timeout;
                sends.spawn(async move {
                    let result = match Outgoing::from_payload(&row.payload) {
                        Ok(message)
                            if message
                                .recipient()
                                .is_some_and(crate::domain::PersonId::is_tombstone) =>
                        {
                            Ok(Delivered {
                                sent: Sent::Skipped("the person was forgotten"),
                                record: None,
                            })
                        }
                        Ok(message) => {
                            let delivery = deliver(&ctx, transport.as_ref(), &message);
                            match tokio::time::timeout(timeout, delivery).await {
                                Ok(result) => result,
                                Err(_) => Err(SendError::Transient(format!(
                                    "no answer within {timeout:?}"
                                ))),
                            }
                        }
                        Err(e) => Err(SendError::Permanent(e.to_string())),
                    };
                    (row, result)
                });
            }
            while let Some(joined) = sends.join_next().await {
                match joined {
                    Ok((row, result)) => self.record(&row, result, &mut round).await?,
                    Err(e) => {
                        tracing::error!(error = %e, "a send task failed; its row is retried after its lease")
                    }
                }
            }
        }
        if round.sent + round.retried + round.failed > 0 {
            // Sending took time and changed lanes; look again right away.
            next_due = Some(self.clock().now());
        }
        // A pause that is over says nothing about when to look again (as
        // a due time in the past it would make the loop spin).
        let paused = *self.paused_until.lock().expect("lock");
        if let Some(until) = paused.filter(|until| *until > self.clock().now()) {
            next_due = Some(next_due.map_or(until, |n| n.max(until)));
        }
        round.next_due = next_due;
        Ok(round)
    }

    /// Stores the outcome of one send.
    async fn record(
        &self,
        row: &OutboxRow,
        result: Result<Delivered, SendError>,
        round: &mut Round,
    ) -> Result<(), StoreError> {
        let now = self.clock().now();
        let called_slack = !matches!(
            result,
            Ok(Delivered {
                sent: Sent::Skipped(_),
                ..
            }) | Err(SendError::Defer(..))
        );
        if called_slack {
            self.sent_window.lock().expect("lock").push_back(now);
        }
        if let Some(lane) = row.lane.as_ref().filter(|_| called_slack) {
            let pace = Duration::from_std(self.settings.per_channel_interval)
                .unwrap_or(Duration::seconds(1));
            self.lanes
                .lock()
                .expect("lock")
                .insert(lane.clone(), now + pace);
        }
        let id = row.id;
        match result {
            Ok(Delivered { sent, record }) => {
                if let Sent::Skipped(why) = &sent {
                    tracing::info!(outbox_id = id, reason = why, "nothing to send");
                    self.ctx.metrics.delivery(Delivery::Skipped);
                } else {
                    self.ctx.metrics.delivery(Delivery::Sent);
                }
                self.store()
                    .write(move |conn| {
                        Box::pin(async move {
                            if let (Sent::Posted(at), Some(owner)) = (&sent, record) {
                                compose::record_post(conn, owner, at, now).await?;
                            }
                            outbox::mark_sent(conn, id, now).await
                        })
                    })
                    .await?;
                round.sent += 1;
            }
            Err(SendError::RateLimited(after)) => {
                let pause = after
                    .and_then(|d| Duration::from_std(d).ok())
                    .filter(|d| *d > Duration::zero())
                    .unwrap_or(DEFAULT_RATE_PAUSE);
                let until = now + pause;
                {
                    let mut paused = self.paused_until.lock().expect("lock");
                    *paused = Some(paused.map_or(until, |p| p.max(until)));
                }
                tracing::warn!(
                    outbox_id = id,
                    retry_after_ms = pause.num_milliseconds(),
                    "rate limited by Slack; pausing delivery"
                );
                self.reschedule(id, until, "rate limited (429)").await?;
                self.ctx.metrics.delivery(Delivery::RateLimited);
                round.retried += 1;
            }
            Err(SendError::Transient(why)) => {
                let age = now - from_ms(row.created_at);
                if age
                    > Duration::from_std(self.settings.give_up_after).unwrap_or(Duration::days(1))
                {
                    self.fail(
                        id,
                        &format!("gave up after {} attempts: {why}", row.attempts + 1),
                    )
                    .await?;
                    self.ctx.metrics.delivery(Delivery::Failed);
                    round.failed += 1;
                } else {
                    let at = now + backoff(row.attempts + 1);
                    tracing::warn!(outbox_id = id, attempt = row.attempts + 1, error = %why, retry_at = %at, "send failed; will retry");
                    self.reschedule(id, at, &why).await?;
                    self.ctx.metrics.delivery(Delivery::Retried);
                    round.retried += 1;
                }
            }
            Err(SendError::Defer(at, why)) => {
                self.reschedule(id, at, why).await?;
            }
            Err(SendError::Permanent(why)) => {
                self.fail(id, &why).await?;
                self.ctx.metrics.delivery(Delivery::Failed);
                round.failed += 1;
            }
        }
        Ok(())
    }

    async fn reschedule(&self, id: i64, at: DateTime<Utc>, why: &str) -> Result<(), StoreError> {
        let why = why.to_owned();
        self.store()
            .write(move |conn| {
                Box::pin(async move { outbox::reschedule(conn, id, at, &why).await })
            })
            .await
    }

    async fn fail(&self, id: i64, why: &str) -> Result<(), StoreError> {
        tracing::error!(
            outbox_id = id,
            reason = why,
            "giving up on an outgoing message"
        );
        let why = why.to_owned();
        let now = self.clock().now();
        self.store()
            .write(move |conn| {
                Box::pin(async move { outbox::mark_failed(conn, id, now, &why).await })
            })
            .await
    }
}

fn from_ms(ms: i64) -> DateTime<Utc> {
    crate::store::moments::from_millis(ms)
}

/// Exponential backoff with ±25 % jitter, capped: 1 s, 2 s, 4 s, … 15 min.
fn backoff(attempt: i64) -> Duration {
    let exp = BACKOFF_BASE_MS.saturating_mul(1i64 << attempt.clamp(1, 30).saturating_sub(1));
    let capped = exp.min(BACKOFF_CAP_MS);
    let jitter = (capped as f64 * (fastrand::f64() * 0.5 - 0.25)) as i64;
    Duration::milliseconds((capped + jitter).max(BACKOFF_BASE_MS / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_and_stays_capped() {
        for attempt in 1..40 {
            let d = backoff(attempt).num_milliseconds();
            let nominal = (BACKOFF_BASE_MS << (attempt - 1).min(29)).min(BACKOFF_CAP_MS);
            assert!(
                d >= nominal * 3 / 4 - 1 && d <= nominal * 5 / 4 + 1,
                "attempt {attempt}: {d} vs {nominal}"
            );
        }
    }
}
