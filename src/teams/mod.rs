//! Microsoft Teams, through the Bot Framework: the only module (with the
//! HTTP route that mounts it, src/http/teams.rs) that knows Teams exists.
//!
//! - [`inbound`], [`auth`], [`openid`], [`jwt_crypto`]: is an incoming
//!   activity's JWT from the Bot Framework, for us, about this `serviceUrl`?
//! - [`activity`]: the parts of an activity we read.
//! - [`commands`] (and [`admin`] for the `align` admin and personal
//!   commands): typed text through the shared grammar, answered in the
//!   person's 1:1.
//! - [`invoke`]: card buttons and dialogs; [`approve`], [`takedown`] and
//!   [`year_end`] hold the Approve dialog, the Take down dialog and the
//!   year-end outcome buttons.
//! - [`render`]: Adaptive Cards 1.5 for composed messages, and the dialogs.
//! - [`transport`], [`connector`], [`token`], [`service_url`]: sending
//!   through the Bot Connector with the bot's token, only to allowed hosts.
//! - [`settings`]: `MICROSOFT_APP_*`, `BOTFRAMEWORK_*`,
//!   `ALIGNBOT_TEAMS_NO_AUTH`, parsed once; [`http_client`]: reqwest on ring.
//!
//! The app core never imports this module; it reaches Teams through the
//! delivery transport, as it reaches Slack; this module never imports the
//! store.

pub mod activity;
pub mod admin;
pub mod approve;
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
pub mod takedown;
pub mod team_update;
pub mod token;
pub mod transport;
pub mod year_end;
