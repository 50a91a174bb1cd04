//! Integration tests: the real app over HTTP against a fake Slack.

mod align_lists;
mod compose;
mod conformance;
mod data_rights;
mod delivery;
mod edge;
mod edit_delete;
mod events;
mod export;
mod fake_slack;
mod fake_socket;
mod fixes;
mod goals;
mod helpers;
mod hostile;
mod jobs;
mod leases;
mod modals;
mod moments_command;
mod ops;
mod pause;
#[path = "../common/postgres.rs"]
mod pg_server;
mod postgres;
mod plan_years;
mod priorities;
mod privacy_guard;
mod privacy_names;
mod races;
mod replay;
mod serve_without_playground;
mod signature;
mod socket_mode;
mod team_update;
mod year_turn;
