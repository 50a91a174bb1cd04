//! Integration tests: the real app over HTTP against a fake Slack.

mod align_lists;
mod approve_adjust;
#[path = "../common/backend.rs"]
mod backend;
mod compose;
mod conformance;
mod consent;
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
mod leaders;
mod leases;
mod modals;
mod moment_limits;
mod moments_command;
mod ops;
mod org_priorities;
mod pause;
#[path = "../common/postgres.rs"]
mod pg_server;
mod plan_years;
mod postgres;
mod priorities;
mod privacy_guard;
mod privacy_names;
mod races;
mod replay;
mod serve_without_playground;
mod signature;
mod socket_mode;
mod takedown;
mod team_update;
mod year_forms;
mod year_turn;
