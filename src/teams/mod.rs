//! Microsoft Teams, through the Bot Framework: the only module (with the
//! HTTP route that will mount it) that knows Teams exists.
//!
//! What is here so far is authentication both ways, with no route yet:
//!
//! - [`auth`]: is an incoming activity's JWT from the Bot Framework, for us,
//!   about this `serviceUrl`? (keys from [`openid`], RS256 on ring via
//!   [`jwt_crypto`]).
//! - [`token`]: the bot's client-credentials token for the Bot Connector,
//!   cached and single-flight, paired only with allowed hosts
//!   ([`service_url`]).
//! - [`settings`]: `MICROSOFT_APP_*`, `BOTFRAMEWORK_*`,
//!   `ALIGNBOT_TEAMS_NO_AUTH`, parsed once.
//! - [`http_client`]: the reqwest client for Microsoft's endpoints, TLS on
//!   ring.
//!
//! The app core never imports this module; it will reach Teams through the
//! delivery transport, as it reaches Slack.

pub mod activity;
pub mod auth;
pub mod commands;
pub mod connector;
pub mod http_client;
pub mod inbound;
pub mod invoke;
pub mod jwt_crypto;
pub mod openid;
pub mod org_priorities;
pub mod prompts;
pub mod render;
pub mod service_url;
pub mod settings;
pub mod team_update;
pub mod token;
pub mod transport;
