//! Who we are on Slack: our app id and the installation (workspace, or
//! Enterprise Grid org) our bot token belongs to.
//!
//! A request URL can receive events meant for another app (several apps
//! behind one proxy) or another workspace (a Slack Connect channel, a
//! misrouted request). Acting on them with our token would post into the
//! wrong place, so events whose origin is not ours are ignored
//! ([`Identity::admits`]).
//!
//! The ids come from the settings (`SLACK_APP_ID`, `SLACK_TEAM_ID`) or are
//! learned from Slack: `auth.test` names the workspace (and the org of an
//! org-wide install) and our bot, `bots.info` the bot's app. They never
//! change for a token, so they are looked up once at start and kept in
//! memory; a look-up that failed is tried again at most hourly. While an id
//! is unknown, events are not filtered on it: an outage of Slack's Web API
//! must not make the bot deaf.

use crate::app::AppContext;
use crate::clock::SharedClock;
use crate::config::SlackSettings;
use crate::slack::event::Origin;
use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use slack_morphism::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

/// How long to wait for Slack at start before serving without the ids.
const AT_START: std::time::Duration = std::time::Duration::from_secs(5);
/// How often a failed look-up is tried again.
const RETRY_EVERY: Duration = Duration::hours(1);

/// Our ids, as far as they are known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    /// `A…`: events must name it as `api_app_id`.
    pub app_id: Option<String>,
    /// `T…`: the workspace of a workspace install.
    pub team_id: Option<String>,
    /// `E…`: the org of an org-wide (Enterprise Grid) install.
    pub enterprise_id: Option<String>,
    /// Installed org-wide: every workspace of the org is ours.
    pub org_install: bool,
}

/// Why an event is not ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foreign {
    App,
    Team,
}

impl Foreign {
    pub fn as_str(self) -> &'static str {
        match self {
            Foreign::App => "another app",
            Foreign::Team => "another workspace",
        }
    }
}

impl Ids {
    /// From the settings. `team` may be a workspace (`T…`) or, for an
    /// org-wide install, the org (`E…`).
    pub fn from_settings(app: Option<&str>, team: Option<&str>) -> Self {
        fn clean(id: Option<&str>) -> Option<&str> {
            id.map(str::trim).filter(|s| !s.is_empty())
        }
        let mut ids = Ids {
            app_id: clean(app).map(str::to_owned),
            ..Ids::default()
        };
        match clean(team) {
            Some(org) if org.starts_with('E') => {
                ids.enterprise_id = Some(org.to_owned());
                ids.org_install = true;
            }
            Some(team) => ids.team_id = Some(team.to_owned()),
            None => {}
        }
        ids
    }

    /// Whether both the app and the installation are known.
    pub fn complete(&self) -> bool {
        let installation = if self.org_install {
            self.enterprise_id.is_some()
        } else {
            self.team_id.is_some()
        };
        self.app_id.is_some() && installation
    }

    /// `Ok` when `origin` is ours, or when what would decide it is unknown.
    ///
    /// An event is the installation's when the envelope's workspace, or one
    /// of its `authorizations` (which name the installations that see the
    /// event: in a Slack Connect channel the envelope's `team_id` may be the
    /// other side's), is ours; for an org-wide install, when its org is.
    pub fn admits(&self, origin: &Origin) -> Result<(), Foreign> {
        if let Some(app) = &self.app_id
            && origin.api_app_id.as_ref() != Some(app)
        {
            return Err(Foreign::App);
        }
        let mut teams = std::iter::once(origin.team_id.as_ref())
            .chain(origin.authorizations.iter().map(|a| a.team_id.as_ref()))
            .flatten();
        let mut orgs = std::iter::once(origin.enterprise_id.as_ref())
            .chain(
                origin
                    .authorizations
                    .iter()
                    .map(|a| a.enterprise_id.as_ref()),
            )
            .flatten();
        let ours = match (&self.team_id, &self.enterprise_id) {
            (_, Some(org)) if self.org_install => orgs.any(|o| o == org),
            (Some(team), _) => teams.any(|t| t == team),
            _ => true,
        };
        if ours { Ok(()) } else { Err(Foreign::Team) }
    }

    /// Fills what the settings left open from what Slack said. A setting
    /// that contradicts Slack is kept (the operator may know better, e.g.
    /// behind a proxy) but said loudly: it makes the bot ignore every event.
    fn fill(&mut self, learned: Ids) {
        if let (Some(set), Some(said)) = (&self.app_id, &learned.app_id)
            && set != said
        {
            tracing::warn!(
                setting = %set, slack = %said,
                "SLACK_APP_ID differs from the bot token's app: events for {said} are ignored"
            );
        }
        if self.app_id.is_none() {
            self.app_id = learned.app_id;
        }
        if self.team_id.is_none() && self.enterprise_id.is_none() {
            self.team_id = learned.team_id;
            self.enterprise_id = learned.enterprise_id;
            self.org_install = learned.org_install;
        }
    }
}

/// `auth.test` as Slack sends it. slack-morphism's own model has no
/// `enterprise_id` or `is_enterprise_install`, so the same client call is
/// decoded into this.
#[derive(Debug, Deserialize)]
struct AuthTest {
    team_id: Option<String>,
    bot_id: Option<String>,
    enterprise_id: Option<String>,
    #[serde(default)]
    is_enterprise_install: bool,
}

/// The Web API client and token that look the ids up.
struct Lookup {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
}

/// Our ids, shared by every request; learned once.
pub struct Identity {
    ids: RwLock<Ids>,
    lookup: Option<Lookup>,
    clock: SharedClock,
    last_attempt: Mutex<Option<DateTime<Utc>>>,
    ignored: AtomicU64,
}

impl Identity {
    /// Ids from the settings only; `lookup` (the Web API client and bot
    /// token) lets the rest be learned from Slack.
    pub fn new(
        ids: Ids,
        lookup: Option<(Arc<SlackHyperClient>, &SecretString)>,
        clock: SharedClock,
    ) -> Self {
        Self {
            ids: RwLock::new(ids),
            lookup: lookup.map(|(client, token)| Lookup {
                client,
                token: SlackApiToken::new(token.expose_secret().into()),
            }),
            clock,
            last_attempt: Mutex::new(None),
            ignored: AtomicU64::new(0),
        }
    }

    /// Our identity for `serve`: ids from the settings, the rest asked of
    /// Slack now (when `ask_now`) or at the first event.
    pub async fn start(
        settings: &SlackSettings,
        client: Option<Arc<SlackHyperClient>>,
        ctx: &AppContext,
        ask_now: bool,
    ) -> Arc<Self> {
        let identity = Arc::new(Self::new(
            Ids::from_settings(settings.app_id.as_deref(), settings.team_id.as_deref()),
            client.zip(settings.bot_token.as_ref()),
            ctx.clock.clone(),
        ));
        if ask_now {
            identity.learn_at_start(ctx.delivery_stopped()).await;
        }
        identity
    }

    pub fn ids(&self) -> Ids {
        self.ids.read().expect("identity lock").clone()
    }

    /// The start-up look-up, bounded so that a slow Slack delays the start
    /// by at most a few seconds. Skipped while Slack has said the token is
    /// revoked: the hourly token check finds out when it works again.
    pub async fn learn_at_start(&self, token_revoked: bool) {
        if token_revoked || self.lookup.is_none() || self.ids().complete() {
            return;
        }
        if tokio::time::timeout(AT_START, self.learn()).await.is_err() {
            tracing::warn!(
                "Slack did not say who we are in time; events are not filtered until it does"
            );
        }
    }

    /// Starts a look-up in the background if an id is still unknown and the
    /// last attempt is an hour old (by the injected clock).
    pub fn learn_later_if_due(self: &Arc<Self>, token_revoked: bool) {
        if token_revoked || self.lookup.is_none() || self.ids().complete() {
            return;
        }
        let now = self.clock.now();
        {
            // Claimed under the lock, so that a burst of events starts one
            // look-up, not one each.
            let mut last = self.last_attempt.lock().expect("identity lock");
            if last.is_some_and(|at| now - at < RETRY_EVERY) {
                return;
            }
            *last = Some(now);
        }
        let me = self.clone();
        tokio::spawn(async move { me.ask_and_keep().await });
    }

    /// Asks Slack who we are and keeps what it says. A failure is logged;
    /// the ids stay unknown (unfiltered) until a later attempt.
    pub async fn learn(&self) {
        *self.last_attempt.lock().expect("identity lock") = Some(self.clock.now());
        self.ask_and_keep().await;
    }

    async fn ask_and_keep(&self) {
        let Some(lookup) = &self.lookup else { return };
        match ask(lookup).await {
            Ok(learned) => {
                let mut ids = self.ids.write().expect("identity lock");
                ids.fill(learned);
                tracing::info!(
                    app_id = ids.app_id.as_deref().unwrap_or("unknown"),
                    team_id = ids.team_id.as_deref().unwrap_or("-"),
                    enterprise_id = ids.enterprise_id.as_deref().unwrap_or("-"),
                    org_install = ids.org_install,
                    "learned our Slack ids: events for other apps or workspaces are ignored"
                );
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot learn our Slack ids; events are not filtered until Slack answers")
            }
        }
    }

    /// Checks an event's origin; a foreign one is counted and logged.
    pub fn admits(&self, origin: &Origin) -> Result<(), Foreign> {
        let verdict = self.ids().admits(origin);
        if let Err(why) = verdict {
            let total = self.ignored.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::warn!(
                from = why.as_str(),
                api_app_id = origin.api_app_id.as_deref().unwrap_or("-"),
                team_id = origin.team_id.as_deref().unwrap_or("-"),
                enterprise_id = origin.enterprise_id.as_deref().unwrap_or("-"),
                ignored_total = total,
                "event for another app or workspace ignored"
            );
        }
        verdict
    }

    /// Events ignored since start.
    pub fn ignored(&self) -> u64 {
        self.ignored.load(Ordering::Relaxed)
    }
}

/// `auth.test`, then `bots.info` for the bot's app. Errors are Slack's
/// codes or transport failures, never the token.
async fn ask(lookup: &Lookup) -> Result<Ids, String> {
    let session = lookup.client.open_session(&lookup.token);
    let no_params: Vec<(&str, Option<String>)> = Vec::new();
    let auth: AuthTest = session
        .http_session_api
        .http_get("auth.test", &no_params, None)
        .await
        .map_err(|e| format!("auth.test: {e}"))?;
    let mut ids = Ids {
        team_id: auth.team_id,
        enterprise_id: auth.enterprise_id,
        org_install: auth.is_enterprise_install,
        app_id: None,
    };
    // The installation is known now even if the app id is not: keep it,
    // and leave the app id to a later attempt.
    if let Some(bot) = auth.bot_id {
        match session
            .bots_info(&SlackApiBotsInfoRequest::new().with_bot(bot))
            .await
        {
            Ok(info) => ids.app_id = Some(info.bot.app_id),
            Err(e) => tracing::warn!(error = %e, "bots.info failed: our app id stays unknown"),
        }
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::slack::event::{Authorization, Envelope, parse};

    fn fixture(path: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/slack/{path}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("fixture exists")
    }

    fn origin_of(path: &str) -> Origin {
        match parse(&fixture(path)).unwrap() {
            Envelope::Callback { origin, .. } => *origin,
            other => panic!("expected a callback: {other:?}"),
        }
    }

    fn workspace(app: &str, team: &str) -> Ids {
        Ids::from_settings(Some(app), Some(team))
    }

    #[test]
    fn unknown_ids_filter_nothing() {
        let origin = origin_of("events/reaction_added.json");
        assert_eq!(Ids::default().admits(&origin), Ok(()));
        assert_eq!(Ids::from_settings(Some(" "), None).admits(&origin), Ok(()));
    }

    #[test]
    fn a_real_event_of_our_app_and_workspace_is_admitted_and_others_are_not() {
        let origin = origin_of("events/reaction_added.json"); // A111 in T111
        assert_eq!(workspace("A111", "T111").admits(&origin), Ok(()));
        assert_eq!(workspace("A999", "T111").admits(&origin), Err(Foreign::App));
        assert_eq!(
            workspace("A111", "T999").admits(&origin),
            Err(Foreign::Team)
        );
        // Only the app known, or only the team: that one is checked.
        assert_eq!(
            Ids::from_settings(None, Some("T999")).admits(&origin),
            Err(Foreign::Team)
        );
        assert_eq!(
            Ids::from_settings(Some("A999"), None).admits(&origin),
            Err(Foreign::App)
        );
    }

    #[test]
    fn a_slack_connect_event_is_ours_through_its_authorizations() {
        // The envelope names the other side's workspace; `authorizations`
        // names the installation that sees it.
        let origin = origin_of("events/app_mention.shared_channel.json");
        let installed = origin.authorizations[0].team_id.clone().unwrap();
        assert_ne!(origin.team_id.as_deref(), Some("T999"));
        assert_eq!(workspace("A111", &installed).admits(&origin), Ok(()));
        assert_eq!(
            workspace("A111", "T999").admits(&origin),
            Err(Foreign::Team)
        );
    }

    #[test]
    fn an_org_wide_install_admits_every_workspace_of_its_org_only() {
        let origin = origin_of("events/app_home_opened.home_tab.enterprise.json");
        assert_eq!(
            origin.authorizations,
            vec![Authorization {
                team_id: None,
                enterprise_id: Some("E111".into()),
                is_enterprise_install: true,
            }]
        );
        assert_eq!(workspace("A111", "E111").admits(&origin), Ok(()));
        assert_eq!(
            workspace("A111", "E999").admits(&origin),
            Err(Foreign::Team)
        );
        // A workspace install in the same org is not an org install: another
        // workspace of the org is not ours.
        let mut in_org = workspace("A111", "T999");
        in_org.enterprise_id = Some("E111".into());
        assert_eq!(in_org.admits(&origin), Err(Foreign::Team));
    }

    #[test]
    fn what_slack_says_fills_only_what_the_settings_left_open() {
        let mut ids = Ids::from_settings(Some("A0SET"), None);
        ids.fill(Ids {
            app_id: Some("A0LEARNED".into()),
            team_id: Some("T0LEARNED".into()),
            enterprise_id: None,
            org_install: false,
        });
        assert_eq!(ids.app_id.as_deref(), Some("A0SET"));
        assert_eq!(ids.team_id.as_deref(), Some("T0LEARNED"));
        assert!(ids.complete());
    }

    #[test]
    fn auth_test_answers_of_a_workspace_and_an_org_install_are_read() {
        for (path, org) in [
            ("web-api/auth.test.bot.json", false),
            ("web-api/auth.test.org_install.json", true),
            ("web-api/shape/auth.test.json", false),
        ] {
            let auth: AuthTest = serde_json::from_slice(&fixture(path)).unwrap();
            assert!(auth.team_id.is_some() && auth.bot_id.is_some(), "{path}");
            assert_eq!(auth.is_enterprise_install, org, "{path}");
        }
        let auth: AuthTest = serde_json::from_slice(&fixture("web-api/auth.test.ok.json")).unwrap();
        assert_eq!(auth.team_id.as_deref(), Some("T12345678"));
        for path in ["web-api/bots.info.ok.json", "web-api/shape/bots.info.json"] {
            let info: SlackApiBotsInfoResponse = serde_json::from_slice(&fixture(path)).unwrap();
            assert!(info.bot.app_id.starts_with('A'), "{path}");
        }
    }
}
