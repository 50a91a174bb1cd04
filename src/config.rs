//! Settings: a TOML file for defaults, named environment variables on top.
//!
//! The environment always wins over the file, because that is how operators
//! inject secrets and per-host values without editing shared files; every
//! key has a variable (the naming rule is in `environment`), and every
//! secret may come from a file (`SLACK_BOT_TOKEN_FILE`, systemd
//! credentials). Every problem is reported as one line naming the key or
//! variable to fix. Secrets are held in [`SecretString`], whose `Debug`
//! prints `[REDACTED]`, and no message ever quotes a value that may hold
//! one (a database or API URL's password is redacted).

mod environment;

use crate::domain::plan_year::{self, YearCalendar};
use crate::domain::schedule::Schedule;
use crate::domain::{ChannelId, DomainError, Org, PersonId, Pillar, PillarKey, Team, TeamKey};
use chrono_tz::Tz;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

pub const DEFAULT_CONFIG_PATH: &str = "config/alignbot.toml";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/alignbot.db";
pub const DEFAULT_API_URL: &str = "https://slack.com/api/";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

/// A setting that could not be used. The message names what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "config file {path} not found; create it (see config/alignbot.toml in the repository) or point --config / ALIGNBOT_CONFIG at one"
    )]
    Missing { path: PathBuf },
    #[error("cannot read config file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid: {message}")]
    Syntax { path: PathBuf, message: String },
    #[error("{name} is not set. {hint}")]
    Required {
        name: &'static str,
        hint: &'static str,
    },
    #[error("{name} = {value:?} is not valid: {rule}")]
    Invalid {
        name: String,
        value: String,
        rule: String,
    },
    /// A Microsoft Teams setting (`MICROSOFT_APP_*`, `BOTFRAMEWORK_*`,
    /// `ALIGNBOT_TEAMS_NO_AUTH`); the message names the variable.
    #[error(transparent)]
    Teams(#[from] crate::teams::settings::TeamsSettingsError),
    #[error("{name} and {other} are both set; set only one of them")]
    Conflict { name: String, other: String },
    #[error("cannot read {name} from {path}: {reason}")]
    SecretFile {
        name: String,
        path: PathBuf,
        reason: String,
    },
}

fn invalid(
    name: impl Into<String>,
    value: impl Into<String>,
    rule: impl Into<String>,
) -> ConfigError {
    ConfigError::Invalid {
        name: name.into(),
        value: value.into(),
        rule: rule.into(),
    }
}

/// Everything the process needs, validated. Its `Debug` shows the
/// database URL without a password (the secrets redact themselves).
#[derive(Clone)]
pub struct Settings {
    pub slack: SlackSettings,
    pub database_url: String,
    pub listen: SocketAddr,
    pub scheduler: bool,
    pub server: ServerSettings,
    pub delivery: DeliverySettings,
    pub socket_mode: SocketModeSettings,
    pub org: Org,
    pub pillars: Vec<Pillar>,
    pub teams: Vec<Team>,
    pub schedule: Schedules,
    pub data: DataSettings,
    /// Microsoft Teams, when `MICROSOFT_APP_ID` (or `ALIGNBOT_TEAMS_NO_AUTH=1`)
    /// is set: `serve` then answers `POST /api/messages`.
    pub microsoft_teams: Option<crate::teams::settings::TeamsSettings>,
    /// The organization's plan years (`[org] plan_year_start`, …).
    pub years: YearCalendar,
    pub privacy: PrivacySettings,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("slack", &self.slack)
            .field("database_url", &self.database_shown())
            .field("listen", &self.listen)
            .field("scheduler", &self.scheduler)
            .field("server", &self.server)
            .field("delivery", &self.delivery)
            .field("socket_mode", &self.socket_mode)
            .field("org", &self.org)
            .field("pillars", &self.pillars)
            .field("teams", &self.teams)
            .field("schedule", &self.schedule)
            .field("data", &self.data)
            .field("microsoft_teams", &self.microsoft_teams)
            .field("years", &self.years)
            .field("privacy", &self.privacy)
            .finish()
    }
}

/// Limits of the HTTP server, so that no client can hold a connection, a
/// request or the shutdown forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerSettings {
    /// A second listener for `/healthz`, `/readyz` and `/metrics`; when set,
    /// the public listener serves only `/healthz` of the three.
    pub admin_listen: Option<SocketAddr>,
    /// A connection that has not sent a request's headers within this is
    /// closed (idle keep-alive connections too).
    pub header_read_timeout: Duration,
    /// A request body that has not fully arrived within this is refused.
    pub body_read_timeout: Duration,
    /// A request not answered within this is answered 503.
    pub request_timeout: Duration,
    /// Open connections per listener; beyond it a new one is answered 503
    /// at once and closed, rather than left waiting.
    pub max_connections: usize,
    /// After SIGTERM, requests in flight get this long; then open
    /// connections are closed and unsent messages stay in the outbox.
    pub shutdown_timeout: Duration,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            admin_listen: None,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_connections: 1024,
            shutdown_timeout: Duration::from_secs(10),
        }
    }
}

/// How long data is kept. Both periods are in days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSettings {
    /// Delivered messages and handled event ids are removed after this.
    pub history_days: u32,
    /// After `app_uninstalled` or `tokens_revoked`, everything is purged
    /// after this (a reinstall within the period keeps the data).
    pub retention_after_uninstall_days: u32,
}

impl Default for DataSettings {
    fn default() -> Self {
        Self {
            history_days: 30,
            retention_after_uninstall_days: 30,
        }
    }
}

/// The `[privacy]` section: how many moments one person may share, and
/// whether admins hear of every "post as written" past the privacy guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivacySettings {
    /// Moments one person may share in a rolling hour; 0 turns the limit
    /// off. Keeps one person (or a runaway script) from flooding the
    /// moments channel.
    pub moments_per_hour: u32,
    /// DM every admin when someone posts a held story as written.
    pub notify_admins_on_override: bool,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        Self {
            moments_per_hour: 10,
            notify_admins_on_override: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SlackSettings {
    pub signing_secret: Option<SecretString>,
    pub bot_token: Option<SecretString>,
    /// The app-level token (`xapp-…`) that turns Socket Mode on.
    pub app_token: Option<SecretString>,
    pub api_url: String,
    /// `SLACK_APP_ID` and `SLACK_TEAM_ID` (a workspace `T…`, or the org
    /// `E…` of an org-wide install): events for others are ignored. Learned
    /// from Slack when not set (src/slack/identity.rs).
    pub app_id: Option<String>,
    pub team_id: Option<String>,
}

/// Reconnect pacing of the Socket Mode client. Tests shrink it so that a
/// reconnect takes milliseconds instead of seconds.
#[derive(Debug, Clone)]
pub struct SocketModeSettings {
    /// The wait before the first retry after a failed connection; it doubles
    /// per failure (with jitter) up to `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// How often we ping Slack. A socket that stays silent (not even a
    /// pong) for two of these is given up, even if TCP has not noticed.
    pub ping_interval: Duration,
}

impl Default for SocketModeSettings {
    fn default() -> Self {
        Self {
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            ping_interval: Duration::from_secs(20),
        }
    }
}

/// Knobs of the outbox worker. The defaults follow Slack's published limits.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Slack allows about one message per second per channel.
    pub per_channel_interval: Duration,
    /// A Web API call slower than this is abandoned and retried.
    pub request_timeout: Duration,
    /// Calls in flight at once, across channels.
    pub max_in_flight: usize,
    /// At most this many calls in any one second, across the workspace (a
    /// sliding window shared through the database). Slack allows
    /// about one message per second per channel and bursts beyond that per
    /// workspace; a nudge fan-out to thousands of DMs must stay under the
    /// workspace limit rather than bounce off it with 429s.
    pub max_per_second: usize,
    /// A message still failing with transient errors after this long is given up.
    pub give_up_after: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            per_channel_interval: Duration::from_millis(1000),
            request_timeout: Duration::from_secs(10),
            max_in_flight: 8,
            max_per_second: 20,
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

/// When the jobs run, in the org's time zone: parsed once, when the
/// settings are loaded, so a bad schedule stops the start with the key to
/// fix and everything after holds a schedule that works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedules {
    pub priorities_nudge: Schedule,
    pub progress_nudge: Schedule,
    pub moments_nudge: Schedule,
    pub monthly_digest: Schedule,
    /// The year's turn: nudges owners in the plan year's last month, closes
    /// what is left once the grace period is over.
    pub year_turn: Schedule,
    /// Working days after the priorities nudge before leaders who have not
    /// published get a reminder; as many again before admins get the list.
    pub priorities_reminder_days: u32,
    /// Each leader's draft of the team's monthly progress update (its
    /// reminder follows `priorities_reminder_days` working days later).
    pub team_update: Schedule,
    /// Local dates that are not working days.
    pub holidays: Vec<chrono::NaiveDate>,
    /// When the executives are asked for next month's organization
    /// priorities (e.g. `last working day 09:00`); unset: never.
    pub org_priorities: Option<Schedule>,
}

/// The schedules written when the file names none.
const DEFAULT_PRIORITIES_NUDGE: &str = "0 0 9 1 * *";
const DEFAULT_PROGRESS_NUDGE: &str = "0 0 9 25 * *";
const DEFAULT_MOMENTS_NUDGE: &str = "0 0 10 15 * *";
const DEFAULT_MONTHLY_DIGEST: &str = "0 0 16 28 * *";
const DEFAULT_YEAR_TURN: &str = "0 0 9 15 * *";
const DEFAULT_REMINDER_DAYS: u32 = 3;
/// The highest workspace pace accepted (`delivery.max_per_second`).
const MAX_PER_SECOND: usize = 1000;
const DEFAULT_TEAM_UPDATE: &str = "0 0 9 2 * *";

impl Default for Schedules {
    fn default() -> Self {
        let parse =
            |text: &str| Schedule::parse(text).expect("the default schedules are valid cron");
        Self {
            priorities_nudge: parse(DEFAULT_PRIORITIES_NUDGE),
            progress_nudge: parse(DEFAULT_PROGRESS_NUDGE),
            moments_nudge: parse(DEFAULT_MOMENTS_NUDGE),
            monthly_digest: parse(DEFAULT_MONTHLY_DIGEST),
            year_turn: parse(DEFAULT_YEAR_TURN),
            priorities_reminder_days: DEFAULT_REMINDER_DAYS,
            team_update: parse(DEFAULT_TEAM_UPDATE),
            holidays: Vec::new(),
            org_priorities: None,
        }
    }
}

// ---- the file, as written -------------------------------------------------

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    #[serde(default)]
    slack: FileSlack,
    #[serde(default)]
    server: FileServer,
    #[serde(default)]
    database: FileDatabase,
    #[serde(default)]
    delivery: FileDelivery,
    #[serde(default)]
    socket_mode: FileSocketMode,
    org: Option<FileOrg>,
    #[serde(default)]
    pillars: Vec<FilePillar>,
    #[serde(default)]
    teams: Vec<FileTeam>,
    #[serde(default)]
    schedule: FileSchedule,
    #[serde(default)]
    data: FileData,
    #[serde(default)]
    privacy: FilePrivacy,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePrivacy {
    moments_per_hour: Option<u32>,
    notify_admins_on_override: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileData {
    history_days: Option<u32>,
    retention_after_uninstall_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSlack {
    #[serde(default, deserialize_with = "secret_text")]
    signing_secret: Option<String>,
    #[serde(default, deserialize_with = "secret_text")]
    bot_token: Option<String>,
    #[serde(default, deserialize_with = "secret_text")]
    app_token: Option<String>,
    api_url: Option<String>,
    app_id: Option<String>,
    team_id: Option<String>,
}

/// A secret in the file must be a string; the parser's own message for
/// anything else would quote the value (`invalid type: integer 1234…`).
fn secret_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match toml::Value::deserialize(d) {
        Ok(toml::Value::String(s)) => Ok(Some(s)),
        _ => Err(serde::de::Error::custom(
            "a secret must be a quoted string (the value is not shown)",
        )),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSocketMode {
    initial_backoff_ms: Option<u64>,
    max_backoff_ms: Option<u64>,
    ping_interval_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileServer {
    listen: Option<String>,
    scheduler: Option<bool>,
    admin_listen: Option<String>,
    header_read_timeout_ms: Option<u64>,
    body_read_timeout_ms: Option<u64>,
    request_timeout_ms: Option<u64>,
    max_connections: Option<usize>,
    shutdown_timeout_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    #[serde(default, deserialize_with = "secret_text")]
    url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDelivery {
    per_channel_interval_ms: Option<u64>,
    request_timeout_ms: Option<u64>,
    max_in_flight: Option<usize>,
    max_per_second: Option<usize>,
    give_up_after_hours: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOrg {
    name: String,
    mission: String,
    timezone: String,
    moments_channel: String,
    leadership_channel: String,
    #[serde(default)]
    admins: Vec<String>,
    /// The plan year's first month: `7` or `"July"`.
    plan_year_start: Option<toml::Value>,
    /// The month goal-setting for next year opens.
    next_year_opens: Option<toml::Value>,
    /// Days after the plan year's end before unclosed goals are closed as
    /// "not reported".
    year_end_grace_days: Option<u32>,
    /// All staff: where the organization's priorities go.
    #[serde(default)]
    staff_channel: Option<String>,
    /// Publish the organization's priorities, besides admins.
    #[serde(default)]
    executives: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePillar {
    key: String,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    emoji: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTeam {
    key: String,
    name: String,
    channel: String,
    #[serde(default)]
    leaders: Vec<String>,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default)]
    holidays: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSchedule {
    priorities_nudge: Option<String>,
    progress_nudge: Option<String>,
    moments_nudge: Option<String>,
    monthly_digest: Option<String>,
    year_turn: Option<String>,
    priorities_reminder_days: Option<u32>,
    team_update: Option<String>,
    #[serde(default)]
    holidays: Vec<String>,
    org_priorities: Option<String>,
}

// ---- loading ----------------------------------------------------------------

/// Where to look up environment variables; a closure so tests need not touch
/// the process environment.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
}

/// The real process environment. Empty values count as unset.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl<F: Fn(&str) -> Option<String>> Env for F {
    fn var(&self, name: &str) -> Option<String> {
        self(name).filter(|v| !v.trim().is_empty())
    }
}

impl Settings {
    /// Reads `path` (or `ALIGNBOT_CONFIG`, or the default path) and applies the environment.
    pub fn load(path: Option<&Path>, env: &dyn Env) -> Result<Self, ConfigError> {
        let path = path
            .map(Path::to_path_buf)
            .or_else(|| env.var("ALIGNBOT_CONFIG").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_PATH));
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::Missing { path });
            }
            Err(source) => return Err(ConfigError::Unreadable { path, source }),
        };
        Self::from_toml(&text, &path, env)
    }

    /// Parses settings from TOML text; `origin` names the file in messages.
    pub fn from_toml(text: &str, origin: &Path, env: &dyn Env) -> Result<Self, ConfigError> {
        let file: FileSettings = toml::from_str(text).map_err(|e| ConfigError::Syntax {
            path: origin.to_path_buf(),
            message: e.message().to_owned()
                + &e.span()
                    .map(|s| format!(" (at line {})", line_of(text, s.start)))
                    .unwrap_or_default(),
        })?;
        Self::resolve(file, env)
    }

    fn resolve(mut file: FileSettings, env: &dyn Env) -> Result<Self, ConfigError> {
        environment::overlay(&mut file, env)?;
        let secret = |name: &'static str, file_value: Option<String>| {
            environment::secret(env, name, file_value).map(|v| v.map(SecretString::from))
        };
        let api_url = env
            .var("SLACK_API_URL")
            .or(file.slack.api_url)
            .unwrap_or_else(|| DEFAULT_API_URL.to_owned());
        if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
            return Err(invalid(
                "SLACK_API_URL (slack.api_url)",
                redact_url(&api_url),
                "must start with https:// (or http:// for a local proxy or fake)",
            ));
        }
        let slack = SlackSettings {
            signing_secret: secret("SLACK_SIGNING_SECRET", file.slack.signing_secret)?,
            bot_token: secret("SLACK_BOT_TOKEN", file.slack.bot_token)?,
            app_token: secret("SLACK_APP_TOKEN", file.slack.app_token)?,
            api_url,
            app_id: env.var("SLACK_APP_ID").or(file.slack.app_id),
            team_id: env.var("SLACK_TEAM_ID").or(file.slack.team_id),
        };
        if let Some(token) = &slack.app_token {
            check_app_token(token.expose_secret())?;
        }

        // It may hold a password, so it is read like a secret.
        let database_url = environment::secret(env, "DATABASE_URL", file.database.url)?
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        if crate::store::Backend::of_url(&database_url).is_err() {
            return Err(invalid(
                "DATABASE_URL (database.url)",
                redact_url(&database_url),
                "give sqlite://FILE (e.g. sqlite://data/alignbot.db) or postgres://USER:PASSWORD@HOST:5432/DATABASE",
            ));
        }

        let listen_raw = env
            .var("ALIGNBOT_LISTEN")
            .or(file.server.listen.clone())
            .unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
        let listen = SocketAddr::from_str(&listen_raw).map_err(|_| {
            invalid(
                "ALIGNBOT_LISTEN (server.listen)",
                &listen_raw,
                "expected host:port such as 127.0.0.1:3000",
            )
        })?;

        let scheduler = match env.var("ALIGNBOT_SCHEDULER") {
            Some(v) => match v.to_ascii_lowercase().as_str() {
                "off" | "false" | "0" | "no" => false,
                "on" | "true" | "1" | "yes" => true,
                _ => return Err(invalid("ALIGNBOT_SCHEDULER", v, "use on or off")),
            },
            None => file.server.scheduler.unwrap_or(true),
        };

        let server = resolve_server(&file.server)?;
        let delivery = resolve_delivery(file.delivery)?;
        let socket_mode = resolve_socket_mode(file.socket_mode)?;
        let years = resolve_years(file.org.as_ref())?;
        let org = resolve_org(file.org)?;
        let pillars = resolve_pillars(file.pillars)?;
        let teams = resolve_teams(file.teams)?;
        let schedule = resolve_schedule(file.schedule)?;
        let defaults = DataSettings::default();
        let data = DataSettings {
            history_days: file.data.history_days.unwrap_or(defaults.history_days),
            retention_after_uninstall_days: file
                .data
                .retention_after_uninstall_days
                .unwrap_or(defaults.retention_after_uninstall_days),
        };
        let privacy_defaults = PrivacySettings::default();
        let privacy = PrivacySettings {
            moments_per_hour: file
                .privacy
                .moments_per_hour
                .unwrap_or(privacy_defaults.moments_per_hour),
            notify_admins_on_override: file
                .privacy
                .notify_admins_on_override
                .unwrap_or(privacy_defaults.notify_admins_on_override),
        };
        if data.history_days == 0 {
            return Err(invalid(
                environment::both("data", "history_days"),
                "0",
                "must be at least 1",
            ));
        }

        let microsoft_teams =
            crate::teams::settings::TeamsSettings::from_env(|name| env.var(name))?;

        Ok(Self {
            slack,
            database_url,
            listen,
            scheduler,
            server,
            delivery,
            socket_mode,
            org,
            pillars,
            teams,
            schedule,
            data,
            microsoft_teams,
            years,
            privacy,
        })
    }

    /// `serve` cannot verify Slack's requests without the signing secret.
    pub fn require_signing_secret(&self) -> Result<&SecretString, ConfigError> {
        self.slack.signing_secret.as_ref().ok_or(ConfigError::Required {
            name: "SLACK_SIGNING_SECRET",
            hint: "Copy it from your Slack app's page (Basic Information → App Credentials → Signing Secret) and export SLACK_SIGNING_SECRET=… before running serve (or set MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID for Microsoft Teams alone: see docs/teams-setup.md).",
        })
    }
}

impl Settings {
    /// The signing secret `serve` checks HTTP requests with. Socket Mode
    /// (an app token) needs none, since the socket itself is authenticated;
    /// without one, every `/slack/*` HTTP request is then refused.
    pub fn serve_signing_secret(&self) -> Result<Option<&SecretString>, ConfigError> {
        // Teams alone is a valid deployment (DESIGN): no Slack settings at all.
        if self.microsoft_teams.is_some()
            && self.slack.signing_secret.is_none()
            && self.slack.app_token.is_none()
            && self.slack.bot_token.is_none()
        {
            return Ok(None);
        }
        match self.slack.app_token {
            Some(_) => Ok(self.slack.signing_secret.as_ref()),
            None => self.require_signing_secret().map(Some),
        }
    }
}

/// An app-level token starts with `xapp-`; a bot token pasted by mistake is
/// named by its prefix only, so the message never carries the secret.
fn check_app_token(token: &str) -> Result<(), ConfigError> {
    if token.starts_with("xapp-") {
        return Ok(());
    }
    let shown = match token.split_once('-') {
        Some((prefix, _)) if prefix.len() <= 4 => format!("{prefix}-…"),
        _ => "[REDACTED]".to_owned(),
    };
    Err(invalid(
        "SLACK_APP_TOKEN (slack.app_token)",
        shown,
        "must be an app-level token starting with xapp- (Basic Information → App-Level Tokens, scope connections:write)",
    ))
}

fn resolve_socket_mode(file: FileSocketMode) -> Result<SocketModeSettings, ConfigError> {
    use environment::both;
    let mut s = SocketModeSettings::default();
    if let Some(ms) = file.initial_backoff_ms {
        if ms == 0 {
            return Err(invalid(
                both("socket_mode", "initial_backoff_ms"),
                "0",
                "must be above 0",
            ));
        }
        s.initial_backoff = Duration::from_millis(ms);
    }
    if let Some(ms) = file.max_backoff_ms {
        s.max_backoff = Duration::from_millis(ms);
    }
    if let Some(ms) = file.ping_interval_ms {
        if ms == 0 {
            return Err(invalid(
                both("socket_mode", "ping_interval_ms"),
                "0",
                "must be above 0",
            ));
        }
        s.ping_interval = Duration::from_millis(ms);
    }
    if s.max_backoff < s.initial_backoff {
        return Err(invalid(
            both("socket_mode", "max_backoff_ms"),
            s.max_backoff.as_millis().to_string(),
            "must not be below socket_mode.initial_backoff_ms",
        ));
    }
    Ok(s)
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A URL fit to print: the user and password before `@` and any
/// `password=` in the query are replaced by `[REDACTED]` (a PostgreSQL URL
/// may carry either; a proxy URL the first).
pub fn redact_url(url: &str) -> String {
    let mut shown = match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}://[REDACTED]@{}", &url[..scheme_end], &url[at + 1..])
        }
        _ => url.to_owned(),
    };
    if let Some(query) = shown.find('?') {
        let (base, params) = shown.split_at(query + 1);
        let params: Vec<String> = params
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if k.eq_ignore_ascii_case("password") => format!("{k}=[REDACTED]"),
                _ => p.to_owned(),
            })
            .collect();
        shown = format!("{base}{}", params.join("&"));
    }
    shown
}

impl Settings {
    /// The database URL without its password, for messages and logs.
    pub fn database_shown(&self) -> String {
        redact_url(&self.database_url)
    }
}

fn domain_err(name: impl Into<String>) -> impl FnOnce(DomainError) -> ConfigError {
    let name = name.into();
    move |e| match e {
        DomainError::Invalid { value, rule, .. } => invalid(name, value, rule),
        other => invalid(name, "", other.to_string()),
    }
}

fn resolve_server(file: &FileServer) -> Result<ServerSettings, ConfigError> {
    use environment::both;
    let mut s = ServerSettings::default();
    if let Some(raw) = &file.admin_listen {
        s.admin_listen = Some(SocketAddr::from_str(raw.trim()).map_err(|_| {
            invalid(
                both("server", "admin_listen"),
                raw,
                "expected host:port such as 127.0.0.1:9090",
            )
        })?);
    }
    let millis = |key: &str, value: Option<u64>, default: Duration| match value {
        Some(0) => Err(invalid(both("server", key), "0", "must be above 0")),
        Some(ms) => Ok(Duration::from_millis(ms)),
        None => Ok(default),
    };
    s.header_read_timeout = millis(
        "header_read_timeout_ms",
        file.header_read_timeout_ms,
        s.header_read_timeout,
    )?;
    s.body_read_timeout = millis(
        "body_read_timeout_ms",
        file.body_read_timeout_ms,
        s.body_read_timeout,
    )?;
    s.request_timeout = millis(
        "request_timeout_ms",
        file.request_timeout_ms,
        s.request_timeout,
    )?;
    s.shutdown_timeout = millis(
        "shutdown_timeout_ms",
        file.shutdown_timeout_ms,
        s.shutdown_timeout,
    )?;
    match file.max_connections {
        Some(0) => {
            return Err(invalid(
                both("server", "max_connections"),
                "0",
                "must be at least 1",
            ));
        }
        Some(n) => s.max_connections = n,
        None => {}
    }
    Ok(s)
}

fn resolve_delivery(file: FileDelivery) -> Result<DeliverySettings, ConfigError> {
    use environment::both;
    let mut d = DeliverySettings::default();
    if let Some(ms) = file.per_channel_interval_ms {
        d.per_channel_interval = Duration::from_millis(ms);
    }
    if let Some(ms) = file.request_timeout_ms {
        if ms == 0 {
            return Err(invalid(
                both("delivery", "request_timeout_ms"),
                "0",
                "must be above 0",
            ));
        }
        d.request_timeout = Duration::from_millis(ms);
    }
    if let Some(n) = file.max_in_flight {
        if n == 0 {
            return Err(invalid(
                both("delivery", "max_in_flight"),
                "0",
                "must be at least 1",
            ));
        }
        d.max_in_flight = n;
    }
    if let Some(n) = file.max_per_second {
        // The pace is `n` rows in `rate_slots`; Slack's own limits are tens
        // of calls a second, so a larger number can only be a typo.
        if !(1..=MAX_PER_SECOND).contains(&n) {
            return Err(invalid(
                both("delivery", "max_per_second"),
                n.to_string(),
                "must be between 1 and 1000",
            ));
        }
        d.max_per_second = n;
    }
    if let Some(h) = file.give_up_after_hours {
        d.give_up_after = Duration::from_secs(h * 3600);
    }
    Ok(d)
}

fn resolve_org(file: Option<FileOrg>) -> Result<Org, ConfigError> {
    let Some(org) = file else {
        return Err(ConfigError::Required {
            name: "[org]",
            hint: "The config file needs an [org] table with name, mission, timezone, moments_channel and leadership_channel (see config/alignbot.toml).",
        });
    };
    if org.name.trim().is_empty() {
        return Err(invalid("org.name", "", "must not be empty"));
    }
    if org.mission.trim().is_empty() {
        return Err(invalid("org.mission", "", "must not be empty"));
    }
    let timezone = Tz::from_str(&org.timezone).map_err(|_| {
        invalid(
            "org.timezone",
            &org.timezone,
            "expected an IANA time zone such as America/New_York or Europe/Berlin",
        )
    })?;
    let admins = org
        .admins
        .iter()
        .map(|a| PersonId::parse(a).map_err(domain_err("org.admins")))
        .collect::<Result<Vec<_>, _>>()?;
    let executives = org
        .executives
        .iter()
        .map(|a| PersonId::parse(a).map_err(domain_err("org.executives")))
        .collect::<Result<Vec<_>, _>>()?;
    let staff_channel = match org.staff_channel.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(ChannelId::parse(raw).map_err(domain_err("org.staff_channel"))?),
    };
    Ok(Org {
        name: org.name.trim().to_owned(),
        mission: org.mission.trim().to_owned(),
        timezone,
        moments_channel: ChannelId::parse(&org.moments_channel)
            .map_err(domain_err("org.moments_channel"))?,
        leadership_channel: ChannelId::parse(&org.leadership_channel)
            .map_err(domain_err("org.leadership_channel"))?,
        admins,
        staff_channel,
        executives,
    })
}

/// The plan-year settings: months as numbers or names, goal-setting opening
/// in another month than the year starts, a grace period of 1 to 90 days.
fn resolve_years(file: Option<&FileOrg>) -> Result<YearCalendar, ConfigError> {
    let month = |name: &str, value: Option<&toml::Value>, default: u32| match value {
        None => Ok(default),
        Some(v) => {
            let text = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(n) => n.to_string(),
                _ => "(not a month)".to_owned(),
            };
            plan_year::parse_month(&text).ok_or_else(|| {
                invalid(
                    format!("org.{name}"),
                    &text,
                    "write a month as 1 to 12 or its name, like 7 or \"July\"",
                )
            })
        }
    };
    let defaults = YearCalendar::default();
    let start = month(
        "plan_year_start",
        file.and_then(|f| f.plan_year_start.as_ref()),
        defaults.start_month(),
    )?;
    let opens = month(
        "next_year_opens",
        file.and_then(|f| f.next_year_opens.as_ref()),
        defaults.opening_month(),
    )?;
    let calendar = YearCalendar::new(start, opens).map_err(|e| {
        invalid(
            "org.next_year_opens",
            plan_year::month_name(opens),
            e.to_string(),
        )
    })?;
    match file.and_then(|f| f.year_end_grace_days) {
        None => Ok(calendar),
        Some(days @ 1..=90) => Ok(calendar.with_grace_days(days)),
        Some(days) => Err(invalid(
            "org.year_end_grace_days",
            days.to_string(),
            "must be 1 to 90 days",
        )),
    }
}

fn resolve_pillars(file: Vec<FilePillar>) -> Result<Vec<Pillar>, ConfigError> {
    let mut seen = HashSet::new();
    file.into_iter()
        .enumerate()
        .map(|(i, p)| {
            let key = PillarKey::parse(&p.key).map_err(domain_err(format!("pillars[{i}].key")))?;
            if !seen.insert(key.clone()) {
                return Err(invalid(format!("pillars[{i}].key"), p.key, "is used twice"));
            }
            if p.name.trim().is_empty() || p.name.chars().count() > 75 {
                return Err(invalid(
                    format!("pillars[{i}].name"),
                    p.name,
                    "must be 1 to 75 characters",
                ));
            }
            Ok(Pillar {
                key,
                name: p.name.trim().to_owned(),
                description: p.description.trim().to_owned(),
                emoji: p.emoji.trim().to_owned(),
                archived: false,
            })
        })
        .collect()
}

fn resolve_teams(file: Vec<FileTeam>) -> Result<Vec<Team>, ConfigError> {
    let mut seen = HashSet::new();
    file.into_iter()
        .enumerate()
        .map(|(i, t)| {
            let key = TeamKey::parse(&t.key).map_err(domain_err(format!("teams[{i}].key")))?;
            if !seen.insert(key.clone()) {
                return Err(invalid(format!("teams[{i}].key"), t.key, "is used twice"));
            }
            let people = |field: &str, ids: &[String]| {
                ids.iter()
                    .map(|id| {
                        PersonId::parse(id).map_err(domain_err(format!("teams[{i}].{field}")))
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            Ok(Team {
                key,
                name: t.name.trim().to_owned(),
                channel: ChannelId::parse(&t.channel)
                    .map_err(domain_err(format!("teams[{i}].channel")))?,
                leaders: people("leaders", &t.leaders)?,
                members: people("members", &t.members)?,
                holidays: t
                    .holidays
                    .iter()
                    .map(|d| {
                        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                            invalid(
                                format!("teams[{i}].holidays"),
                                d,
                                "dates are written YYYY-MM-DD",
                            )
                        })
                    })
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

fn resolve_schedule(file: FileSchedule) -> Result<Schedules, ConfigError> {
    let pick = |name: &str, value: Option<String>, default: &str| {
        let expr = value.as_deref().unwrap_or(default);
        Schedule::parse(expr).map_err(|e| invalid(format!("schedule.{name}"), expr, e.to_string()))
    };
    let org_priorities = match file.org_priorities {
        Some(expr) => Some(pick("org_priorities", Some(expr), "")?),
        None => None,
    };
    Ok(Schedules {
        org_priorities,
        priorities_nudge: pick(
            "priorities_nudge",
            file.priorities_nudge,
            DEFAULT_PRIORITIES_NUDGE,
        )?,
        progress_nudge: pick(
            "progress_nudge",
            file.progress_nudge,
            DEFAULT_PROGRESS_NUDGE,
        )?,
        moments_nudge: pick("moments_nudge", file.moments_nudge, DEFAULT_MOMENTS_NUDGE)?,
        monthly_digest: pick(
            "monthly_digest",
            file.monthly_digest,
            DEFAULT_MONTHLY_DIGEST,
        )?,
        year_turn: pick("year_turn", file.year_turn, DEFAULT_YEAR_TURN)?,
        priorities_reminder_days: match file.priorities_reminder_days {
            Some(0) => {
                return Err(invalid(
                    "schedule.priorities_reminder_days",
                    "0",
                    "must be at least 1 working day",
                ));
            }
            Some(n) if n > 15 => {
                return Err(invalid(
                    "schedule.priorities_reminder_days",
                    n.to_string(),
                    "at most 15 working days, so reminders come within the month",
                ));
            }
            Some(n) => n,
            None => DEFAULT_REMINDER_DAYS,
        },
        team_update: pick("team_update", file.team_update, DEFAULT_TEAM_UPDATE)?,
        holidays: file
            .holidays
            .iter()
            .map(|d| {
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| invalid("schedule.holidays", d, "dates are written YYYY-MM-DD"))
            })
            .collect::<Result<_, _>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    const MINIMAL: &str = r#"
[org]
name = "Riverside Health"
mission = "Every patient leaves healthier and heard."
timezone = "America/New_York"
moments_channel = "C0MOMENTS"
leadership_channel = "C0LEADERS"
admins = ["U0ADMIN"]

[[pillars]]
key = "patient-care"
name = "Patient care"
"#;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name: &str| map.get(name).cloned()
    }

    fn load(text: &str, pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_toml(text, Path::new("test.toml"), &env(pairs))
    }

    #[test]
    fn defaults_apply_when_neither_file_nor_environment_says_otherwise() {
        let s = load(MINIMAL, &[]).unwrap();
        assert_eq!(s.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(s.slack.api_url, DEFAULT_API_URL);
        assert!(s.scheduler);
        assert_eq!(s.schedule, Schedules::default());
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let text = format!(
            "{MINIMAL}\n[server]\nlisten = \"127.0.0.1:9\"\nscheduler = true\n[slack]\nsigning_secret = \"from-file\"\n"
        );
        let s = load(
            &text,
            &[
                ("ALIGNBOT_LISTEN", "127.0.0.1:4000"),
                ("SLACK_SIGNING_SECRET", "from-env"),
                ("ALIGNBOT_SCHEDULER", "off"),
            ],
        )
        .unwrap();
        assert_eq!(s.listen.to_string(), "127.0.0.1:4000");
        assert_eq!(s.slack.signing_secret.unwrap().expose_secret(), "from-env");
        assert!(!s.scheduler);
    }

    #[test]
    fn a_missing_signing_secret_is_reported_by_its_variable_name() {
        let s = load(MINIMAL, &[]).unwrap();
        let message = s.require_signing_secret().unwrap_err().to_string();
        assert!(
            message.starts_with("SLACK_SIGNING_SECRET is not set"),
            "{message}"
        );
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let s = load(
            MINIMAL,
            &[
                ("SLACK_SIGNING_SECRET", "s3cr3t-value"),
                ("SLACK_BOT_TOKEN", "xoxb-s3cr3t"),
            ],
        )
        .unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
        let dir = tempfile::tempdir().unwrap();
        let url = dir.path().join("url");
        // Accepted URLs are SQLite today; the Debug output must stay safe
        // when PostgreSQL URLs with passwords are.
        std::fs::write(&url, "sqlite://me:s3cr3t@x/alignbot.db?password=s3cr3t").unwrap();
        let s = load(
            MINIMAL,
            &[("DATABASE_URL_FILE", &url.display().to_string())],
        )
        .unwrap();
        let printed = format!("{s:?}");
        assert!(!printed.contains("s3cr3t"), "{printed}");
    }

    #[test]
    fn each_invalid_setting_names_what_to_fix() {
        type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case] = &[
            (
                MINIMAL,
                &[("ALIGNBOT_LISTEN", "nowhere")],
                "ALIGNBOT_LISTEN",
            ),
            (MINIMAL, &[("SLACK_API_URL", "ftp://x")], "SLACK_API_URL"),
            (
                MINIMAL,
                &[("DATABASE_URL", "mysql://u:pw@h/db")],
                "DATABASE_URL",
            ),
            (
                MINIMAL,
                &[("ALIGNBOT_SCHEDULER", "maybe")],
                "ALIGNBOT_SCHEDULER",
            ),
            (
                &MINIMAL.replace("America/New_York", "Mars/Base"),
                &[],
                "org.timezone",
            ),
            (
                &MINIMAL.replace("C0MOMENTS", "#moments"),
                &[],
                "org.moments_channel",
            ),
            (
                &MINIMAL.replace("patient-care", "Patient Care"),
                &[],
                "pillars[0].key",
            ),
            (
                &format!("{MINIMAL}\n[schedule]\nmoments_nudge = \"0 9 15 * *\"\n"),
                &[],
                "schedule.moments_nudge",
            ),
            (
                &format!("{MINIMAL}\n[server]\nlistne = \"x\"\n"),
                &[],
                "unknown field",
            ),
            (
                &format!("{MINIMAL}\n[schedule]\nholidays = [\"12/25\"]\n"),
                &[],
                "schedule.holidays",
            ),
            (
                &format!("{MINIMAL}\n[schedule]\npriorities_reminder_days = 0\n"),
                &[],
                "schedule.priorities_reminder_days",
            ),
            (
                MINIMAL,
                &[("ALIGNBOT_DELIVERY_MAX_PER_SECOND", "100000")],
                "must be between 1 and 1000",
            ),
            (
                &format!("{MINIMAL}\n[delivery]\nmax_per_second = 0\n"),
                &[],
                "delivery.max_per_second",
            ),
            ("[org]\nname = \"x\"\n", &[], "missing field"),
            ("", &[], "[org]"),
        ];
        for (text, pairs, expected) in cases {
            let message = load(text, pairs).unwrap_err().to_string();
            assert!(
                message.contains(expected),
                "expected {expected:?} in {message:?}"
            );
        }
    }

    #[test]
    fn a_password_in_a_database_url_is_never_printed() {
        let message = load(MINIMAL, &[("DATABASE_URL", "mysql://me:hunter2@db/x")])
            .unwrap_err()
            .to_string();
        assert!(!message.contains("hunter2"), "{message}");
    }

    #[test]
    fn an_app_token_that_is_not_an_app_token_is_named_by_its_prefix_only() {
        let message = load(MINIMAL, &[("SLACK_APP_TOKEN", "xoxb-123-s3cr3t")])
            .unwrap_err()
            .to_string();
        assert!(message.starts_with("SLACK_APP_TOKEN"), "{message}");
        assert!(message.contains("xapp-"), "{message}");
        assert!(message.contains("\"xoxb-…\""), "{message}");
        assert!(!message.contains("s3cr3t"), "{message}");
        let message = load(MINIMAL, &[("SLACK_APP_TOKEN", "s3cr3t")])
            .unwrap_err()
            .to_string();
        assert!(!message.contains("s3cr3t"), "{message}");
    }

    #[test]
    fn socket_mode_needs_no_signing_secret_but_http_mode_does() {
        let http = load(MINIMAL, &[]).unwrap();
        assert!(http.serve_signing_secret().is_err());
        let socket = load(MINIMAL, &[("SLACK_APP_TOKEN", "xapp-1-A1-s3cr3t")]).unwrap();
        assert!(socket.serve_signing_secret().unwrap().is_none());
        assert!(!format!("{socket:?}").contains("s3cr3t"));
        let both = load(
            MINIMAL,
            &[("SLACK_APP_TOKEN", "xapp-1"), ("SLACK_SIGNING_SECRET", "x")],
        )
        .unwrap();
        assert!(both.serve_signing_secret().unwrap().is_some());
    }

    #[test]
    fn teams_alone_is_a_valid_deployment_and_its_errors_name_the_variable() {
        let teams = load(
            MINIMAL,
            &[
                ("MICROSOFT_APP_ID", "8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f"),
                ("MICROSOFT_APP_PASSWORD", "t0p-s3cr3t"),
                (
                    "MICROSOFT_APP_TENANT_ID",
                    "11111111-2222-4333-8444-555555555555",
                ),
            ],
        )
        .unwrap();
        assert!(teams.microsoft_teams.is_some());
        assert!(
            teams.serve_signing_secret().unwrap().is_none(),
            "no Slack needed"
        );
        assert!(!format!("{teams:?}").contains("t0p-s3cr3t"));
        let neither = load(MINIMAL, &[]).unwrap();
        let message = neither.serve_signing_secret().unwrap_err().to_string();
        assert!(message.contains("MICROSOFT_APP_ID"), "{message}");
        let bad = load(MINIMAL, &[("MICROSOFT_APP_ID", "not-a-guid")]).unwrap_err();
        assert!(bad.to_string().contains("MICROSOFT_APP_ID"), "{bad}");
    }

    #[test]
    fn every_operational_key_has_a_variable_named_by_the_rule() {
        let text = format!(
            "{MINIMAL}\n[delivery]\nmax_in_flight = 2\n[data]\nhistory_days = 9\n[server]\nrequest_timeout_ms = 100\n"
        );
        let s = load(
            &text,
            &[
                ("ALIGNBOT_DELIVERY_MAX_IN_FLIGHT", "3"),
                ("ALIGNBOT_DELIVERY_PER_CHANNEL_INTERVAL_MS", "5"),
                ("ALIGNBOT_DELIVERY_GIVE_UP_AFTER_HOURS", "2"),
                ("ALIGNBOT_DATA_HISTORY_DAYS", "7"),
                ("ALIGNBOT_DATA_RETENTION_AFTER_UNINSTALL_DAYS", "60"),
                ("ALIGNBOT_SOCKET_MODE_PING_INTERVAL_MS", "500"),
                ("ALIGNBOT_HEADER_READ_TIMEOUT_MS", "250"),
                ("ALIGNBOT_REQUEST_TIMEOUT_MS", "900"),
                ("ALIGNBOT_MAX_CONNECTIONS", "12"),
                ("ALIGNBOT_ADMIN_LISTEN", "127.0.0.1:9090"),
                ("ALIGNBOT_ORG_NAME", "Lakeside Clinic"),
                ("ALIGNBOT_ORG_ADMINS", "U0ONE, U0TWO"),
            ],
        )
        .unwrap();
        assert_eq!(s.delivery.max_in_flight, 3, "the environment wins");
        assert_eq!(s.delivery.per_channel_interval, Duration::from_millis(5));
        assert_eq!(s.delivery.give_up_after, Duration::from_secs(7200));
        assert_eq!(s.data.history_days, 7);
        assert_eq!(s.data.retention_after_uninstall_days, 60);
        assert_eq!(s.socket_mode.ping_interval, Duration::from_millis(500));
        assert_eq!(s.server.header_read_timeout, Duration::from_millis(250));
        assert_eq!(s.server.request_timeout, Duration::from_millis(900));
        assert_eq!(s.server.max_connections, 12);
        assert_eq!(
            s.server.admin_listen,
            Some("127.0.0.1:9090".parse().unwrap())
        );
        assert_eq!(s.org.name, "Lakeside Clinic");
        assert_eq!(s.org.admins.len(), 2);
        // Untouched keys keep the file's value or the default.
        assert_eq!(s.server.shutdown_timeout, Duration::from_secs(10));
        let file_only = load(&text, &[]).unwrap();
        assert_eq!(file_only.delivery.max_in_flight, 2);
        assert_eq!(file_only.server.request_timeout, Duration::from_millis(100));
    }

    #[test]
    fn a_bad_variable_is_named_with_its_file_key() {
        for (name, value, expected) in [
            (
                "ALIGNBOT_DELIVERY_MAX_IN_FLIGHT",
                "lots",
                "ALIGNBOT_DELIVERY_MAX_IN_FLIGHT (delivery.max_in_flight)",
            ),
            (
                "ALIGNBOT_DELIVERY_MAX_IN_FLIGHT",
                "0",
                "ALIGNBOT_DELIVERY_MAX_IN_FLIGHT (delivery.max_in_flight)",
            ),
            (
                "ALIGNBOT_DATA_HISTORY_DAYS",
                "0",
                "ALIGNBOT_DATA_HISTORY_DAYS (data.history_days)",
            ),
            (
                "ALIGNBOT_SHUTDOWN_TIMEOUT_MS",
                "0",
                "ALIGNBOT_SHUTDOWN_TIMEOUT_MS (server.shutdown_timeout_ms)",
            ),
            (
                "ALIGNBOT_ADMIN_LISTEN",
                "port 9090",
                "ALIGNBOT_ADMIN_LISTEN (server.admin_listen)",
            ),
            ("ALIGNBOT_ORG_TIMEZONE", "Mars/Base", "org.timezone"),
        ] {
            let message = load(MINIMAL, &[(name, value)]).unwrap_err().to_string();
            assert!(message.starts_with(expected), "{name}: {message}");
        }
    }

    #[test]
    fn secrets_are_read_from_files_named_by_their_file_variables() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, content: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, content).unwrap();
            path.display().to_string()
        };
        let secret = write("signing", "s3cr3t-from-file\n");
        let token = write("token", "xoxb-from-file\n");
        let url = write("url", "sqlite://data/from-file.db\n");
        let s = load(
            MINIMAL,
            &[
                ("SLACK_SIGNING_SECRET_FILE", &secret),
                ("SLACK_BOT_TOKEN_FILE", &token),
                ("DATABASE_URL_FILE", &url),
            ],
        )
        .unwrap();
        assert_eq!(
            s.slack.signing_secret.unwrap().expose_secret(),
            "s3cr3t-from-file",
            "without the final line break"
        );
        assert_eq!(s.slack.bot_token.unwrap().expose_secret(), "xoxb-from-file");
        assert_eq!(s.database_url, "sqlite://data/from-file.db");

        // systemd's LoadCredential=SLACK_APP_TOKEN:… lands in $CREDENTIALS_DIRECTORY.
        write("SLACK_APP_TOKEN", "xapp-1-A1-from-credentials");
        let dir_name = dir.path().display().to_string();
        let s = load(MINIMAL, &[("CREDENTIALS_DIRECTORY", &dir_name)]).unwrap();
        assert_eq!(
            s.slack.app_token.unwrap().expose_secret(),
            "xapp-1-A1-from-credentials"
        );
        // The variable itself still wins over a credential.
        let s = load(
            MINIMAL,
            &[
                ("CREDENTIALS_DIRECTORY", &dir_name),
                ("SLACK_APP_TOKEN", "xapp-1-A1-from-env"),
            ],
        )
        .unwrap();
        assert_eq!(
            s.slack.app_token.unwrap().expose_secret(),
            "xapp-1-A1-from-env"
        );
    }

    #[test]
    fn a_secret_file_problem_names_the_variable_and_never_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope").display().to_string();
        let message = load(MINIMAL, &[("SLACK_BOT_TOKEN_FILE", &missing)])
            .unwrap_err()
            .to_string();
        assert!(message.contains("SLACK_BOT_TOKEN_FILE"), "{message}");
        assert!(message.contains(&missing), "{message}");

        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").unwrap();
        let message = load(
            MINIMAL,
            &[("SLACK_BOT_TOKEN_FILE", &empty.display().to_string())],
        )
        .unwrap_err()
        .to_string();
        assert!(message.contains("empty"), "{message}");

        let both = load(
            MINIMAL,
            &[
                ("SLACK_BOT_TOKEN", "xoxb-s3cr3t"),
                ("SLACK_BOT_TOKEN_FILE", &missing),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(
            both.contains("SLACK_BOT_TOKEN and SLACK_BOT_TOKEN_FILE"),
            "{both}"
        );
        assert!(!both.contains("s3cr3t"), "{both}");

        let url = dir.path().join("url");
        std::fs::write(&url, "mysql://me:hunter2@db/x?password=hunter3").unwrap();
        let message = load(
            MINIMAL,
            &[("DATABASE_URL_FILE", &url.display().to_string())],
        )
        .unwrap_err()
        .to_string();
        assert!(message.starts_with("DATABASE_URL"), "{message}");
        assert!(!message.contains("hunter"), "{message}");

        let message = load(MINIMAL, &[("SLACK_API_URL", "ftp://user:hunter2@proxy/")])
            .unwrap_err()
            .to_string();
        assert!(!message.contains("hunter2"), "{message}");

        let message = load(
            &format!("{MINIMAL}\n[slack]\nsigning_secret = 20261127\n"),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(message.contains("quoted string"), "{message}");
        assert!(!message.contains("20261127"), "{message}");
    }

    #[test]
    fn socket_mode_timing_is_read_from_the_file_and_checked() {
        let s = load(
            &format!("{MINIMAL}\n[socket_mode]\ninitial_backoff_ms = 20\nmax_backoff_ms = 200\n"),
            &[],
        )
        .unwrap();
        assert_eq!(s.socket_mode.initial_backoff, Duration::from_millis(20));
        assert_eq!(s.socket_mode.max_backoff, Duration::from_millis(200));
        let message = load(
            &format!("{MINIMAL}\n[socket_mode]\ninitial_backoff_ms = 500\nmax_backoff_ms = 100\n"),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(message.contains("socket_mode.max_backoff_ms"), "{message}");
        let message = load(
            &format!("{MINIMAL}\n[socket_mode]\nping_interval_ms = 0\n"),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("socket_mode.ping_interval_ms"),
            "{message}"
        );
    }
}
