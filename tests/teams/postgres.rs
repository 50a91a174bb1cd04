//! Teams flows again, on PostgreSQL: the existing tests' own bodies, run
//! with `spawn` on a fresh PostgreSQL database (see `app::on_backend`), so
//! both backends answer to the same assertions: activity ids remembered,
//! conversation references, the outbox and its updates in place, takedown,
//! the year's turn and approvals.
//!
//! Ignored by default: they need a PostgreSQL server (the harness in
//! `tests/common/postgres.rs` starts a throwaway cluster from Debian's
//! `postgresql` package, or uses `ALIGNBOT_TEST_POSTGRES_URL`). CI runs them
//! with `--include-ignored`. Without a server they are reported as ignored,
//! never as passed.

use crate::app::{Backend, on_backend};

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
    endpoint::a_moment_by_command_is_posted_to_the_moments_channel_and_the_thanks_goes_to_the_1_1,
    endpoint::a_check_in_from_the_nudge_cards_button_updates_the_nudge_in_place,
    endpoint::a_proposal_is_approved_from_its_card_and_the_card_is_refreshed,
    endpoint::a_nudge_reaches_a_person_who_never_wrote_to_the_bot_through_a_new_1_1,
    endpoint::pending_activities_survive_a_restart_and_are_sent_once,
    endpoint::a_repeated_activity_is_handled_once,
    endpoint::an_activity_is_remembered_for_an_hour_then_forgotten,
    takedown::the_author_takes_a_moment_down_from_its_card_after_confirming,
    approve::approve_opens_a_prefilled_form_refuses_bad_values_and_approves_as_adjusted,
    year_end::outcome_buttons_close_the_goal_and_refresh_the_card,
    admin::an_admin_adds_a_pillar_and_a_team_from_teams,
    admin::away_and_mute_stop_that_persons_nudges_only,
}
