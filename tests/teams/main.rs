//! Microsoft Teams against a local fake of Microsoft's identity platform and
//! Bot Connector: authentication both ways, and the app end to end through
//! `POST /api/messages`. One test binary, `mod` lines only.

mod app;
mod auth;
mod cards;
mod commands;
mod endpoint;
mod fake_identity;
mod logs;
mod support;
mod team_update;
mod token;
