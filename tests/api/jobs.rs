use crate::helpers::*;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::scheduler::schedule::Month;
use chrono::{DateTime, Utc};
use serde_json::json;

const LEAD: &str = "U0LEAD1";

fn month(app: &TestApp) -> Month {
    use alignbot::clock::Clock;
    Month::containing(app.clock.now(), chrono_tz::America::New_York)
}

async fn add_goal(app: &TestApp, title: &str, owner_text: &str) {
    let reply = app
        .post_command(
            "/goal",
            &format!("add {title} pillar:patient-care target:100% {owner_text}"),
            ADMIN,
        )
        .await;
    assert!(reply.text().contains("Added goal"), "{}", reply.body);
}

#[tokio::test]
pub(crate) async fn the_progress_nudge_asks_each_owner_once_and_only_about_goals_not_checked_in() {
    let app = spawn_app().await;
    add_goal(&app, "Goal A", "owner:<@U0NURSE1|n1>").await;
    add_goal(&app, "Goal B", "owner:<@U0NURSE1|n1>").await;
    add_goal(&app, "Goal C", "owner:<@U0NURSE2|n2>").await;
    app.post_command("/goal", "update 3 50%", NURSE2).await; // NURSE2 is done for the month
    app.settle().await;
    let before = app.fake.calls_to("chat.postMessage").len();

    let summary = jobs::run(&app.ctx, Job::ProgressNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert!(summary.ran);
    assert_eq!(summary.enqueued, 1, "{summary}");
    let dm = &app.sent("chat.postMessage", before + 1).await[before];
    assert_eq!(dm.body["channel"], NURSE);
    let text = dm.body.to_string();
    assert!(
        text.contains("Goal A") && text.contains("Goal B") && text.contains("goal_check_in_open"),
        "{text}"
    );

    let again = jobs::run(&app.ctx, Job::ProgressNudge, month(&app), Trigger::Schedule)
        .await
        .unwrap();
    assert!(!again.ran, "the same month is never nudged twice");
    app.settle().await;
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), before + 1);
}

#[tokio::test]
async fn the_progress_nudge_follows_the_owners_check_ins() {
    let app = spawn_app().await;
    add_goal(&app, "Goal A", "owner:<@U0NURSE1|n1>").await;
    jobs::run(&app.ctx, Job::ProgressNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    app.settle().await;
    let dm = app
        .fake
        .calls_to("chat.postMessage")
        .last()
        .unwrap()
        .body
        .clone();
    assert_eq!(dm["channel"], NURSE);
    let reply = app.post_command("/goal", "update 1 40%", NURSE).await;
    assert!(reply.text().contains("Checked in"), "{}", reply.body);
    app.drain().await;
    app.advance(1);
    let update = &app.sent("chat.update", 1).await[0];
    assert!(
        update
            .body
            .to_string()
            .contains("All your goals are checked in"),
        "{}",
        update.body
    );
}

#[tokio::test]
pub(crate) async fn two_instances_claiming_the_same_run_at_once_send_it_once() {
    let app = spawn_app().await;
    let m = month(&app);
    let (a, b) = tokio::join!(
        jobs::run(&app.ctx, Job::MomentsNudge, m, Trigger::Schedule),
        jobs::run(&app.ctx, Job::MomentsNudge, m, Trigger::Manual),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.ran ^ b.ran, "exactly one run: {a} / {b}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM job_runs").await, 1);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM nudges").await,
        3,
        "the leader and two members, once each"
    );
}

#[tokio::test]
async fn the_moments_nudge_skips_people_who_already_shared_this_month() {
    let app = spawn_app().await;
    app.post_command("/moment", "I shared already.", NURSE)
        .await;
    app.settle().await;
    let summary = jobs::run(&app.ctx, Job::MomentsNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert_eq!((summary.enqueued, summary.skipped), (2, 1), "{summary}");
    app.settle().await;
    let dms: Vec<String> = app
        .fake
        .calls_to("chat.postMessage")
        .iter()
        .filter(|c| c.body.to_string().contains("Do you have a mission moment?"))
        .map(|c| c.body["channel"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(dms.len(), 2);
    assert!(!dms.contains(&NURSE.to_owned()));
    assert!(
        app.fake
            .calls_to("chat.postMessage")
            .iter()
            .any(|c| c.body.to_string().contains("home_share"))
    );
}

#[tokio::test]
async fn the_monthly_digest_celebrates_the_most_reacted_moments_and_tells_leaders_the_numbers() {
    let app = spawn_app().await;
    app.post_command("/moment", "pillar:patient-care Quiet story.", NURSE)
        .await;
    app.settle().await;
    app.advance(1);
    let form = Form {
        story: "Loud story.",
        pillar: Some("patient-care"),
        recognized: &[NURSE2],
        ..Form::default()
    };
    app.post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await;
    app.settle().await;
    let ts: String = sqlx::query_scalar("SELECT ts FROM moments WHERE story = 'Loud story.'")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    for (i, who) in [ADMIN, NURSE2, LEAD].iter().enumerate() {
        let mut e: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!(
                "{}/tests/fixtures/slack/events/reaction_added.json",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap(),
        )
        .unwrap();
        e["event_id"] = json!(format!("Ev0DIG{i}"));
        // Sent to our app in the test workspace (others are ignored).
        e["team_id"] = json!(crate::fake_slack::TEAM);
        e["api_app_id"] = json!(crate::fake_slack::APP);
        e["event"]["user"] = json!(who);
        e["event"]["item"]["channel"] = json!(MOMENTS);
        e["event"]["item"]["ts"] = json!(ts);
        app.post_event(&e).await;
    }
    add_goal(&app, "Risky goal", "").await;
    app.post_command("/goal", "update 1 10% at-risk", ADMIN)
        .await;
    app.settle().await;
    let before = app.fake.calls_to("chat.postMessage").len();
    app.advance(2);
    let summary = jobs::run(&app.ctx, Job::MonthlyDigest, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(summary.enqueued, 2);
    let posts = app.sent("chat.postMessage", before + 2).await;
    let digest = posts
        .iter()
        .find(|c| {
            c.body
                .to_string()
                .contains("Mission moments of November 2026")
        })
        .expect("moments digest");
    assert_eq!(digest.body["channel"], MOMENTS);
    let text = digest.body.to_string();
    let (loud, quiet) = (
        text.find("Loud story.").unwrap(),
        text.find("Quiet story.").unwrap(),
    );
    assert!(loud < quiet, "most reacted first");
    assert!(
        text.contains("3 reactions") && text.contains(&format!("<@{NURSE2}>")),
        "{text}"
    );
    let leaders = posts
        .iter()
        .find(|c| c.body["channel"] == LEADERS)
        .expect("leadership digest");
    let text = leaders.body.to_string();
    assert!(
        text.contains("1 of 1 active goals")
            && text.contains("Risky goal")
            && text.contains("Mission moments per pillar"),
        "{text}"
    );
    assert!(text.contains("0 on time, 1 missing (Nursing)"), "{text}");
}

#[tokio::test]
async fn a_run_missed_while_down_is_caught_up_once_on_start() {
    // 2026-11-16 15:00 UTC: the moments nudge (15th, 10:00 New York) has passed.
    let start: DateTime<Utc> = "2026-11-16T15:00:00Z".parse().unwrap();
    let app = spawn_app_at("[server]\nscheduler = true\n", start).await;
    // The scheduler catches up in a task of its own: wait for its runs.
    app.eventually(
        "SELECT COUNT(*) FROM job_runs WHERE job = 'moments-nudge' AND trigger = 'catch-up'",
        |n| n > 0,
        "no catch-up run",
    )
    .await;
    app.eventually(
        "SELECT COUNT(*) FROM job_runs WHERE finished_at IS NOT NULL",
        |n| n >= 4,
        "no catch-up of the priorities jobs",
    )
    .await;
    let caught_up: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT job, summary FROM job_runs ORDER BY job")
            .fetch_all(app.ctx.store.reads())
            .await
            .unwrap();
    let jobs: Vec<&str> = caught_up.iter().map(|(j, _)| j.as_str()).collect();
    assert_eq!(
        jobs,
        [
            "moments-nudge",
            "priorities-missing",
            "priorities-nudge",
            "priorities-reminder"
        ],
        "only the jobs whose time passed this month"
    );
    assert!(
        caught_up[1]
            .1
            .as_deref()
            .unwrap_or("")
            .starts_with("skipped"),
        "no reminder right behind the nudge"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM nudges WHERE job = 'priorities-reminder'")
            .await,
        0
    );
    let app = app.restart().await;
    // The catch-up a restart runs, run here to its end, runs nothing.
    let settings = app.settings();
    let scheduler = alignbot::scheduler::Scheduler::new(
        app.ctx.clone(),
        alignbot::scheduler::schedules(&settings),
        settings.schedule.holidays.clone(),
    );
    let again = scheduler.catch_up().await;
    assert!(again.is_empty(), "not caught up twice: {again:?}");
    assert_eq!(app.scalar("SELECT COUNT(*) FROM job_runs").await, 4);
}

#[tokio::test]
async fn the_scheduler_runs_each_job_at_its_local_time() {
    // Nov 24, 2026 12:00 UTC; the progress nudge is due Nov 25 09:00 New York (14:00 UTC).
    let start: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap();
    let app = spawn_app_at("[server]\nscheduler = true\n", start).await;
    add_goal(&app, "Goal A", "owner:<@U0NURSE1|n1>").await;
    // The scheduler first catches up this month's priorities and moments nudges.
    app.eventually(
        "SELECT COUNT(*) FROM job_runs WHERE trigger = 'catch-up'",
        |n| n >= 2,
        "no catch-up",
    )
    .await;
    app.drain().await;
    app.advance(25 * 3600); // Nov 25 13:00 UTC = 08:00 local: not yet
    app.drain().await;
    app.advance(3600); // 09:00 local
    // The scheduler runs in a task of its own: wait for its run.
    app.eventually(
        "SELECT COUNT(*) FROM job_runs WHERE job = 'progress-nudge' AND period = '2026-11' AND finished_at IS NOT NULL",
        |n| n > 0,
        "the progress nudge did not run at 09:00 local",
    )
    .await;
    // Claimed at 09:00 local, not an hour earlier when the clock passed 08:00.
    assert_eq!(
        app.scalar("SELECT started_at FROM job_runs WHERE job = 'progress-nudge'")
            .await,
        "2026-11-25T14:00:00Z"
            .parse::<DateTime<Utc>>()
            .unwrap()
            .timestamp_millis()
    );
    // 09:00 in New York is 06:00 in Los Angeles, where the owner works
    // (users.info): the DM waits for 09:00 there.
    // The catch-up DMs go first on each person's channel, one per second.
    for _ in 0..10 {
        app.drain().await;
        if !app.fake.calls_to("users.info").is_empty() {
            break;
        }
        app.advance(1);
    }
    // Asked by the nudge, or already by this instance's start-up pass over
    // people's names (which keeps their zones too).
    app.drain().await;
    assert!(!app.fake.calls_to("users.info").is_empty());
    let early = app
        .fake
        .calls_to("chat.postMessage")
        .iter()
        .any(|c| c.body.to_string().contains("Check-in time"));
    assert!(!early, "not before 09:00 in the person's own time zone");
    let mut found = false;
    for _ in 0..20 {
        app.advance(15 * 60);
        app.drain().await;
        found =
            app.fake.calls_to("chat.postMessage").iter().any(|c| {
                c.body["channel"] == NURSE && c.body.to_string().contains("Check-in time")
            });
        if found {
            break;
        }
    }
    let sent_at: i64 = app
        .scalar("SELECT MAX(finished_at) FROM outbox WHERE payload LIKE '%progress_nudge%'")
        .await;
    assert!(
        sent_at
            >= "2026-11-25T17:00:00Z"
                .parse::<DateTime<Utc>>()
                .unwrap()
                .timestamp_millis(),
        "at 09:00 Los Angeles"
    );
    assert!(found, "no check-in DM");
}

#[tokio::test]
async fn people_away_or_muted_are_not_nudged() {
    let app = spawn_app().await;
    let past = app
        .post_command("/align", "away until 2020-01-01", NURSE)
        .await;
    assert!(past.text().contains("has passed"), "{}", past.body);
    let away = app
        .post_command("/align", "away until 2026-12-31", NURSE)
        .await;
    assert!(
        away.text().contains("Thursday, December 31, 2026"),
        "{}",
        away.body
    );
    let muted = app.post_command("/align", "mute moments", NURSE2).await;
    assert!(muted.text().contains("Muted"), "{}", muted.body);

    let summary = jobs::run(&app.ctx, Job::MomentsNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert_eq!((summary.enqueued, summary.skipped), (1, 2), "{summary}");
    app.settle().await;
    let to: Vec<String> = app
        .fake
        .calls_to("chat.postMessage")
        .iter()
        .map(|c| c.body["channel"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(to, [LEAD]);

    // Muting one kind leaves the others; coming back ends the pause.
    app.post_command("/align", "away off", NURSE).await;
    add_goal(&app, "Goal A", "owner:<@U0NURSE2|n2>").await;
    let progress = jobs::run(&app.ctx, Job::ProgressNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(
        progress.enqueued, 1,
        "NURSE2 muted moments, not progress: {progress}"
    );
}

#[tokio::test]
async fn a_nudge_due_on_a_team_holiday_waits_for_the_teams_next_working_day() {
    let config = CONFIG.trim_start().replace(
        r#"members = ["U0NURSE1", "U0NURSE2"]"#,
        "members = [\"U0NURSE1\", \"U0NURSE2\"]\nholidays = [\"2026-11-25\", \"2026-11-26\"]",
    );
    let app = spawn_app_at(&config, start_time()).await;
    add_goal(&app, "Goal A", "owner:<@U0NURSE1|n1>").await;
    let fire = chrono::NaiveDate::from_ymd_opt(2026, 11, 25)
        .unwrap()
        .and_hms_opt(9, 0, 0)
        .unwrap();
    jobs::run_at(
        &app.ctx,
        Job::ProgressNudge,
        month(&app),
        Trigger::Schedule,
        Some(fire),
    )
    .await
    .unwrap();
    let payload: String =
        sqlx::query_scalar("SELECT payload FROM outbox WHERE payload LIKE '%progress_nudge%'")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert!(
        payload.contains("\"local_at\":\"2026-11-27T09:00\""),
        "Wed 25 and Thu 26 are holidays: {payload}"
    );
}
