//! slack-morphism's Web API client at `SLACK_API_URL`, and the transport
//! that delivers outbox messages through it.
//!
//! The client is built on our own connector so that plain `http://` works
//! for a local fake or proxy (the library's default connector is
//! https-only). The library's own throttling stays off: the outbox worker
//! owns pacing and retries, so nothing is retried twice by two layers.

use crate::app::AppContext;
use crate::app::home;
use crate::app::outgoing::{Modal, Outgoing};
use crate::delivery::{SendError, Sent, Transport};
use crate::domain::goal::{Goal, GoalId, PlanYear};
use crate::domain::moment::MomentStatus;
use crate::domain::{MomentId, PersonId};
use crate::scheduler::schedule::Month;
use crate::slack::ids;
use crate::slack::render::{self, modal::FormValues};
use crate::store::goals::GoalFilter;
use crate::store::moments;
use chrono::TimeZone;
use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::sync::Arc;

/// Builds the Web API client for `api_url` (http or https).
pub fn build_client(api_url: &str) -> std::io::Result<Arc<SlackHyperClient>> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .build();
    // slack-morphism joins the base and the method with "/", so a trailing
    // slash (as in the documented default) would give "//chat.postMessage".
    let base = api_url.trim_end_matches('/');
    Ok(Arc::new(SlackClient::new(
        SlackClientHyperConnector::from(https).with_slack_api_url(base),
    )))
}

/// Delivers [`Outgoing`] messages as Slack Web API calls.
pub struct SlackTransport {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
    ctx: AppContext,
}

impl SlackTransport {
    pub fn new(client: Arc<SlackHyperClient>, bot_token: &SecretString, ctx: AppContext) -> Self {
        Self {
            client,
            token: SlackApiToken::new(bot_token.expose_secret().into()),
            ctx,
        }
    }
}

impl Transport for SlackTransport {
    fn send<'a>(&'a self, message: &'a Outgoing) -> BoxFuture<'a, Result<Sent, SendError>> {
        Box::pin(self.deliver(message))
    }
}

impl SlackTransport {
    /// Asks Slack (auth.test) whether the bot token works: after an
    /// uninstall, a reinstall with a fresh token lets delivery resume.
    /// `Err` means Slack could not be asked (try again later).
    pub async fn token_works(&self) -> Result<bool, SendError> {
        let session = self.client.open_session(&self.token);
        match session.auth_test().await.map_err(classify) {
            Ok(_) => Ok(true),
            Err(SendError::Permanent(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    async fn deliver(&self, message: &Outgoing) -> Result<Sent, SendError> {
        let session = self.client.open_session(&self.token);
        if let Outgoing::ProgressNudge {
            person,
            local_at: Some(at),
            ..
        }
        | Outgoing::MomentsNudge {
            person,
            local_at: Some(at),
            ..
        }
        | Outgoing::PrioritiesNudge {
            person,
            local_at: Some(at),
            ..
        } = message
        {
            self.wait_for_local_time(&session, person, at).await?;
        }
        match message {
            Outgoing::PostMoment { moment, channel } => {
                let Some(m) = self.moment(*moment).await? else {
                    return Ok(Sent::Skipped("moment no longer exists"));
                };
                if m.status != MomentStatus::Shared {
                    return Ok(Sent::Skipped("moment was deleted before it was posted"));
                }
                if m.post.is_some() {
                    return Ok(Sent::Skipped("moment was already posted"));
                }
                let content = render::moment::post(&m, &self.ctx.directory());
                let req = SlackApiChatPostMessageRequest::new(channel.as_str().into(), content)
                    .with_unfurl_links(false)
                    .with_unfurl_media(false);
                let resp = session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::Posted {
                    moment: *moment,
                    channel: resp.channel.to_string(),
                    ts: resp.ts.to_string(),
                })
            }
            Outgoing::UpdateMoment { moment, .. } => {
                let Some(m) = self.moment(*moment).await? else {
                    return Ok(Sent::Skipped("moment no longer exists"));
                };
                let (Some((channel, ts)), MomentStatus::Shared) = (m.post.clone(), m.status) else {
                    return Ok(Sent::Skipped("moment has no live post to update"));
                };
                let content = render::moment::post(&m, &self.ctx.directory());
                update_post(&session, Some((channel, ts)), content).await
            }
            Outgoing::DeleteMoment { moment, .. } => {
                let Some(m) = self.moment(*moment).await? else {
                    return Ok(Sent::Skipped("moment no longer exists"));
                };
                let Some((channel, ts)) = m.post else {
                    return Ok(Sent::Skipped("moment was never posted"));
                };
                let req = SlackApiChatDeleteRequest::new(channel.into(), ts.into());
                match session.chat_delete(&req).await {
                    Ok(_) => Ok(Sent::Done),
                    // Someone (an admin in Slack) removed it already: done.
                    Err(SlackClientError::ApiError(e)) if e.code == "message_not_found" => {
                        Ok(Sent::Skipped("post was already gone"))
                    }
                    Err(e) => Err(classify(e)),
                }
            }
            Outgoing::PublishHome { person } => {
                let data = home::load(&self.ctx, person.clone())
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                let req = SlackApiViewsPublishRequest::new(
                    person.as_str().into(),
                    render::home::view(&data),
                );
                session.views_publish(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::OpenModal { trigger, modal } => {
                let Some(view) = self.modal(modal).await? else {
                    return Ok(Sent::Skipped("the moment to edit no longer exists"));
                };
                let req = SlackApiViewsOpenRequest::new(trigger.as_str().into(), view);
                session.views_open(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::UpdateModal { view, modal } => {
                let Some(rendered) = self.modal(modal).await? else {
                    return Ok(Sent::Skipped("the moment to edit no longer exists"));
                };
                let req =
                    SlackApiViewsUpdateRequest::new(rendered).with_view_id(view.as_str().into());
                session.views_update(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::PostProposal { proposal, channel } => {
                let Some(p) = self.proposal(*proposal).await? else {
                    return Ok(Sent::Skipped("proposal no longer exists"));
                };
                if p.post.is_some() {
                    return Ok(Sent::Skipped("proposal was already posted"));
                }
                let req = SlackApiChatPostMessageRequest::new(
                    channel.as_str().into(),
                    render::proposal::post(&p, &self.ctx.directory()),
                )
                .with_unfurl_links(false);
                let resp = session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::PostedProposal {
                    proposal: *proposal,
                    channel: resp.channel.to_string(),
                    ts: resp.ts.to_string(),
                })
            }
            Outgoing::UpdateProposal { proposal, .. } => {
                let Some(p) = self.proposal(*proposal).await? else {
                    return Ok(Sent::Skipped("proposal no longer exists"));
                };
                let content = render::proposal::post(&p, &self.ctx.directory());
                update_post(&session, p.post.clone(), content).await
            }
            Outgoing::ProposalComment {
                proposal, comment, ..
            } => {
                let Some(p) = self.proposal(*proposal).await? else {
                    return Ok(Sent::Skipped("proposal no longer exists"));
                };
                let Some((channel, ts)) = p.post.clone() else {
                    return Ok(Sent::Skipped("proposal was never posted"));
                };
                let found = crate::store::proposals::comment(self.ctx.store.reads(), *comment)
                    .await
                    .map_err(|e| SendError::Transient(e.to_string()))?;
                let Some((author, text)) = found else {
                    return Ok(Sent::Skipped("comment no longer exists"));
                };
                let req = SlackApiChatPostMessageRequest::new(
                    channel.into(),
                    render::proposal::comment(&author, &text),
                )
                .with_thread_ts(ts.into())
                .with_unfurl_links(false);
                session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::ProposalDecided { proposal, .. } => {
                let Some(p) = self.proposal(*proposal).await? else {
                    return Ok(Sent::Skipped("proposal no longer exists"));
                };
                let Some((channel, ts)) = p.post.clone() else {
                    return Ok(Sent::Skipped("proposal was never posted"));
                };
                let owner = match p.goal {
                    Some(g) => self.goal(g).await?.map(|g| g.owner.to_string()),
                    None => None,
                };
                let req = SlackApiChatPostMessageRequest::new(
                    channel.into(),
                    render::proposal::decided(&p, owner.as_deref()),
                )
                .with_thread_ts(ts.into());
                session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::Kickoff {
                team,
                year,
                channel,
            } => {
                let last_year =
                    crate::store::goals::for_team_year(self.ctx.store.reads(), team, year - 1, 20)
                        .await
                        .map_err(|e| SendError::Transient(e.to_string()))?;
                let content =
                    render::proposal::kickoff(&self.ctx.directory(), team, *year, &last_year);
                let req = SlackApiChatPostMessageRequest::new(channel.as_str().into(), content)
                    .with_unfurl_links(false);
                session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::ProgressNudge { nudge, person, .. }
            | Outgoing::UpdateProgressNudge { nudge, person } => {
                let Some(n) = crate::store::jobs::nudge(self.ctx.store.reads(), *nudge)
                    .await
                    .map_err(transient)?
                else {
                    return Ok(Sent::Skipped("nudge no longer exists"));
                };
                let Some(month) = Month::parse(&n.period) else {
                    return Ok(Sent::Skipped("nudge has no readable period"));
                };
                let dir = self.ctx.directory();
                let year =
                    PlanYear::new(month.year).map_err(|e| SendError::Permanent(e.to_string()))?;
                let goals = crate::store::goals::list(
                    self.ctx.store.reads(),
                    &GoalFilter::Owner(person.clone()),
                    year,
                    20,
                    0,
                )
                .await
                .map_err(transient)?;
                let content = render::digest::progress_nudge(
                    &goals,
                    &month.label(),
                    month.start(dir.org.timezone),
                    &dir,
                );
                if let Outgoing::UpdateProgressNudge { .. } = message {
                    return update_post(&session, n.post, content).await;
                }
                if n.post.is_some() {
                    return Ok(Sent::Skipped("nudge was already posted"));
                }
                self.post_nudge(&session, *nudge, person, content).await
            }
            Outgoing::MomentsNudge { nudge, person, .. } => {
                let posted = crate::store::jobs::nudge(self.ctx.store.reads(), *nudge)
                    .await
                    .map_err(transient)?;
                if posted.is_none_or(|n| n.post.is_some()) {
                    return Ok(Sent::Skipped(
                        "nudge was already posted or no longer exists",
                    ));
                }
                let content = render::digest::moments_nudge(&self.ctx.directory());
                self.post_nudge(&session, *nudge, person, content).await
            }
            Outgoing::MomentsDigest { period, channel } => {
                let Some(month) = Month::parse(period) else {
                    return Ok(Sent::Skipped("digest has no readable period"));
                };
                let dir = self.ctx.directory();
                let (from, to) = (month.start(dir.org.timezone), month.end(dir.org.timezone));
                let pool = self.ctx.store.reads();
                let moments = crate::store::report::moments_of_month(pool, from, to, 40)
                    .await
                    .map_err(transient)?;
                let recognized = crate::store::report::recognitions_of(pool, from, to)
                    .await
                    .map_err(transient)?;
                let items: Vec<render::digest::DigestMoment> = moments
                    .into_iter()
                    .map(
                        |(id, author, story, pillar, reactions)| render::digest::DigestMoment {
                            author,
                            story,
                            pillar,
                            reactions,
                            recognized: recognized
                                .iter()
                                .filter(|(m, _)| *m == id)
                                .map(|(_, p)| p.clone())
                                .collect(),
                        },
                    )
                    .collect();
                let content = render::digest::moments_digest(&month.label(), &items, &dir);
                let req = SlackApiChatPostMessageRequest::new(channel.as_str().into(), content)
                    .with_unfurl_links(false);
                session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::LeadershipDigest { period, channel } => {
                let Some(month) = Month::parse(period) else {
                    return Ok(Sent::Skipped("digest has no readable period"));
                };
                let dir = self.ctx.directory();
                let tz = dir.org.timezone;
                let (from, to) = (month.start(tz), month.end(tz));
                let two_months_ago = month.prev().start(tz);
                let pool = self.ctx.store.reads();
                let (active_goals, checked_in, at_risk) =
                    crate::store::report::check_in_totals(pool, month.year, from)
                        .await
                        .map_err(transient)?;
                let moments_per_pillar = crate::store::report::moments_per_pillar(pool, from, to)
                    .await
                    .map_err(transient)?;
                let recent_moments =
                    crate::store::report::moments_per_pillar(pool, two_months_ago, to)
                        .await
                        .map_err(transient)?;
                let recent_check_ins =
                    crate::store::report::check_ins_per_pillar(pool, two_months_ago, to)
                        .await
                        .map_err(transient)?;
                let drifting = dir
                    .active_pillars()
                    .filter(|p| {
                        let key = p.key.as_str();
                        !recent_moments.iter().any(|(k, n)| k == key && *n > 0)
                            && !recent_check_ins.iter().any(|(k, n)| k == key && *n > 0)
                    })
                    .map(|p| p.key.to_string())
                    .collect();
                let reminded =
                    crate::store::jobs::run_started(pool, "priorities-reminder", &month.key())
                        .await
                        .map_err(transient)?;
                let published = crate::store::priorities::published_teams(pool, &month.key())
                    .await
                    .map_err(transient)?
                    .into_iter()
                    .map(|(team, at)| {
                        let on_time =
                            reminded.is_none_or(|r| crate::store::moments::from_millis(at) < r);
                        (team, on_time)
                    })
                    .collect();
                let numbers = render::digest::LeadershipNumbers {
                    published,
                    active_goals,
                    checked_in,
                    at_risk,
                    moments_per_pillar,
                    drifting,
                };
                let content = render::digest::leadership_digest(&month.label(), &numbers, &dir);
                let req = SlackApiChatPostMessageRequest::new(channel.as_str().into(), content)
                    .with_unfurl_links(false);
                session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::PostPriorities { priority, channel }
            | Outgoing::UpdatePriorities { priority, channel } => {
                let Some((p, team, month)) = self.priorities(*priority).await? else {
                    return Ok(Sent::Skipped("priorities or their team no longer exist"));
                };
                let goals = self.team_goals(&team, month).await?;
                let content = render::priorities::post(&p, &team, &month.label(), &goals);
                if let Outgoing::UpdatePriorities { .. } = message {
                    return update_post(&session, p.post, content).await;
                }
                if p.post.is_some() {
                    return Ok(Sent::Skipped("the priorities were already posted"));
                }
                let req = SlackApiChatPostMessageRequest::new(channel.as_str().into(), content)
                    .with_unfurl_links(false);
                let resp = session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::PostedPriorities {
                    priority: *priority,
                    channel: resp.channel.to_string(),
                    ts: resp.ts.to_string(),
                })
            }
            Outgoing::PrioritiesSummary { priority, channel } => {
                let Some((p, team, month)) = self.priorities(*priority).await? else {
                    return Ok(Sent::Skipped("priorities or their team no longer exist"));
                };
                let req = SlackApiChatPostMessageRequest::new(
                    channel.as_str().into(),
                    render::priorities::summary(&p, &team, &month.label()),
                );
                session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::PrioritiesNudge {
                nudge,
                person,
                team,
                reminder,
                ..
            } => {
                let Some(n) = crate::store::jobs::nudge(self.ctx.store.reads(), *nudge)
                    .await
                    .map_err(transient)?
                else {
                    return Ok(Sent::Skipped("nudge no longer exists"));
                };
                if n.post.is_some() {
                    return Ok(Sent::Skipped("nudge was already posted"));
                }
                let Some((team, month)) = self.team_month(team.as_str(), &n.period) else {
                    return Ok(Sent::Skipped("the team no longer exists"));
                };
                let goals = self.team_goals(&team, month).await?;
                let content =
                    render::priorities::nudge(&team, &month.label(), &goals, false, *reminder);
                self.post_nudge(&session, *nudge, person, content).await
            }
            Outgoing::MissingPriorities { period, person } => {
                let Some(month) = Month::parse(period) else {
                    return Ok(Sent::Skipped("no readable period"));
                };
                let published: Vec<String> =
                    crate::store::priorities::published_teams(self.ctx.store.reads(), period)
                        .await
                        .map_err(transient)?
                        .into_iter()
                        .map(|(team, _)| team)
                        .collect();
                let dir = self.ctx.directory();
                let missing: Vec<&crate::domain::Team> = dir
                    .teams
                    .iter()
                    .filter(|t| !published.iter().any(|p| p == t.key.as_str()))
                    .collect();
                if missing.is_empty() {
                    return Ok(Sent::Skipped("every team has published meanwhile"));
                }
                let content = render::priorities::missing(&month.label(), &missing);
                let req = SlackApiChatPostMessageRequest::new(person.as_str().into(), content);
                session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Outgoing::UpdatePrioritiesNudge { nudge, .. } => {
                let Some(n) = crate::store::jobs::nudge(self.ctx.store.reads(), *nudge)
                    .await
                    .map_err(transient)?
                else {
                    return Ok(Sent::Skipped("nudge no longer exists"));
                };
                let Some((channel, ts)) = n.post.clone() else {
                    return Ok(Sent::Skipped("the nudge was not posted yet"));
                };
                let dir = self.ctx.directory();
                let person =
                    PersonId::parse(&n.person).map_err(|e| SendError::Permanent(e.to_string()))?;
                let Some(team) = dir
                    .teams
                    .iter()
                    .find(|t| t.leaders.contains(&person))
                    .cloned()
                else {
                    return Ok(Sent::Skipped("the leader no longer leads a team"));
                };
                let Some((team, month)) = self.team_month(team.key.as_str(), &n.period) else {
                    return Ok(Sent::Skipped("the team no longer exists"));
                };
                let goals = self.team_goals(&team, month).await?;
                let content = render::priorities::nudge(&team, &month.label(), &goals, true, false);
                update_post(&session, Some((channel, ts)), content).await
            }
            Outgoing::Reply { to, reply } => {
                let url: url::Url = to.parse().map_err(|_| {
                    SendError::Permanent(format!("reply address is not a URL: {to}"))
                })?;
                let content = SlackMessageContent::new()
                    .with_text(render::escape(&reply.text))
                    .with_blocks(vec![render::section(render::markdown(&render::escape(
                        &reply.text,
                    )))]);
                let req = SlackApiPostWebhookMessageRequest::new(content)
                    .with_replace_original(reply.replace_original);
                self.client
                    .respond_to_event(&SlackResponseUrl::new(url), &req)
                    .await
                    .map_err(classify)?;
                Ok(Sent::Done)
            }
        }
    }

    async fn moment(
        &self,
        id: MomentId,
    ) -> Result<Option<crate::domain::moment::Moment>, SendError> {
        let mut conn = self
            .ctx
            .store
            .reads()
            .acquire()
            .await
            .map_err(|e| SendError::Transient(format!("database: {e}")))?;
        moments::get(&mut conn, id)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))
    }

    /// Posts a nudge to the person's DM with the app (a user id as channel
    /// reaches the app's Messages tab) and remembers where it landed.
    async fn post_nudge(
        &self,
        session: &SlackClientSession<'_, SlackClientHyperHttpsConnector>,
        nudge: i64,
        person: &PersonId,
        content: SlackMessageContent,
    ) -> Result<Sent, SendError> {
        let req = SlackApiChatPostMessageRequest::new(person.as_str().into(), content)
            .with_unfurl_links(false);
        let resp = session.chat_post_message(&req).await.map_err(classify)?;
        Ok(Sent::PostedNudge {
            nudge,
            channel: resp.channel.to_string(),
            ts: resp.ts.to_string(),
        })
    }

    fn team_month(&self, team: &str, period: &str) -> Option<(crate::domain::Team, Month)> {
        let dir = self.ctx.directory();
        let team = dir.teams.iter().find(|t| t.key.as_str() == team)?.clone();
        Some((team, Month::parse(period)?))
    }

    async fn priorities(
        &self,
        id: i64,
    ) -> Result<
        Option<(
            crate::store::priorities::Published,
            crate::domain::Team,
            Month,
        )>,
        SendError,
    > {
        let mut conn = self.ctx.store.reads().acquire().await.map_err(transient)?;
        let Some(p) = crate::store::priorities::get(&mut conn, id)
            .await
            .map_err(transient)?
        else {
            return Ok(None);
        };
        Ok(self
            .team_month(&p.team, &p.period)
            .map(|(team, month)| (p, team, month)))
    }

    /// A nudge is due at the job's local time in the person's own zone
    /// (from users.info, cached). Later than now: `Defer` until then. A
    /// zone that cannot be learned never holds a nudge back.
    async fn wait_for_local_time(
        &self,
        session: &SlackClientSession<'_, SlackClientHyperHttpsConnector>,
        person: &PersonId,
        local_at: &str,
    ) -> Result<(), SendError> {
        let Ok(local) = chrono::NaiveDateTime::parse_from_str(local_at, "%Y-%m-%dT%H:%M") else {
            return Ok(());
        };
        let cached = crate::store::people::tz_of(self.ctx.store.reads(), person.as_str())
            .await
            .map_err(transient)?;
        let tz_name = match cached {
            Some(tz) => Some(tz),
            None => {
                let req = SlackApiUsersInfoRequest::new(person.as_str().into());
                match session.users_info(&req).await {
                    Ok(resp) => {
                        let tz = resp.user.tz.clone();
                        if let Some(tz) = tz.clone().filter(|t| t.parse::<chrono_tz::Tz>().is_ok())
                        {
                            let (who, now) = (person.to_string(), self.ctx.clock.now());
                            self.ctx
                                .store
                                .write(move |conn| {
                                    Box::pin(async move {
                                        crate::store::people::set_tz(conn, &who, &tz, now).await
                                    })
                                })
                                .await
                                .map_err(transient)?;
                        }
                        tz
                    }
                    Err(SlackClientError::RateLimitError(e)) => {
                        return Err(SendError::RateLimited(e.retry_after));
                    }
                    Err(e) => {
                        tracing::warn!(%person, error = %e, "no time zone for a person; nudging at the org's time");
                        None
                    }
                }
            }
        };
        let Some(tz) = tz_name.and_then(|t| t.parse::<chrono_tz::Tz>().ok()) else {
            return Ok(());
        };
        let due = match tz.from_local_datetime(&local) {
            chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => {
                t.with_timezone(&chrono::Utc)
            }
            chrono::LocalResult::None => return Ok(()),
        };
        if due > self.ctx.clock.now() + chrono::Duration::seconds(30) {
            return Err(SendError::Defer(
                due,
                "waiting for the job's hour in the person's time zone",
            ));
        }
        Ok(())
    }

    async fn team_goals(
        &self,
        team: &crate::domain::Team,
        month: Month,
    ) -> Result<Vec<Goal>, SendError> {
        let year = PlanYear::new(month.year).map_err(|e| SendError::Permanent(e.to_string()))?;
        crate::store::goals::list(
            self.ctx.store.reads(),
            &GoalFilter::Team(team.key.clone()),
            year,
            8,
            0,
        )
        .await
        .map_err(transient)
    }

    async fn proposal(
        &self,
        id: i64,
    ) -> Result<Option<crate::store::proposals::Proposal>, SendError> {
        crate::store::proposals::get(self.ctx.store.reads(), id)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))
    }

    async fn goal(&self, id: GoalId) -> Result<Option<Goal>, SendError> {
        crate::store::goals::get(self.ctx.store.reads(), id)
            .await
            .map_err(|e| SendError::Transient(e.to_string()))
    }

    async fn modal(&self, modal: &Modal) -> Result<Option<SlackView>, SendError> {
        let directory = self.ctx.directory();
        Ok(Some(match modal {
            Modal::ShareMoment(prefill) => render::modal::share(
                &directory,
                &FormValues::from(prefill),
                &render::modal::ModalMeta {
                    replaces: prefill.draft.map(|d| d.0),
                    ..Default::default()
                },
                None,
            ),
            Modal::EditMoment { moment } => {
                let Some(m) = self.moment(*moment).await? else {
                    return Ok(None);
                };
                if m.status == MomentStatus::Deleted {
                    return Ok(None);
                }
                let values = FormValues {
                    story: m.story.clone(),
                    pillar: m.pillar.as_ref().map(ToString::to_string),
                    recognized: m.recognized.iter().map(PersonId::to_string).collect(),
                    audience: m.audience,
                };
                render::modal::edit(&directory, &m, &values, None)
            }
            Modal::Notice { title, text } => render::modal::notice(title, text),
            Modal::CheckIn { goal } => {
                let Some(goal) = self.goal(*goal).await? else {
                    return Ok(None);
                };
                render::goal::check_in_modal(&goal)
            }
            Modal::NewGoal { propose, owner } => {
                let values = render::goal::GoalFormValues {
                    owner: owner.as_ref().map(ToString::to_string),
                    ..Default::default()
                };
                if *propose {
                    render::goal::goal_form(
                        &directory,
                        ids::GOAL_PROPOSE_CALLBACK,
                        "Propose a goal",
                        "Propose",
                        &values,
                        None,
                    )
                } else {
                    render::goal::goal_form(
                        &directory,
                        ids::GOAL_ADD_CALLBACK,
                        "Add a goal",
                        "Add goal",
                        &values,
                        None,
                    )
                }
            }
            Modal::CommentProposal { proposal } => {
                let Some(p) = self.proposal(*proposal).await? else {
                    return Ok(None);
                };
                render::proposal::comment_modal(&p)
            }
            Modal::ApproveProposal { proposal } => {
                let Some(p) = self.proposal(*proposal).await? else {
                    return Ok(None);
                };
                render::proposal::approve_modal(&p)
            }
            Modal::TeamPeople { team, leaders } => {
                let Some(team) = directory.teams.iter().find(|t| t.key.as_str() == team) else {
                    return Ok(None);
                };
                render::goal::team_people_modal(team, *leaders)
            }
            Modal::PublishPriorities { team } => {
                let Some(team) = directory.team(team).cloned() else {
                    return Ok(None);
                };
                let prefill = crate::app::priorities::prefill(&self.ctx, &team)
                    .await
                    .map_err(transient)?;
                let month = crate::app::priorities::this_month(&self.ctx);
                let goals = self.team_goals(&team, month).await?;
                render::priorities::form(&team, &month.label(), &prefill, &goals)
            }
            Modal::EditGoal { goal } => {
                let Some(goal) = self.goal(*goal).await? else {
                    return Ok(None);
                };
                let values = render::goal::GoalFormValues::from_goal(&goal);
                render::goal::goal_form(
                    &directory,
                    ids::GOAL_EDIT_CALLBACK,
                    "Edit goal",
                    "Save",
                    &values,
                    Some(goal.id.0),
                )
            }
        }))
    }
}

/// Re-renders a message in place, if it was posted.
async fn update_post(
    session: &SlackClientSession<'_, SlackClientHyperHttpsConnector>,
    post: Option<(String, String)>,
    content: SlackMessageContent,
) -> Result<Sent, SendError> {
    let Some((channel, ts)) = post else {
        return Ok(Sent::Skipped("the message was not posted yet"));
    };
    session
        .chat_update(&SlackApiChatUpdateRequest::new(
            channel.into(),
            content,
            ts.into(),
        ))
        .await
        .map_err(classify)?;
    Ok(Sent::Done)
}

fn transient(e: impl std::fmt::Display) -> SendError {
    SendError::Transient(e.to_string())
}

/// Sorts a Web API failure into retry-later, slow-down or give-up.
pub fn classify(e: SlackClientError) -> SendError {
    match e {
        SlackClientError::RateLimitError(e) => SendError::RateLimited(e.retry_after),
        SlackClientError::ApiError(e) => match e.code.as_str() {
            "ratelimited" | "rate_limited" => SendError::RateLimited(None),
            "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                SendError::Transient(format!("Slack answered {}", e.code))
            }
            // Everything else Slack reports with ok:false is about this call
            // (channel_not_found, not_in_channel, invalid_auth, …): repeating
            // it would fail the same way.
            code => SendError::Permanent(code.to_owned()),
        },
        SlackClientError::HttpError(e) => {
            let status = e.status_code;
            if status.is_server_error() || status.as_u16() == 408 {
                SendError::Transient(format!("HTTP {status}"))
            } else if status.as_u16() == 429 {
                SendError::RateLimited(None)
            } else {
                SendError::Permanent(format!("HTTP {status}"))
            }
        }
        SlackClientError::ProtocolError(e) => {
            SendError::Transient(format!("unreadable answer: {}", e.json_error))
        }
        other => SendError::Transient(format!("network: {other}")),
    }
}
