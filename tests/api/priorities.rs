use crate::helpers::*;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::scheduler::schedule::Month;
use serde_json::json;

const LEAD: &str = "U0LEAD1";

fn month(app: &TestApp) -> Month {
    use alignbot::clock::Clock;
    Month::containing(app.clock.now(), chrono_tz::America::New_York)
}

#[tokio::test]
pub(crate) async fn a_leader_publishes_priorities_to_the_team_channel_and_leadership_hears_of_it() {
    let app = spawn_app().await;
    app.post_command(
        "/goal",
        "add Cut waits pillar:patient-care start:45min target:30min",
        LEAD,
    )
    .await;
    app.settle().await;
    let reply = app
        .post_command(
            "/priorities",
            "publish Hire 2 nurses; Flu clinic <!here> *now*; Fix the rota",
            LEAD,
        )
        .await;
    assert!(reply.text().contains("Published Nursing"), "{}", reply.body);
    let posts = app.sent("chat.postMessage", 2).await;
    let team_post = posts
        .iter()
        .find(|c| c.body["channel"] == "C0NURSING")
        .expect("team post");
    let blocks = team_post.body["blocks"].as_array().unwrap();
    assert!(
        blocks.iter().any(|b| b["text"]["type"] == "plain_text"
            && b["text"]["text"]
                == "1. Hire 2 nurses\n2. Flu clinic <!here> *now*\n3. Fix the rota"),
        "{}",
        team_post.body
    );
    assert!(
        team_post.body.to_string().contains("Cut waits"),
        "goal progress shown"
    );
    let summary = posts
        .iter()
        .find(|c| c.body["channel"] == LEADERS)
        .expect("leadership line");
    assert!(
        summary.body.to_string().contains("3 items"),
        "{}",
        summary.body
    );

    // Publishing again replaces the items and updates the post in place.
    app.drain().await;
    app.advance(1);
    app.post_command("/priorities", "publish Hire 3 nurses", LEAD)
        .await;
    let update = &app.sent("chat.update", 1).await[0];
    assert!(
        update.body.to_string().contains("1. Hire 3 nurses"),
        "{}",
        update.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM priorities").await, 1);
}

#[tokio::test]
async fn only_leaders_publish_and_bad_lists_are_explained() {
    let app = spawn_app().await;
    let member = app
        .post_command("/priorities", "publish Something", NURSE)
        .await;
    assert!(
        member.text().contains("Only team leaders"),
        "{}",
        member.body
    );
    let too_many = app
        .post_command("/priorities", "publish a;b;c;d;e;f;g;h", LEAD)
        .await;
    assert!(too_many.text().contains("at most 7"), "{}", too_many.body);
    let empty = app.post_command("/priorities", "publish ;;", LEAD).await;
    assert!(empty.text().contains("at least one"), "{}", empty.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM priorities").await, 0);
    let show = app.post_command("/priorities", "show nursing", NURSE).await;
    assert!(show.text().contains("has not published"), "{}", show.body);
}

#[tokio::test]
async fn the_form_is_prefilled_with_last_months_items() {
    let app = spawn_app().await;
    app.post_command("/priorities", "publish Keep A; Keep B", LEAD)
        .await;
    app.settle().await;
    app.advance(20 * 24 * 3600); // into December
    app.post_command("/priorities", "publish", LEAD).await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "priorities_publish");
    let view = open.body["view"].to_string();
    assert!(
        view.contains("Keep A") && view.contains("Keep B") && view.contains("December 2026"),
        "{view}"
    );

    let mut submit = submission(
        LEAD,
        "priorities_publish",
        json!({"team": "nursing", "leaders": true}),
        &Form::default(),
    );
    submit["view"]["state"]["values"] = json!({
        "priority_1": {"priority_1": {"type": "plain_text_input", "value": "Keep A"}},
        "priority_2": {"priority_2": {"type": "plain_text_input", "value": ""}},
        "priority_3": {"priority_3": {"type": "plain_text_input", "value": "New C"}},
    });
    let done = app.post_interaction(&submit).await.json();
    assert!(done["view"].to_string().contains("December 2026"), "{done}");
    let shown = app.post_command("/priorities", "show", NURSE).await;
    assert!(
        shown.text().contains("1. Keep A\\n2. New C"),
        "{}",
        shown.body
    );
}

#[tokio::test]
async fn the_priorities_nudge_asks_leaders_who_have_not_published_and_ticks_itself_off() {
    let app = spawn_app().await;
    let summary = jobs::run(&app.ctx, Job::PrioritiesNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(summary.enqueued, 1, "{summary}");
    let dm = &app.sent("chat.postMessage", 1).await[0];
    assert_eq!(dm.body["channel"], LEAD);
    assert!(
        dm.body.to_string().contains("priorities_open"),
        "{}",
        dm.body
    );
    app.settle().await;

    app.post_interaction(&button(
        LEAD,
        "priorities_open",
        "nursing",
        On::Message(&app.fake.hook_url("n")),
    ))
    .await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "priorities_publish");
    let refused = app
        .post_interaction(&button(
            NURSE,
            "priorities_open",
            "nursing",
            On::Message(&app.fake.hook_url("n")),
        ))
        .await;
    assert_eq!(refused.status, 200);

    app.post_command("/priorities", "publish One thing", LEAD)
        .await;
    app.drain().await;
    app.advance(1);
    let update = app.sent("chat.update", 1).await;
    assert!(
        update
            .iter()
            .any(|c| c.body.to_string().contains("Published. Thank you")),
        "{update:#?}"
    );

    let next = jobs::run(
        &app.ctx,
        Job::PrioritiesNudge,
        month(&app).next(),
        Trigger::Manual,
    )
    .await
    .unwrap();
    assert!(next.ran);
    let again = jobs::run(&app.ctx, Job::PrioritiesNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert!(!again.ran);
}

#[tokio::test]
async fn leaders_still_missing_get_one_reminder_then_admins_get_the_list_privately() {
    let app = spawn_app_at(
        "[[teams]]\nkey = \"pharmacy\"\nname = \"Pharmacy\"\nchannel = \"C0PHARM\"\nleaders = [\"U0PHARM1\"]\n",
        start_time(),
    )
    .await;
    app.post_command("/priorities", "publish One thing", LEAD)
        .await;
    app.settle().await;
    let before = app.fake.calls_to("chat.postMessage").len();

    let reminder = jobs::run(
        &app.ctx,
        Job::PrioritiesReminder,
        month(&app),
        Trigger::Schedule,
    )
    .await
    .unwrap();
    assert_eq!((reminder.enqueued, reminder.skipped), (1, 1), "{reminder}");
    let missing = jobs::run(
        &app.ctx,
        Job::PrioritiesMissing,
        month(&app),
        Trigger::Schedule,
    )
    .await
    .unwrap();
    assert_eq!(missing.enqueued, 1, "one admin: {missing}");
    let posts = app.sent("chat.postMessage", before + 2).await;
    let new: Vec<_> = posts[before..].iter().collect();
    let to_leader = new
        .iter()
        .find(|c| c.body["channel"] == "U0PHARM1")
        .expect("reminder DM");
    assert!(
        to_leader.body.to_string().contains("Reminder"),
        "{}",
        to_leader.body
    );
    let to_admin = new
        .iter()
        .find(|c| c.body["channel"] == ADMIN)
        .expect("admin DM");
    let text = to_admin.body.to_string();
    assert!(
        text.contains("Pharmacy") && !text.contains("*Nursing*"),
        "{text}"
    );
    assert!(
        new.iter()
            .all(|c| c.body["channel"].as_str().unwrap().starts_with('U')),
        "nothing public"
    );
    assert!(
        !jobs::run(
            &app.ctx,
            Job::PrioritiesReminder,
            month(&app),
            Trigger::Manual
        )
        .await
        .unwrap()
        .ran,
        "once a month"
    );
}

#[tokio::test]
async fn the_home_tab_shows_the_teams_priorities_or_a_publish_button_for_its_leader() {
    let app = spawn_app().await;
    let home = |user: &str, id: &str| {
        json!({"type": "event_callback", "team_id": "T0TEAM", "api_app_id": "A0APP", "event_id": id, "event_time": 1,
               "event": {"type": "app_home_opened", "user": user, "channel": "D0X", "tab": "home"}})
    };
    app.post_event(&home(LEAD, "Ev0H1")).await;
    let first = app.sent("views.publish", 1).await[0].body.to_string();
    assert!(
        first.contains("Not published yet") && first.contains("priorities_open"),
        "{first}"
    );
    app.post_command("/priorities", "publish Hire 2 nurses", LEAD)
        .await;
    app.settle().await;
    app.post_event(&home(NURSE, "Ev0H2")).await;
    let publishes = app.sent("views.publish", 2).await;
    let view = publishes
        .iter()
        .rev()
        .find(|c| c.body["user_id"] == NURSE)
        .unwrap()
        .body
        .to_string();
    assert!(view.contains("1. Hire 2 nurses"), "{view}");
}

#[tokio::test]
pub(crate) async fn items_can_serve_goals_and_last_months_items_are_reviewed() {
    let app = spawn_app().await;
    app.post_command(
        "/goal",
        "add Cut waits pillar:patient-care start:45min target:30min",
        LEAD,
    )
    .await;
    app.post_command("/priorities", "publish Old one; Old two", LEAD)
        .await;
    app.settle().await;
    app.advance(20 * 24 * 3600); // December
    app.post_command("/priorities", "publish", LEAD).await;
    let open = &app.sent("views.open", 1).await[0];
    let view = open.body["view"].to_string();
    assert!(
        view.contains("priority_review_1")
            && view.contains("priority_goal_1")
            && view.contains("Cut waits"),
        "{view}"
    );

    let mut submit = submission(
        LEAD,
        "priorities_publish",
        json!({"team": "nursing", "leaders": true}),
        &Form::default(),
    );
    let option = |v: &str| json!({"text": {"type": "plain_text", "text": "x"}, "value": v});
    submit["view"]["state"]["values"] = json!({
        "priority_review_1": {"priority_review_1": {"type": "static_select", "selected_option": option("done")}},
        "priority_review_2": {"priority_review_2": {"type": "static_select", "selected_option": option("dropped")}},
        "priority_1": {"priority_1": {"type": "plain_text_input", "value": "Triage pilot"}},
        "priority_goal_1": {"priority_goal_1": {"type": "static_select", "selected_option": option("1")}},
    });
    let done = app.post_interaction(&submit).await.json();
    assert!(done["view"].to_string().contains("Published"), "{done}");
    app.settle().await;
    let post = app
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .rev()
        .find(|c| c.body["channel"] == "C0NURSING")
        .unwrap();
    let text = post.body.to_string();
    assert!(
        text.contains("1. Triage pilot  (goal #1: Cut waits)"),
        "{text}"
    );
    assert!(
        text.contains("1 done") && text.contains("0 carried over") && text.contains("1 dropped"),
        "{text}"
    );
}
