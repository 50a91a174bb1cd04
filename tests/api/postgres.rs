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
    leases::two_workers_on_one_database_send_each_of_200_rows_exactly_once_and_in_order,
    leases::a_row_claimed_by_a_dead_worker_is_sent_by_another_once_its_lease_runs_out,
    leases::a_worker_that_stops_gracefully_frees_its_claims_at_once,
    leases::two_workers_keep_one_channel_to_one_message_per_second,
    leases::a_429_seen_by_one_worker_pauses_the_other_for_its_retry_after,
    leases::two_workers_share_the_workspace_pace,
    leases::after_a_429_no_second_holds_more_than_the_pace_across_two_workers,
    leases::a_worker_that_loses_a_row_to_another_still_looks_again_soon,
    delivery::a_fan_out_keeps_to_the_workspace_pace,
    pause::a_refused_token_seen_by_one_worker_pauses_the_other,
    pause::only_a_verified_uninstall_of_our_app_starts_the_purge_clock,
    replay::the_same_signed_moment_sent_three_times_makes_one_moment,
    replay::ten_copies_at_once_make_one_moment,
    replay::the_memory_forgets_requests_once_their_window_is_over,
    team_update::a_leader_of_two_teams_gets_one_draft_with_a_section_per_team_each_posted_on_its_own,
    fixes::a_pillar_first_seen_in_the_settings_file_this_month_drifts_only_from_next_month,
    year_forms::replies_typed_into_a_proposals_thread_count_as_comments_once,
    year_forms::the_which_team_question_has_a_button_per_team_that_reruns_the_typed_command,
    year_forms::priorities_org_publish_without_items_opens_a_form_with_inline_errors,
    year_forms::the_goal_form_has_a_year_select_with_next_year_from_the_opening_month,
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

/// The `alignbot` binary with no environment but `vars`, run from the
/// repository (for the shipped config file).
fn alignbot(vars: &[(&str, &str)]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_alignbot"));
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RUST_LOG", "warn");
    for (name, value) in vars {
        cmd.env(name, value);
    }
    cmd
}

fn run(cmd: &mut std::process::Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn backup_on_postgres_refuses_with_pg_dump_advice_and_no_password() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("b.db");
    let (code, _, stderr) = run(alignbot(&[(
        "DATABASE_URL",
        "postgres://alignbot:hunter2@127.0.0.1:1/alignbot",
    )])
    .arg("backup")
    .arg(&target));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("pg_dump --format=custom"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(!target.exists());
}

#[test]
fn a_postgres_url_password_is_never_printed_when_the_server_is_unreachable() {
    let (code, _, stderr) = run(alignbot(&[(
        "DATABASE_URL",
        "postgres://alignbot:hunter2@127.0.0.1:1/alignbot",
    )])
    .arg("migrate"));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("cannot open the database"), "{stderr}");
    assert!(
        stderr.contains("Connection refused"),
        "the cause, at once: {stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn migrate_says_how_many_migrations_it_applied() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("m.db").display());
    let (code, stdout, stderr) = run(alignbot(&[("DATABASE_URL", &url)]).arg("migrate"));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.starts_with("applied "), "{stdout}");
    assert!(
        stdout.contains("the SQLite database is up to date"),
        "{stdout}"
    );
    let (code, stdout, _) = run(alignbot(&[("DATABASE_URL", &url)]).arg("migrate"));
    assert_eq!(code, Some(0));
    assert!(stdout.starts_with("no migrations to apply"), "{stdout}");
}

/// Every table's rows, as text, in a stable order: the same on both sides
/// of a copy (the PostgreSQL twins' own `rowid` columns left out).
async fn tables_and_counts(url: &str) -> Vec<(String, i64)> {
    let store = alignbot::store::Store::connect(url).await.unwrap();
    let tables: Vec<String> = match store.backend() {
        alignbot::store::Backend::Sqlite => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' \
             AND name NOT LIKE '%sqlx%' ORDER BY name",
        ),
        alignbot::store::Backend::Postgres => sqlx::query_scalar(
            "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() \
             AND tablename NOT LIKE '%sqlx%' ORDER BY tablename",
        ),
    }
    .fetch_all(store.reads())
    .await
    .unwrap();
    let mut out = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM \"{table}\""
        )))
        .fetch_one(store.reads())
        .await
        .unwrap();
        out.push((table, n));
    }
    store.close().await;
    out
}

/// An organization at work on SQLite (moments, reactions, recognitions,
/// goals, check-ins, priorities, the plan history, delivered messages, a
/// forgotten person), copied with `copy-db` to `target`.
async fn copy_db_copies_everything_to(target: String) {
    let app = crate::helpers::spawn_app().await;
    crate::export::organization_at_work(&app).await;
    data_rights::forget(&app.ctx, PersonId::parse(crate::helpers::NURSE2).unwrap())
        .await
        .unwrap();
    app.settle().await;
    let settings = app.settings();
    let source = settings.database_url.clone();
    let before = tables_and_counts(&source).await;
    let (_fake, _dir, _clock, _extra, _url) = app.stop().await;

    let (code, stdout, stderr) =
        run(alignbot(&[]).args(["copy-db", "--from", &source, "--to", &target]));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("every table's count matches"), "{stdout}");

    let after = tables_and_counts(&target).await;
    assert_eq!(after, before, "every table, every row");
    for table in [
        "moments",
        "moment_reactions",
        "goals",
        "check_ins",
        "priorities",
        "plan_changes",
        "outbox",
        "forgotten_people",
    ] {
        let n = before.iter().find(|(t, _)| t == table).map(|(_, n)| *n);
        assert!(
            n > Some(0),
            "the organization at work filled {table}: {before:?}"
        );
    }

    // The copy is usable: new rows get new ids after the copied ones.
    let store = alignbot::store::Store::connect(&target).await.unwrap();
    let max: i64 = sqlx::query_scalar("SELECT MAX(id) FROM moments")
        .fetch_one(store.reads())
        .await
        .unwrap();
    let next: i64 = store
        .write(|conn| {
            Box::pin(async move {
                Ok(sqlx::query_scalar(
                    "INSERT INTO moments (author, story, audience, status, created_at, updated_at) \
                     VALUES ('U0NEW', 'After the move.', 'channel', 'shared', 1, 1) RETURNING id",
                )
                .fetch_one(conn)
                .await?)
            })
        })
        .await
        .unwrap();
    assert!(next > max, "{next} after {max}");
    store.close().await;

    // A second copy into the now non-empty target is refused, and changes
    // nothing.
    let (code, _, stderr) =
        run(alignbot(&[]).args(["copy-db", "--from", &source, "--to", &target]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not empty"), "{stderr}");
    let moments = tables_and_counts(&target)
        .await
        .into_iter()
        .find(|(t, _)| t == "moments")
        .unwrap()
        .1;
    assert_eq!(
        Some(moments),
        before
            .iter()
            .find(|(t, _)| t == "moments")
            .map(|(_, n)| n + 1)
    );
}

#[tokio::test]
async fn copy_db_copies_every_table_between_sqlite_files() {
    let dir = tempfile::tempdir().unwrap();
    copy_db_copies_everything_to(format!("sqlite://{}", dir.path().join("copy.db").display()))
        .await;
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server (initdb/pg_ctl or ALIGNBOT_TEST_POSTGRES_URL)"]
async fn copy_db_copies_every_table_from_sqlite_to_postgres() {
    copy_db_copies_everything_to(crate::pg_server::fresh_database().await).await;
}

#[test]
fn copy_db_explains_a_bad_url_and_a_missing_source() {
    let dir = tempfile::tempdir().unwrap();
    let missing = format!("sqlite://{}", dir.path().join("none.db").display());
    let (code, _, stderr) = run(alignbot(&[]).args([
        "copy-db",
        "--from",
        "mysql://me:hunter2@db/x",
        "--to",
        &missing,
    ]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("sqlite://FILE or postgres://"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let (code, _, stderr) = run(alignbot(&[]).args([
        "copy-db",
        "--from",
        &missing,
        "--to",
        "postgres://me:hunter2@127.0.0.1:1/x",
    ]));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no such file"), "{stderr}");
    assert!(!dir.path().join("none.db").exists(), "nothing created");
}

/// The playground's "Reset demo" empties every table on either backend, and
/// new rows start again from id 1.
async fn erasing_everything_empties_every_table_on(backend: Backend) {
    let app = spawn_app_on(backend).await;
    let reply = app
        .post_command(
            "/moment",
            "Stayed late for a family.",
            crate::helpers::NURSE,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    app.settle().await;
    assert!(app.scalar("SELECT COUNT(*) FROM moments").await > 0);

    app.ctx
        .store
        .write(|conn| Box::pin(alignbot::store::data_rights::erase_everything(conn)))
        .await
        .unwrap();

    let url = app.settings().database_url;
    for (table, rows) in tables_and_counts(&url).await {
        assert_eq!(rows, 0, "{table}");
    }
    let id: i64 = app
        .ctx
        .store
        .write(|conn| {
            Box::pin(async move {
                Ok(sqlx::query_scalar(
                    "INSERT INTO moments (author, story, audience, status, created_at, updated_at) \
                     VALUES ('U0NEW', 'Again.', 'channel', 'shared', 1, 1) RETURNING id",
                )
                .fetch_one(conn)
                .await?)
            })
        })
        .await
        .unwrap();
    assert_eq!(id, 1);
}

#[tokio::test]
async fn erasing_everything_empties_every_table() {
    erasing_everything_empties_every_table_on(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server (initdb/pg_ctl or ALIGNBOT_TEST_POSTGRES_URL)"]
async fn erasing_everything_empties_every_table_on_postgres() {
    erasing_everything_empties_every_table_on(Backend::Postgres).await;
}

#[tokio::test]
#[ignore = "needs a PostgreSQL server (initdb/pg_ctl or ALIGNBOT_TEST_POSTGRES_URL)"]
async fn readyz_reports_a_postgres_database_that_does_not_answer() {
    let app = spawn_app_on(Backend::Postgres).await;
    let ready = app.get("/readyz").await;
    assert_eq!((ready.status, ready.body.as_str()), (200, "ready"));

    crate::pg_server::drop_database(&app.settings().database_url).await;

    let not_ready = app.get("/readyz").await;
    assert_eq!(not_ready.status, 503, "{}", not_ready.body);
    assert!(
        not_ready
            .body
            .contains("the PostgreSQL database does not answer"),
        "{}",
        not_ready.body
    );
    // Liveness is unaffected: the process is up.
    assert_eq!(app.get("/healthz").await.status, 200);
}
