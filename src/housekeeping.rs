//! The hourly housekeeping pass of `serve`: prune old history, purge all
//! data once the app has been uninstalled for longer than the retention
//! period, resume delivery after a reinstall, and learn people's names for
//! the privacy guard (see `app::people::learn_names`), and forget what only
//! mattered for a while: replay-memory hashes whose requests can no longer
//! pass the signature check (and Teams activity ids past their retries),
//! and channels' pace slots long past.

use crate::app::AppContext;
use crate::app::data_rights;
use crate::app::people::{self, NamesPass};
use crate::config::DataSettings;
use crate::slack::client::SlackTransport;
use crate::store::data_rights as store;
use chrono::Duration;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

const EVERY: Duration = Duration::hours(1);

pub struct Housekeeper {
    ctx: AppContext,
    data: DataSettings,
    /// Present when a bot token is configured: used to see whether a
    /// stopped app was installed again.
    slack: Option<Arc<SlackTransport>>,
    /// Whether delivery was stopped when this process started. The first
    /// pass checks the token only then: a stop that arrives while running
    /// is checked an hour later, when a reinstall is plausible.
    stopped_at_start: bool,
    /// Whether this instance learns people's names from Slack. Only the
    /// instance that runs the scheduler does: web-only replicas would each
    /// ask Slack the same questions.
    learn_names: bool,
}

impl Housekeeper {
    pub fn new(ctx: AppContext, data: DataSettings, slack: Option<Arc<SlackTransport>>) -> Self {
        let stopped_at_start = ctx.delivery_stopped();
        Self {
            ctx,
            data,
            slack,
            stopped_at_start,
            learn_names: false,
        }
    }

    /// Learns people's names at start and every pass (see the field).
    pub fn learning_names(mut self, on: bool) -> Self {
        self.learn_names = on;
        self
    }

    pub async fn run(self, stop: CancellationToken) {
        let mut check_token = self.stopped_at_start;
        loop {
            // The next pass is due an hour after this one started, not
            // after it ended: a slow pass (a remote database, a long names
            // pass) must not push every later pass back.
            let next = self.ctx.clock.now() + EVERY;
            self.pass(check_token).await;
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = self.learn_names() => {}
            }
            check_token = true;
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = self.ctx.clock.sleep_until(next) => {}
            }
        }
    }

    /// One pass; failures are logged and retried at the next pass.
    pub async fn pass(&self, check_token: bool) {
        // Pick up changes other processes made (e.g. `alignbot forget-user`).
        if let Err(e) = self.ctx.reload_directory().await {
            tracing::warn!(error = %e, "cannot reload the organization");
        }
        if check_token && self.ctx.delivery_stopped() {
            self.maybe_resume().await;
        }
        let now = self.ctx.clock.now();
        let forgotten = self
            .ctx
            .store
            .write(move |conn| {
                Box::pin(async move {
                    let replays = crate::store::replays::prune(conn, now).await?
                        + crate::store::teams_conversations::prune(conn, now).await?;
                    let lanes = crate::store::lanes::prune(conn, now - Duration::hours(1)).await?;
                    Ok((replays, lanes))
                })
            })
            .await;
        match forgotten {
            Ok((replays, lanes)) => {
                tracing::debug!(
                    replays,
                    lanes,
                    "forgot expired replay hashes and idle lanes"
                )
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot prune the replay memory; retrying in an hour")
            }
        }
        let keep_history = Duration::days(i64::from(self.data.history_days));
        let keep_after = Duration::days(i64::from(self.data.retention_after_uninstall_days));
        match data_rights::housekeeping(&self.ctx, keep_history, keep_after).await {
            Ok(done) if done.pruned > 0 => {
                tracing::info!(rows = done.pruned, "pruned old delivery history")
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "housekeeping failed; retrying in an hour"),
        }
    }

    /// Paced, so with many people it takes minutes: `run` drops it at
    /// shutdown (each person's names are written on their own, so a pass
    /// cut short keeps what it learned).
    async fn learn_names(&self) {
        if !self.learn_names || self.ctx.delivery_stopped() {
            return;
        }
        let Some(slack) = &self.slack else { return };
        match people::learn_names(&self.ctx, slack.as_ref(), NamesPass::default()).await {
            Ok(done) if done.learned > 0 || done.remaining > 0 => tracing::info!(
                learned = done.learned,
                remaining = done.remaining,
                rate_limited = done.rate_limited,
                "learned people's names for the privacy guard"
            ),
            Ok(_) => {}
            Err(e) => {
                tracing::error!(error = %e, "cannot learn people's names; retrying in an hour")
            }
        }
    }

    async fn maybe_resume(&self) {
        let Some(slack) = &self.slack else { return };
        match slack.token_works().await {
            Ok(true) => {
                let resumed = self
                    .ctx
                    .store
                    .write(|conn| {
                        Box::pin(async move {
                            store::resume_delivery(conn).await?;
                            // The token works: a pause over a refused one is over too.
                            crate::store::pause::resume(conn).await?;
                            Ok(())
                        })
                    })
                    .await;
                match resumed {
                    Ok(()) => {
                        self.ctx.set_delivery_stopped(false);
                        self.ctx.wake_delivery();
                        tracing::info!("the bot token works again: delivery resumed");
                    }
                    Err(e) => tracing::error!(error = %e, "cannot resume delivery"),
                }
            }
            Ok(false) => tracing::warn!(
                "delivery stays stopped: the app was uninstalled or its token revoked; install it again and set the new SLACK_BOT_TOKEN"
            ),
            Err(e) => {
                tracing::warn!(error = ?e, "cannot check the bot token; delivery stays stopped")
            }
        }
    }
}
