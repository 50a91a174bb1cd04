//! Microsoft Teams against a local fake of Microsoft's identity platform and
//! Bot Connector: authentication both ways, and the app end to end through
//! `POST /api/messages`. One test binary, `mod` lines only.

mod admin;
mod app;
mod approve;
mod auth;
#[path = "../common/backend.rs"]
mod backend;
mod cards;
mod commands;
mod endpoint;
mod fake_identity;
mod logs;
// `drop_database` serves the api tests only.
#[allow(dead_code)]
#[path = "../common/postgres.rs"]
mod pg_server;
mod postgres;
mod support;
mod takedown;
mod team_update;
mod token;
mod year_end;
