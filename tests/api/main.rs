//! Integration tests: the real app over HTTP against a fake Slack.

mod delivery;
mod edit_delete;
mod events;
mod fake_slack;
mod goals;
mod helpers;
mod hostile;
mod jobs;
mod modals;
mod moments_command;
mod priorities;
mod privacy_guard;
mod serve_without_playground;
mod signature;
