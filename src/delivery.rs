//! The delivery worker: drains the outbox into the chat platform.
//!
//! Shape: [`Worker::step`] does one round (claim what is due, compose each
//! message in the app, hand it to the [`Transport`] to render and send,
//! record the outcome) and returns when the next thing will be due; [`Worker::run`]
//! loops over it, sleeping on the injected clock until that moment, a wake-up
//! from a service that just enqueued something, or shutdown. A wake-up whose
//! new rows all wait behind lanes the last round found held starts no round
//! (one small query tells), so a burst of moments for one channel does not
//! rescan the outbox after every commit.
//!
//! Guarantees, with any number of workers (in one process or several) on
//! one database:
//! - Rows of one lane (a channel) go out in order, one at a time, at most one
//!   per `per_channel_interval` (Slack allows about one message per second
//!   per channel): the lane's next send time lives in the database
//!   (`store::lanes`) and is taken in the claim's transaction. Rows without
//!   a lane go out concurrently.
//! - Across the workspace, at most `max_per_second` calls reach Slack in any
//!   one second, whichever workers make them: each claim takes one of that
//!   many slots in the database (`store::lanes::take_rate_slot`), held while
//!   the call is in flight and free again a second after its answer
//!   (written with the outcome, [`Pacing`]); a row that made no call gives
//!   its slot back. A full meter ends the round until the first slot frees.
//! - A 429 pauses all sending, by every worker, for its `Retry-After`; 5xx,
//!   timeouts and network errors back off exponentially (capped, with
//!   jitter); permanent errors stop the row with the reason stored and
//!   logged.
//! - A refused token (`invalid_auth`, `token_revoked`, 401/403, a proxy's
//!   404) pauses delivery for every worker (`store::pause`) with the rows
//!   kept pending and the attempt not counted; one worker at a time asks
//!   `auth.test` with backoff, and delivery resumes when it answers ok.
//! - A row is claimed with a short lease (15 s, or the request timeout plus
//!   5 s) and this worker's id before it is sent; every later update of the
//!   row is fenced on that claim, so a worker that lost its claim changes
//!   nothing. A dead process's claims are free again when their leases run
//!   out; a process that stops gracefully releases its own at once. What a
//!   process killed mid-send can duplicate is only the row it had in flight
//!   (see docs/operations.md).

use crate::app::AppContext;
use crate::app::compose::{self, ComposeError, Composed};
use crate::app::outgoing::Outgoing;
use crate::app::people::PlatformPeople;
use crate::clock::SharedClock;
use crate::config::DeliverySettings;
use crate::domain::Directory;
use crate::domain::ids::{PostOwner, PostRef};
use crate::metrics::Delivery;
use crate::store::outbox::{self, Claim, OutboxRow};
use crate::store::{Store, StoreError};
use crate::store::{lanes, pause};
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
    /// The platform refused our credentials (`invalid_auth`, a 401, …): not
    /// the message's fault, so it stays pending and delivery pauses until
    /// the credentials work again.
    Unauthorized(String),
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

    /// Whether the platform accepts our credentials again after a
    /// [`SendError::Unauthorized`] paused delivery (Slack: `auth.test`).
    /// `Err` means the platform could not be asked; ask again later. A
    /// transport that cannot tell says yes: the next send will tell.
    fn check_auth(&self) -> BoxFuture<'_, Result<bool, SendError>> {
        Box::pin(async { Ok(true) })
    }
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

/// How long a claim lasts at least: a dead process's claims are free again
/// this soon. A claim also outlasts the request timeout by [`LEASE_MARGIN`],
/// so a send is abandoned (timeout) before its claim can run out.
const LEASE: Duration = Duration::seconds(15);
const LEASE_MARGIN: Duration = Duration::seconds(5);
/// The first `auth.test` after the token was refused, then doubling up to
/// [`AUTH_CHECK_CAP`].
const AUTH_CHECK_FIRST: Duration = Duration::seconds(15);
const AUTH_CHECK_CAP: Duration = Duration::minutes(5);
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
    /// This worker's name on its claims (host, process, random): unique
    /// among the workers sharing the database.
    id: String,
    /// After a 429 or a refused token: nothing more in this round. (What
    /// holds every worker back lives in the database.)
    paused_until: Mutex<Option<DateTime<Utc>>>,
    /// What the last full round saw; `None` when it did not scan.
    seen: Mutex<Option<Seen>>,
}

/// What a round saw of the outbox, so that a wake-up for rows queued behind
/// lanes that are still held (under load: every committed batch of moments,
/// all for the one moments channel that takes a post a second) costs one
/// small query instead of a new round that rescans the pending rows.
struct Seen {
    /// The highest pending id looked at so far.
    last_id: i64,
    /// The lanes held at the round, and until when.
    held: HashMap<String, DateTime<Utc>>,
}

impl Worker {
    pub fn new(ctx: AppContext, transport: Arc<dyn Transport>, settings: DeliverySettings) -> Self {
        let host = process_home().unwrap_or_else(|| "unknown".to_owned());
        let id = format!("{host}:{}:{:08x}", std::process::id(), fastrand::u32(..));
        Self {
            ctx,
            transport,
            settings,
            id,
            paused_until: Mutex::new(None),
            seen: Mutex::new(None),
        }
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
        if let Err(e) = self.release_dead_local_claims().await {
            tracing::warn!(error = %e, "cannot release the claims of a process that died here; they run out with their leases");
        }
        tracing::info!("delivery worker started");
        'rounds: loop {
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
            let mut until = round.next_due.unwrap_or_else(|| self.clock().now() + IDLE);
            let mut finished = tokio::time::Instant::now();
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break 'rounds,
                    _ = wake.notified() => {
                        // Under load every committed batch wakes the worker; one
                        // look at the outbox per short gap serves them all.
                        let gap = MIN_ROUND_GAP.saturating_sub(finished.elapsed());
                        if !gap.is_zero() {
                            tokio::select! {
                                _ = shutdown.cancelled() => break 'rounds,
                                _ = tokio::time::sleep(gap) => {}
                            }
                        }
                        match self.queued_behind_held_lanes().await {
                            // Nothing new can go before `at`: keep waiting.
                            Ok(Some(at)) => {
                                until = until.min(at);
                                finished = tokio::time::Instant::now();
                            }
                            Ok(None) => break,
                            Err(e) => {
                                tracing::warn!(error = %e, "cannot look at the outbox; starting a round");
                                break;
                            }
                        }
                    }
                    _ = self.clock().sleep_until(until) => break,
                }
            }
        }
        if let Err(e) = self.release_claims().await {
            tracing::warn!(error = %e, "cannot release this worker's claims; they run out with their leases");
        }
        tracing::info!("delivery worker stopped");
    }

    /// After a wake-up: when every row queued since the last look waits
    /// behind a lane that round found held, the time the first of those
    /// lanes frees (a round then sends it); `None` when a round is needed
    /// now (a row without a lane or in a free lane, nothing new, or no
    /// round to go by).
    async fn queued_behind_held_lanes(&self) -> Result<Option<DateTime<Utc>>, StoreError> {
        let Some((last_id, held)) = self
            .seen
            .lock()
            .expect("lock")
            .as_ref()
            .map(|seen| (seen.last_id, seen.held.clone()))
        else {
            return Ok(None);
        };
        let now = self.clock().now();
        let queued = outbox::pending_after(self.store().reads(), last_id, SCAN).await?;
        if queued.is_empty() {
            // Woken for something other than a new row (a resumed pause, a
            // row put back): a round looks at everything.
            return Ok(None);
        }
        let mut first_free: Option<DateTime<Utc>> = None;
        for (_, lane, _) in &queued {
            match lane.as_ref().and_then(|l| held.get(l)) {
                Some(&free_at) if free_at > now => {
                    first_free = Some(first_free.map_or(free_at, |t| t.min(free_at)));
                }
                _ => return Ok(None),
            }
        }
        if let Some(seen) = self.seen.lock().expect("lock").as_mut()
            && let Some((id, _, _)) = queued.last()
        {
            seen.last_id = seen.last_id.max(*id);
        }
        Ok(first_free)
    }

    /// This worker's id, as written on its claims.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// How long a claim lasts (see [`LEASE`]).
    fn lease(&self) -> Duration {
        let timeout = Duration::from_std(self.settings.request_timeout).unwrap_or(LEASE);
        LEASE.max(timeout + LEASE_MARGIN)
    }

    fn pace(&self) -> Duration {
        Duration::from_std(self.settings.per_channel_interval).unwrap_or(Duration::seconds(1))
    }

    /// Gives back the claims this worker still holds (graceful shutdown), so
    /// the other workers need not wait for the leases to run out.
    pub async fn release_claims(&self) -> Result<u64, StoreError> {
        let id = self.id.clone();
        let released = self
            .store()
            .write(move |conn| Box::pin(async move { outbox::release_worker(conn, &id).await }))
            .await?;
        if released > 0 {
            tracing::info!(rows = released, worker = %self.id, "released this worker's claims");
        }
        Ok(released)
    }

    /// At start: frees the claims of earlier processes on this host that are
    /// gone (killed, crashed), so a restart does not wait for their leases.
    /// Claims of other hosts, and of processes still running here (another
    /// `serve`, a `jobs run`), are left alone: their leases decide.
    async fn release_dead_local_claims(&self) -> Result<(), StoreError> {
        let host = self.id.split(':').next().unwrap_or_default().to_owned();
        if host == "unknown" {
            // Nothing says which claims were made where we run.
            return Ok(());
        }
        let claimants = outbox::claimants(self.store().reads(), &format!("{host}:")).await?;
        let me = std::process::id();
        let alive = |pid: u32| std::path::Path::new(&format!("/proc/{pid}")).exists();
        for worker in claimants
            .into_iter()
            .filter(|w| gone_from_this_host(w, &host, me, &self.id, alive))
        {
            let released = self
                .store()
                .write({
                    let worker = worker.clone();
                    move |conn| Box::pin(async move { outbox::release_worker(conn, &worker).await })
                })
                .await?;
            tracing::info!(rows = released, worker = %worker, "released the claims of a process that died on this host");
        }
        Ok(())
    }

    /// While delivery is paused over a refused token: asks the platform
    /// whether it works again when the next check is due (one worker at a
    /// time), and resumes if so. Returns when to look again if still paused.
    async fn paused_for_auth(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let Some(paused) = pause::state(self.store().reads()).await? else {
            return Ok(None);
        };
        let due = from_ms(paused.next_check_at);
        if due > now {
            return Ok(Some(due));
        }
        let next = now + auth_check_backoff(paused.checks + 1);
        let seen = paused.checks;
        let mine = self
            .store()
            .write(move |conn| {
                Box::pin(async move { pause::take_check(conn, seen, now, next).await })
            })
            .await?;
        if !mine {
            // Another worker is asking right now.
            return Ok(Some(now + Duration::seconds(1)));
        }
        match self.transport.check_auth().await {
            Ok(true) => {
                let resumed = self
                    .store()
                    .write(|conn| Box::pin(async move { pause::resume(conn).await }))
                    .await?;
                if resumed {
                    tracing::info!(
                        paused_since = %from_ms(paused.paused_at),
                        "the bot token works again: delivery resumed"
                    );
                }
                Ok(None)
            }
            Ok(false) => {
                tracing::warn!(
                    error = %paused.error,
                    next_check = %next,
                    "delivery stays paused: Slack still refuses the bot token; set a working SLACK_BOT_TOKEN (or reinstall the app)"
                );
                Ok(Some(next))
            }
            Err(e) => {
                tracing::warn!(error = ?e, next_check = %next, "cannot check the bot token; delivery stays paused");
                Ok(Some(next))
            }
        }
    }

    /// One round: sends everything due now (respecting lanes and pauses),
    /// waits for those sends, and says when to look again.
    pub async fn step(&self) -> Result<Round, StoreError> {
        let now = self.clock().now();
        let mut round = Round::default();
        *self.seen.lock().expect("lock") = None;
        if self.ctx.delivery_stopped() {
            // Uninstalled or token revoked: nothing may reach Slack. Rows
            // stay pending until the retention purge or a reinstall.
            return Ok(round);
        }
        if let Some(until) = self.paused_for_auth(now).await? {
            round.next_due = Some(until);
            return Ok(round);
        }
        *self.paused_until.lock().expect("lock") = None;
        let held: HashMap<String, DateTime<Utc>> = lanes::held(self.store().reads(), now)
            .await?
            .into_iter()
            .map(|(lane, at)| (lane, from_ms(at)))
            .collect();
        if let Some(until) = held.get(lanes::WORKSPACE) {
            // A 429 paused every worker.
            round.next_due = Some(*until);
            return Ok(round);
        }
        let rows = outbox::pending(self.store().reads(), SCAN).await?;
        *self.seen.lock().expect("lock") = Some(Seen {
            last_id: rows.last().map_or(0, |r| r.id),
            held: held.clone(),
        });
        let mut blocked: HashSet<String> = HashSet::new();
        let mut due: Vec<OutboxRow> = Vec::new();
        let mut expired: Vec<i64> = Vec::new();
        let mut next_due: Option<DateTime<Utc>> = None;
        let mut note =
            |t: DateTime<Utc>| next_due = Some(next_due.map_or(t, |n: DateTime<Utc>| n.min(t)));
        for row in rows {
            let lane_free_at = row.lane.as_ref().and_then(|l| held.get(l).copied());
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

        let per_second = self.settings.max_per_second;
        for id in expired {
            // A modal trigger lives 3 s: opening it later would only fail.
            if self.expire(id, "expired before it could be sent").await? {
                round.failed += 1;
            }
        }
        // Claim and send in chunks of `max_in_flight`, so no claim waits
        // long enough behind others for its lease to run out.
        let (lease, pace) = (self.lease(), self.pace());
        let mut metered_out = false;
        for chunk in due.chunks(self.settings.max_in_flight.max(1)) {
            if metered_out || self.paused_until.lock().expect("lock").is_some() {
                // This second's calls are used up, or a 429 or a refused
                // token came earlier in this round.
                break;
            }
            let wanted: Vec<(i64, Option<String>)> =
                chunk.iter().map(|r| (r.id, r.lane.clone())).collect();
            let worker = self.id.clone();
            let (claimed, metered): (HashMap<i64, Claimed>, bool) = self
                .store()
                .write(move |conn| {
                    Box::pin(async move {
                        let mut mine = HashMap::new();
                        for (id, lane) in wanted {
                            // The workspace's pace: at most `max_per_second`
                            // calls in any one second, by all workers
                            // together, so a fan-out of thousands of DMs never
                            // runs into Slack's limit (and a 429 storm). The
                            // slot is held while the call is in flight.
                            let Some(rate) =
                                lanes::take_rate_slot(conn, now, per_second, now + lease).await?
                            else {
                                return Ok((mine, true));
                            };
                            let rate = (rate, now + lease);
                            // Then the lane's slot: a worker that cannot take
                            // it leaves the row to the one that did.
                            let slot = match &lane {
                                Some(lane) => {
                                    if !lanes::reserve(conn, lane, now, now + pace).await? {
                                        lanes::release_rate_slot(conn, rate.0, rate.1, now).await?;
                                        continue;
                                    }
                                    Some(now + pace)
                                }
                                None => None,
                            };
                            match outbox::claim(conn, id, &worker, now, now + lease).await? {
                                Some(claim) => {
                                    mine.insert(id, Claimed { claim, slot, rate });
                                }
                                None => {
                                    lanes::release_rate_slot(conn, rate.0, rate.1, now).await?;
                                    if let (Some(lane), Some(until)) = (&lane, slot) {
                                        lanes::give_back(conn, lane, until, now).await?;
                                    }
                                }
                            }
                        }
                        Ok((mine, false))
                    })
                })
                .await?;
            if metered {
                metered_out = true;
                // This second's calls are used up (by us or others): look
                // again when the first slot frees. A slot held by a call
                // in flight elsewhere frees a second after its answer, so
                // look again within a second whatever the holds say.
                let free_at = lanes::rate_free_at(self.store().reads(), per_second)
                    .await?
                    .map(from_ms);
                let second = now + Duration::seconds(1);
                note(
                    free_at
                        .map_or(second, |at| at.min(second))
                        .max(now + Duration::milliseconds(1)),
                );
            }
            if chunk.iter().any(|r| !claimed.contains_key(&r.id)) {
                // A row due now went to no one here: another worker holds
                // its lane or took its claim. Look again shortly: that
                // worker's sends do not wake this process, and if it dies
                // the row's lease is what the next round waits for (without
                // a time to look again this worker would sleep for IDLE).
                note(now + pace.max(Duration::milliseconds(50)));
            }
            let mut sends = JoinSet::new();
            for row in chunk
                .iter()
                .filter(|r| claimed.contains_key(&r.id))
                .cloned()
            {
                let held = claimed[&row.id].clone();
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
                    (row, held, result)
                });
            }
            while let Some(joined) = sends.join_next().await {
                match joined {
                    Ok((row, held, result)) => self.record(&row, &held, result, &mut round).await?,
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

    /// Stores the outcome of one send, fenced on the claim it was sent under.
    async fn record(
        &self,
        row: &OutboxRow,
        held: &Claimed,
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
        // Written with the outcome, in its transaction.
        let (slot, held_until) = held.rate;
        let pacing = Pacing {
            // A call's slot frees a second after its answer; one that made
            // no call is free again now.
            rate: (
                slot,
                held_until,
                now + Duration::seconds(i64::from(called_slack)),
            ),
            lane: row.lane.clone().zip(held.slot).map(|(lane, slot)| {
                if called_slack {
                    LaneEnd::Hold(lane, now + self.pace())
                } else {
                    LaneEnd::GiveBack(lane, slot, now)
                }
            }),
        };
        let id = row.id;
        let claim = held.claim.clone();
        let kept = match result {
            Ok(Delivered { sent, record }) => {
                if let Sent::Skipped(why) = &sent {
                    tracing::info!(outbox_id = id, reason = why, "nothing to send");
                    self.ctx.metrics.delivery(Delivery::Skipped);
                } else {
                    self.ctx.metrics.delivery(Delivery::Sent);
                }
                round.sent += 1;
                self.store()
                    .write(move |conn| {
                        Box::pin(async move {
                            pacing.apply(conn).await?;
                            // Where the post landed is true whoever holds
                            // the row now.
                            if let (Sent::Posted(at), Some(owner)) = (&sent, record) {
                                compose::record_post(conn, owner, at, now).await?;
                            }
                            outbox::mark_sent(conn, id, &claim, now).await
                        })
                    })
                    .await?
            }
            Err(SendError::RateLimited(after)) => {
                let pause = after
                    .and_then(|d| Duration::from_std(d).ok())
                    .filter(|d| *d > Duration::zero())
                    .unwrap_or(DEFAULT_RATE_PAUSE);
                let until = now + pause;
                self.pause_round(until);
                tracing::warn!(
                    outbox_id = id,
                    retry_after_ms = pause.num_milliseconds(),
                    "rate limited by Slack; pausing delivery"
                );
                self.ctx.metrics.delivery(Delivery::RateLimited);
                round.retried += 1;
                self.store()
                    .write(move |conn| {
                        Box::pin(async move {
                            pacing.apply(conn).await?;
                            lanes::hold(conn, lanes::WORKSPACE, until).await?;
                            outbox::reschedule(conn, id, &claim, until, "rate limited (429)").await
                        })
                    })
                    .await?
            }
            Err(SendError::Unauthorized(why)) => {
                self.pause_round(now + AUTH_CHECK_FIRST);
                self.ctx.metrics.delivery(Delivery::Unauthorized);
                round.retried += 1;
                let error = why.clone();
                let (released, started) = self
                    .store()
                    .write(move |conn| {
                        Box::pin(async move {
                            pacing.apply(conn).await?;
                            let started =
                                pause::pause(conn, now, &error, now + AUTH_CHECK_FIRST).await?;
                            let released = outbox::release(
                                conn,
                                id,
                                &claim,
                                &format!("paused: Slack refused the token ({error})"),
                            )
                            .await?;
                            Ok((released, started))
                        })
                    })
                    .await?;
                if started {
                    tracing::error!(
                        outbox_id = id,
                        error = %why,
                        "Slack refused the bot token: delivery paused, messages stay queued; it resumes when auth.test succeeds"
                    );
                }
                released
            }
            Err(SendError::Transient(why)) => {
                let age = now - from_ms(row.created_at);
                if age
                    > Duration::from_std(self.settings.give_up_after).unwrap_or(Duration::days(1))
                {
                    self.ctx.metrics.delivery(Delivery::Failed);
                    round.failed += 1;
                    self.fail(
                        id,
                        &claim,
                        &format!("gave up after {} attempts: {why}", row.attempts + 1),
                        pacing,
                    )
                    .await?
                } else {
                    let at = now + backoff(row.attempts + 1);
                    tracing::warn!(outbox_id = id, attempt = row.attempts + 1, error = %why, retry_at = %at, "send failed; will retry");
                    self.ctx.metrics.delivery(Delivery::Retried);
                    round.retried += 1;
                    self.reschedule(id, &claim, at, &why, pacing).await?
                }
            }
            Err(SendError::Defer(at, why)) => self.reschedule(id, &claim, at, why, pacing).await?,
            Err(SendError::Permanent(why)) => {
                self.ctx.metrics.delivery(Delivery::Failed);
                round.failed += 1;
                self.fail(id, &claim, &why, pacing).await?
            }
        };
        if !kept {
            // Our lease ran out and another worker took the row over: its
            // outcome is theirs to record. (Only a send slower than the
            // lease gets here, and the timeout is shorter than the lease.)
            tracing::warn!(
                outbox_id = id,
                worker = %self.id,
                "lost the claim on a row while sending it; leaving it to the worker that holds it"
            );
        }
        Ok(())
    }

    /// Nothing more in this round (the database holds the other workers).
    fn pause_round(&self, until: DateTime<Utc>) {
        let mut paused = self.paused_until.lock().expect("lock");
        *paused = Some(paused.map_or(until, |p| p.max(until)));
    }

    async fn reschedule(
        &self,
        id: i64,
        claim: &Claim,
        at: DateTime<Utc>,
        why: &str,
        pacing: Pacing,
    ) -> Result<bool, StoreError> {
        let (why, claim) = (why.to_owned(), claim.clone());
        self.store()
            .write(move |conn| {
                Box::pin(async move {
                    pacing.apply(conn).await?;
                    outbox::reschedule(conn, id, &claim, at, &why).await
                })
            })
            .await
    }

    async fn fail(
        &self,
        id: i64,
        claim: &Claim,
        why: &str,
        pacing: Pacing,
    ) -> Result<bool, StoreError> {
        tracing::error!(
            outbox_id = id,
            reason = why,
            "giving up on an outgoing message"
        );
        let (why, claim) = (why.to_owned(), claim.clone());
        let now = self.clock().now();
        self.store()
            .write(move |conn| {
                Box::pin(async move {
                    pacing.apply(conn).await?;
                    outbox::mark_failed(conn, id, &claim, now, &why).await
                })
            })
            .await
    }

    async fn expire(&self, id: i64, why: &str) -> Result<bool, StoreError> {
        let why_owned = why.to_owned();
        let now = self.clock().now();
        let expired = self
            .store()
            .write(move |conn| {
                Box::pin(async move { outbox::expire(conn, id, now, &why_owned).await })
            })
            .await?;
        if expired {
            tracing::error!(
                outbox_id = id,
                reason = why,
                "giving up on an outgoing message"
            );
            self.ctx.metrics.delivery(Delivery::Failed);
        }
        Ok(expired)
    }
}

/// A row this worker holds: its claim, and the lane slot it took with it.
#[derive(Debug, Clone)]
struct Claimed {
    claim: Claim,
    /// Until when the claim holds the row's lane (`None`: no lane).
    slot: Option<DateTime<Utc>>,
    /// The workspace call slot it took ([`lanes::take_rate_slot`]), and
    /// until when it is held.
    rate: (i64, DateTime<Utc>),
}

/// What a finished send does to the shared pace, written with its outcome.
#[derive(Debug)]
struct Pacing {
    /// The workspace call slot the row was claimed with, until when it was
    /// held, and when it frees.
    rate: (i64, DateTime<Utc>, DateTime<Utc>),
    lane: Option<LaneEnd>,
}

#[derive(Debug)]
enum LaneEnd {
    /// The call ended: the next on this lane waits the pace from now.
    Hold(String, DateTime<Utc>),
    /// No call was made: the slot taken at the claim is given back.
    GiveBack(String, DateTime<Utc>, DateTime<Utc>),
}

impl Pacing {
    async fn apply(self, conn: &mut crate::store::Conn) -> Result<(), StoreError> {
        let (slot, held, free_at) = self.rate;
        lanes::release_rate_slot(conn, slot, held, free_at).await?;
        match self.lane {
            Some(LaneEnd::Hold(lane, until)) => lanes::hold(conn, &lane, until).await,
            Some(LaneEnd::GiveBack(lane, slot, now)) => {
                lanes::give_back(conn, &lane, slot, now).await
            }
            None => Ok(()),
        }
    }
}

/// Where this process's pids mean something: the host name and the pid
/// namespace (two containers on one host may share a name, never a pid
/// namespace), e.g. `web-1@4026531836`. `None` where Linux's /proc is not.
fn process_home() -> Option<String> {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").ok()?;
    let ns = std::fs::read_link("/proc/self/ns/pid").ok()?;
    let ns: String = ns
        .to_string_lossy()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let name: String = name
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
        .collect();
    (!name.is_empty() && !ns.is_empty()).then(|| format!("{name}@{ns}"))
}

/// Whether the worker `id` (`host:pid:random`) was a process on this host
/// that is gone: its pid is not running, or it is our own pid with another
/// worker's id (a container restarted as pid 1 again; one worker per
/// process). Where liveness cannot be told (`alive` false for every pid on a
/// system without /proc), only our own pid's stale ids are released.
fn gone_from_this_host(
    id: &str,
    host: &str,
    me: u32,
    my_id: &str,
    alive: impl Fn(u32) -> bool,
) -> bool {
    let mut parts = id.splitn(3, ':');
    let (Some(h), Some(pid), Some(_)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    if h != host || id == my_id {
        return false;
    }
    if pid == me {
        return true;
    }
    alive(me) && !alive(pid)
}

/// Waits between `auth.test` checks while the token is refused: 15 s, 30 s,
/// 1 min, … 5 min.
fn auth_check_backoff(check: i64) -> Duration {
    let first = AUTH_CHECK_FIRST.num_milliseconds();
    let ms = first.saturating_mul(1i64 << check.clamp(1, 20).saturating_sub(1));
    Duration::milliseconds(ms.min(AUTH_CHECK_CAP.num_milliseconds()))
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
    fn only_gone_processes_of_this_host_lose_their_claims_at_start() {
        let running = |pid: u32| [1, 40, 77].contains(&pid);
        let gone = |id: &str| gone_from_this_host(id, "web-1", 40, "web-1:40:aa", running);
        // A process that died here, and an earlier life of our own pid.
        assert!(gone("web-1:12:bb"));
        assert!(gone("web-1:40:cc"));
        // Ourselves, a process still running here, another host, junk.
        assert!(!gone("web-1:40:aa"));
        assert!(!gone("web-1:77:dd"));
        assert!(!gone("web-2:12:bb"));
        assert!(!gone("web-1:x:bb"));
        assert!(!gone("dead-host"));
        // Without /proc nobody looks alive: only our own pid's stale ids go.
        let blind = |id: &str| gone_from_this_host(id, "web-1", 40, "web-1:40:aa", |_| false);
        assert!(!blind("web-1:12:bb"));
        assert!(blind("web-1:40:cc"));
    }

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
