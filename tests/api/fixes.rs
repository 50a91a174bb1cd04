//! What the user test found (issue 12), each through the real endpoints.

use crate::helpers::*;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::scheduler::schedule::Month;

const LEAD: &str = "U0LEAD1";

fn month(app: &TestApp) -> Month {
    use alignbot::clock::Clock;
    Month::containing(app.clock.now(), chrono_tz::America::New_York)
}

#[tokio::test]
async fn the_bots_own_mentions_in_the_history_render_as_mentions() {
    let app = spawn_app().await;
    let added = app
        .post_command("/align", "team leaders nursing add <@U0LEE>", ADMIN)
        .await;
    assert!(added.text().contains("<@U0LEE>"), "{}", added.body);
    let history = app.post_command("/align", "history", ADMIN).await;
    let text = history.text();
    assert!(text.contains("added leader <@U0LEE>"), "{text}");
    assert!(!text.contains("&lt;@U0LEE&gt;"), "{text}");
}

#[tokio::test]
async fn adding_a_team_without_its_channel_says_what_to_type_and_the_help_agrees() {
    let app = spawn_app().await;
    let reply = app
        .post_command("/align", "team add icu Intensive care", ADMIN)
        .await;
    assert!(
        reply
            .text()
            .contains("/align team add icu Intensive care channel:#icu"),
        "{}",
        reply.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM teams").await, 1);
    let help = app.post_command("/align", "help", ADMIN).await.text();
    assert!(
        help.contains("/align team add <key> <name…> channel:#channel`"),
        "{help}"
    );
    assert!(!help.contains("<name…> [channel:#channel]"), "{help}");
}

#[tokio::test]
async fn the_progress_nudge_counts_every_goal_and_says_how_to_reach_the_rest() {
    let app = spawn_app().await;
    for i in 1..=29 {
        let reply = app
            .post_command(
                "/goal",
                &format!("add Goal number {i} pillar:patient-care target:100%"),
                LEAD,
            )
            .await;
        assert!(reply.text().contains("Added goal"), "{}", reply.body);
    }
    jobs::run(&app.ctx, Job::ProgressNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    let dm = &app.posted_to(LEAD).await[0];
    let text = blocks_text(dm);
    assert!(text.contains("29 still need a check-in"), "{text}");
    assert!(
        text.contains("…and 14 more goals not shown here (14 still to check in)"),
        "{text}"
    );
    assert!(text.contains("/goal list mine"), "{text}");
}

#[tokio::test]
async fn the_moments_invitation_says_thank_you_once_the_person_shares() {
    let app = spawn_app().await;
    jobs::run(&app.ctx, Job::MomentsNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    let invitation = &app.posted_to(NURSE).await[0];
    assert!(blocks_text(invitation).contains("Share a mission moment"));
    app.post_command(
        "/moment",
        "Sam stayed late to calm a worried family.",
        NURSE,
    )
    .await;
    app.drain().await;
    app.advance(2);
    let updates = app.sent("chat.update", 1).await;
    assert_eq!(updates[0].body["channel"], NURSE);
    let text = blocks_text(&updates[0].body);
    assert!(text.contains("You shared one this month"), "{text}");
    assert!(!text.contains("home_share"), "{text}");
}

#[tokio::test]
async fn a_story_too_short_is_refused_and_one_too_long_opens_the_form_with_every_word() {
    let app = spawn_app().await;
    for short in ["a", "🙏🙏🙏"] {
        let reply = app.post_command("/moment", short, NURSE).await;
        assert!(
            reply.text().contains("at least 10 characters"),
            "{}",
            reply.body
        );
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);

    let long = format!("We stayed with her all night. {}", "é".repeat(3000));
    let reply = app.post_command("/moment", &long, NURSE).await;
    assert!(
        reply.text().contains("opened the form with your story"),
        "{}",
        reply.body
    );
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "moment_share");
    assert!(
        open.body["view"].to_string().contains(&long),
        "the whole story is in the form"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
}

#[tokio::test]
async fn a_pillar_added_this_month_is_never_called_drifting() {
    let app = spawn_app().await;
    // A month on, the settings file's pillars are no longer new.
    app.advance(31 * 24 * 3600);
    let added = app
        .post_command("/align", "pillar add quality Quality and safety", ADMIN)
        .await;
    assert!(added.text().contains("Quality"), "{}", added.body);
    jobs::run(&app.ctx, Job::MonthlyDigest, month(&app), Trigger::Manual)
        .await
        .unwrap();
    let digest = app
        .posted_to(LEADERS)
        .await
        .into_iter()
        .map(|b| blocks_text(&b))
        .find(|t| t.contains("Drift"))
        .expect("the old pillars without activity are drifting");
    let drift = digest.lines().find(|l| l.contains("Drift")).unwrap();
    assert!(drift.contains("Our people"), "{drift}");
    assert!(!drift.contains("Quality"), "{drift}");
}

#[tokio::test]
pub(crate) async fn a_pillar_first_seen_in_the_settings_file_this_month_drifts_only_from_next_month()
 {
    let app = spawn_app().await;
    // Its first month (16 November): the file's pillars are new, none drifts.
    jobs::run(&app.ctx, Job::MonthlyDigest, month(&app), Trigger::Manual)
        .await
        .unwrap();
    let digest: Vec<String> = app
        .posted_to(LEADERS)
        .await
        .iter()
        .map(blocks_text)
        .collect();
    assert!(
        digest.iter().any(|t| t.contains("Check-ins")),
        "the leadership digest was posted: {digest:#?}"
    );
    assert!(digest.iter().all(|t| !t.contains("Drift")), "{digest:#?}");

    // Next month, after a restart (which seeds the file again and must not
    // make its pillars new again), with no activity: they drift.
    app.advance(31 * 24 * 3600);
    let app = app.restart().await;
    jobs::run(&app.ctx, Job::MonthlyDigest, month(&app), Trigger::Manual)
        .await
        .unwrap();
    let drift = app
        .posted_to(LEADERS)
        .await
        .iter()
        .map(blocks_text)
        .filter_map(|t| t.lines().find(|l| l.contains("Drift")).map(str::to_owned))
        .next()
        .expect("the file's pillars drift in their second month without activity");
    assert!(
        drift.contains("Patient care") && drift.contains("Our people"),
        "{drift}"
    );
}

#[tokio::test]
async fn a_goal_without_a_start_starts_at_its_first_check_in_and_says_so() {
    let app = spawn_app().await;
    let added = app
        .post_command(
            "/goal",
            "add Reduce wait times pillar:patient-care target:30min",
            LEAD,
        )
        .await;
    assert!(
        added.text().contains("first check-in will be its start"),
        "{}",
        added.body
    );
    let first = app.post_command("/goal", "update 1 40min", LEAD).await;
    assert!(
        first.text().contains("progress runs from 40 min to 30 min"),
        "{}",
        first.body
    );
    assert!(!first.text().contains("100%"), "{}", first.body);
    let progress = || async {
        sqlx::query_scalar::<_, f64>("SELECT progress FROM goals WHERE id = 1")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap()
    };
    assert_eq!(progress().await, 0.0);
    let second = app.post_command("/goal", "update 1 35min", LEAD).await;
    assert!(!second.text().contains("start"), "{}", second.body);
    assert!((progress().await - 0.5).abs() < 1e-9);

    // With a start, nothing changes: 45 → 30, and 40 is a third of the way.
    app.post_command(
        "/goal",
        "add Shorter stays pillar:patient-care start:45min target:30min",
        LEAD,
    )
    .await;
    let given = app.post_command("/goal", "update 2 40min", LEAD).await;
    assert!(!given.text().contains("start"), "{}", given.body);
}

#[tokio::test]
async fn job_summaries_count_right_and_speak_in_the_singular_when_it_is_one() {
    let app = spawn_app().await;
    app.post_command("/priorities", "publish One thing", LEAD)
        .await;
    let summary = jobs::run(&app.ctx, Job::PrioritiesNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert!(
        summary.detail.contains("(1 team already did)"),
        "{}",
        summary.detail
    );

    // Muted is not "already shared".
    app.post_command("/align", "mute moments", NURSE).await;
    app.post_command("/moment", "Kim sang to a patient on her birthday.", NURSE2)
        .await;
    let summary = jobs::run(&app.ctx, Job::MomentsNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert!(
        summary.detail.contains(
            "invited 1 person to share a moment (1 already shared this month; 1 away or muted)"
        ),
        "{}",
        summary.detail
    );
}

#[tokio::test]
async fn too_many_priorities_are_explained_in_plain_words() {
    let app = spawn_app().await;
    let reply = app
        .post_command("/priorities", "publish a;b;c;d;e;f;g;h;i", LEAD)
        .await;
    assert!(
        reply
            .text()
            .contains("You listed 9 items; priorities are at most 7"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn support_tells_me_where_i_stand_and_the_post_shows_who_supports() {
    let app = spawn_app().await;
    app.post_command(
        "/goal",
        "propose Night-shift tea breaks pillar:our-people",
        NURSE,
    )
    .await;
    app.settle().await;
    let press = || {
        button(
            NURSE2,
            "proposal_support",
            "1",
            On::Message(&app.fake.hook_url("support")),
        )
    };
    app.post_interaction(&press()).await;
    app.drain().await;
    let told = app.fake.calls_to("hook");
    let text = told[0].body["text"].as_str().unwrap().to_owned();
    assert!(
        text.contains("You support “Night-shift tea breaks”"),
        "{text}"
    );
    assert!(text.contains("Supported by <@U0NURSE2>"), "{text}");
    app.advance(2);
    let update = &app.sent("chat.update", 1).await[0];
    let post = blocks_text(&update.body);
    assert!(post.contains("1 supporter  ·  "), "{post}");
    assert!(post.contains("0 comments"), "{post}");
    assert!(post.contains("Supported by <@U0NURSE2>"), "{post}");

    app.post_interaction(&press()).await;
    app.drain().await;
    let told = app.fake.calls_to("hook");
    let text = told[1].body["text"].as_str().unwrap();
    assert!(text.contains("You took back your support"), "{text}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM proposal_supports").await,
        0
    );
}
