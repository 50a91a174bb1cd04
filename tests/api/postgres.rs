//! The core flows again, on PostgreSQL: the existing tests' own bodies,
//! run with `spawn_app` on a fresh PostgreSQL database (see
//! `helpers::on_backend`), so both backends answer to the same assertions.
//!
//! Ignored by default: they need a PostgreSQL server (the harness in
//! `tests/common/postgres.rs` starts a throwaway cluster from Debian's
//! `postgresql` package, or uses `ALIGNBOT_TEST_POSTGRES_URL`). CI runs them
//! with `--include-ignored`. Without a server they are reported as ignored,
//! never as passed.

use crate::helpers::{Backend, on_backend, spawn_app_on};
use alignbot::app::data_rights;
use alignbot::domain::PersonId;

/// Each test below re-runs the named test of another module on PostgreSQL.
macro_rules! on_postgres {
    ($($module:ident :: $test:ident),* $(,)?) => {
        $(
            #[test]
            #[ignore = "needs a PostgreSQL server (initdb/pg_ctl or ALIGNBOT_TEST_POSTGRES_URL)"]
            fn $test() {
                on_backend(Backend::Postgres, crate::$module::$test);
            }
        )*
    };
}

on_postgres! {
    moments_command::a_moment_is_stored_before_the_thanks_and_posted_to_the_moments_channel,
    goals::check_ins_keep_the_whole_history_and_progress_counts_lower_as_better,
    goals::the_team_proposes_supports_comments_and_a_leader_approves,
    goals::the_alignment_report_shows_pillars_teams_and_its_formulas,
    races::ten_concurrent_approvals_make_one_goal_and_one_decision_message,
    races::an_approval_racing_a_decline_has_exactly_one_outcome,
    priorities::a_leader_publishes_priorities_to_the_team_channel_and_leadership_hears_of_it,
    priorities::items_can_serve_goals_and_last_months_items_are_reviewed,
    export::an_export_holds_what_was_done_in_slack_exactly_and_json_agrees_with_csv,
    export::exported_goals_import_into_a_fresh_database_as_the_same_goals,
    data_rights::a_nudge_waiting_for_a_forgotten_person_is_never_sent,
    data_rights::uninstalling_stops_delivery_at_once_and_the_data_is_purged_after_the_retention,
    jobs::two_instances_claiming_the_same_run_at_once_send_it_once,
    jobs::the_progress_nudge_asks_each_owner_once_and_only_about_goals_not_checked_in,
    delivery::a_429_is_retried_only_after_its_retry_after,
    delivery::pending_messages_survive_a_restart_and_are_posted_exactly_once,
    delivery::one_channel_gets_at_most_one_message_per_second_in_order,
    events::a_repeated_event_id_is_answered_and_processed_once,
    ops::readyz_says_ready_only_when_every_migration_is_applied,
}

/// `forget-user` on either backend: the person's story and id are gone.
async fn forgetting_a_person_erases_their_story_on(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let story = "Kept the ward calm through the night.";
    let reply = app
        .post_command("/moment", story, crate::helpers::NURSE)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    app.settle().await;
    let person = PersonId::parse(crate::helpers::NURSE).unwrap();

    let done = data_rights::forget(&app.ctx, person).await.unwrap();

    assert_eq!(done.moments, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE author = 'U0NURSE1'")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE story <> ''")
            .await,
        0
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE forgotten = 1")
            .await,
        1,
        "a shared moment still counts in the totals"
    );
}

#[tokio::test]
async fn forgetting_a_person_erases_their_story() {
    forgetting_a_person_erases_their_story_on(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server (initdb/pg_ctl or ALIGNBOT_TEST_POSTGRES_URL)"]
async fn forgetting_a_person_erases_their_story_on_postgres() {
    forgetting_a_person_erases_their_story_on(Backend::Postgres).await;
}

/// `alignbot migrate` reports what it applied: all of them on a fresh
/// database, none the second time.
async fn migrate_counts_what_it_applied_on(url: String) {
    let store = alignbot::store::Store::connect(&url).await.unwrap();
    let all = store.backend().migrations().iter().count();
    assert!(all >= 11, "{all}");
    assert_eq!(store.migrate().await.unwrap(), all);
    assert_eq!(store.migrate().await.unwrap(), 0);
    assert_eq!(store.readiness().await, Ok(()));
    store.close().await;
}

#[tokio::test]
async fn migrate_counts_what_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    migrate_counts_what_it_applied_on(format!("sqlite://{}", dir.path().join("m.db").display()))
        .await;
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server (initdb/pg_ctl or ALIGNBOT_TEST_POSTGRES_URL)"]
async fn migrate_counts_what_it_applied_on_postgres() {
    migrate_counts_what_it_applied_on(crate::pg_server::fresh_database().await).await;
}
