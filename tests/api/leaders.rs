//! People who lead several teams: every leader action names its team, and
//! the priorities nudge, reminder, escalation and "published" state are kept
//! per (leader, team).

use crate::helpers::*;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::scheduler::schedule::Month;

/// U0LEAD1 leads Nursing (from the base config) and Intensive care;
/// U0ICU2 leads only Intensive care.
const ICU: &str = "[[teams]]\nkey = \"icu\"\nname = \"Intensive care\"\nchannel = \"C0ICU\"\nleaders = [\"U0LEAD1\", \"U0ICU2\"]\nmembers = [\"U0ICUN1\"]\n";
const LEAD: &str = "U0LEAD1";

fn month(app: &TestApp) -> Month {
    use alignbot::clock::Clock;
    Month::containing(app.clock.now(), chrono_tz::America::New_York)
}

/// Whether the leader's state for `team` this month has `mark` set.
async fn state(app: &TestApp, team: &str, mark: &str) -> bool {
    let states =
        alignbot::store::jobs::leader_team_states(app.ctx.store.reads(), &month(app).key(), LEAD)
            .await
            .unwrap();
    let Some(s) = states.iter().find(|s| s.team_key == team) else {
        return false;
    };
    match mark {
        "nudged_at" => s.nudged_at.is_some(),
        "reminded_at" => s.reminded_at.is_some(),
        "escalated_at" => s.escalated_at.is_some(),
        "published_at" => s.published_at.is_some(),
        other => panic!("no mark {other}"),
    }
}

#[tokio::test]
async fn a_leader_of_two_teams_names_the_team_and_is_asked_when_not() {
    let app = spawn_app_at(ICU, start_time()).await;

    let asked = app
        .post_command("/goal", "add Cut waits pillar:patient-care", LEAD)
        .await;
    let text = asked.text();
    assert!(
        text.contains("You lead Intensive care and Nursing")
            && text.contains("`team:icu` or `team:nursing`"),
        "{text}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 0);

    let added = app
        .post_command("/goal", "add Cut waits pillar:patient-care team:icu", LEAD)
        .await;
    assert!(added.text().contains("Added goal"), "{}", added.body);
    app.post_command(
        "/goal",
        "add Fix the rota pillar:our-people team:nursing",
        LEAD,
    )
    .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM goals WHERE team_key = 'icu'")
            .await,
        1
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM goals WHERE team_key = 'nursing'")
            .await,
        1
    );

    // A leader of ICU only may not add to Nursing, and is told what to do.
    let other = app
        .post_command("/goal", "add Rota pillar:our-people team:nursing", "U0ICU2")
        .await;
    assert!(
        other
            .text()
            .contains("You lead Intensive care, not Nursing"),
        "{}",
        other.body
    );
    // …but adds to the one team they lead without naming it.
    let own = app
        .post_command("/goal", "add Sepsis bundle pillar:patient-care", "U0ICU2")
        .await;
    assert!(own.text().contains("Added goal"), "{}", own.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 3);

    let propose = app
        .post_command("/goal", "propose Night float pillar:our-people", LEAD)
        .await;
    assert!(propose.text().contains("which team"), "{}", propose.body);

    let publish = app
        .post_command("/priorities", "publish One thing", LEAD)
        .await;
    assert!(
        publish
            .text()
            .contains("`/priorities publish team:icu &lt;item&gt;; &lt;item&gt;`"),
        "{}",
        publish.body
    );
    let show = app.post_command("/priorities", "show", LEAD).await;
    assert!(show.text().contains("which team"), "{}", show.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM priorities").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM proposals").await, 0);
}

#[tokio::test]
async fn each_team_has_its_own_nudge_reminder_escalation_and_published_state() {
    let app = spawn_app_at(ICU, start_time()).await;
    app.post_command("/goal", "add Cut waits pillar:patient-care team:icu", LEAD)
        .await;
    app.post_command(
        "/goal",
        "add Fix the rota pillar:our-people team:nursing",
        LEAD,
    )
    .await;
    app.settle().await;
    let before = app.fake.calls_to("chat.postMessage").len();

    // One DM for the leader of two teams, a section (and button) per team;
    // one for the leader of ICU only.
    let nudge = jobs::run(&app.ctx, Job::PrioritiesNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(nudge.enqueued, 2, "{nudge}");
    let posts = app.sent("chat.postMessage", before + 2).await;
    let dm = posts[before..]
        .iter()
        .find(|c| c.body["channel"] == LEAD)
        .expect("the leader's DM");
    let body = dm.body.to_string();
    assert!(
        body.contains("Publish Nursing's priorities")
            && body.contains("Publish Intensive care's priorities")
            && body.contains("Cut waits")
            && body.contains("Fix the rota"),
        "{body}"
    );
    assert!(state(&app, "nursing", "nudged_at").await);
    assert!(state(&app, "icu", "nudged_at").await);

    // Publishing Nursing ticks off Nursing's section only.
    let published = app
        .post_command("/priorities", "publish team:nursing Hire 2 nurses", LEAD)
        .await;
    assert!(
        published.text().contains("Published Nursing"),
        "{}",
        published.body
    );
    app.drain().await;
    app.advance(1);
    app.drain().await;
    let updates = app.fake.calls_to("chat.update");
    let mine = updates
        .iter()
        .find(|c| c.body["channel"] == LEAD)
        .expect("the leader's DM is updated");
    let body = mine.body.to_string();
    assert!(body.contains("Published. Thank you"), "{body}");
    assert!(
        body.contains("Publish Intensive care's priorities")
            && !body.contains("Publish Nursing's priorities"),
        "ICU stays open: {body}"
    );
    assert!(state(&app, "nursing", "published_at").await);
    assert!(!state(&app, "icu", "published_at").await);

    // The reminder asks about ICU only, and only ICU is marked reminded.
    let before = app.fake.calls_to("chat.postMessage").len();
    let reminder = jobs::run(
        &app.ctx,
        Job::PrioritiesReminder,
        month(&app),
        Trigger::Manual,
    )
    .await
    .unwrap();
    assert_eq!(reminder.enqueued, 2, "{reminder}");
    // The leader's DM was just updated: their lane is paced.
    app.advance(1);
    let posts = app.sent("chat.postMessage", before + 2).await;
    let dm = posts[before..]
        .iter()
        .find(|c| c.body["channel"] == LEAD)
        .expect("the leader's reminder");
    let body = dm.body.to_string();
    assert!(
        body.contains("Reminder: Intensive care's priorities")
            && body.contains("\"value\":\"icu\"")
            && !body.contains("\"value\":\"nursing\""),
        "{body}"
    );
    assert!(state(&app, "icu", "reminded_at").await);
    assert!(!state(&app, "nursing", "reminded_at").await);

    // Admins hear of ICU, and only ICU is marked escalated.
    let missing = jobs::run(
        &app.ctx,
        Job::PrioritiesMissing,
        month(&app),
        Trigger::Manual,
    )
    .await
    .unwrap();
    assert_eq!(missing.enqueued, 1, "{missing}");
    app.drain().await;
    assert!(state(&app, "icu", "escalated_at").await);
    assert!(!state(&app, "nursing", "escalated_at").await);

    // The co-leader publishes ICU: both of the leader's DMs now say so.
    let updates_before = app.fake.calls_to("chat.update").len();
    app.post_command("/priorities", "publish Sepsis audit", "U0ICU2")
        .await;
    // Two updates in the leader's DM lane, a second apart.
    for _ in 0..3 {
        app.drain().await;
        app.advance(1);
    }
    app.drain().await;
    let updates = app.fake.calls_to("chat.update");
    let leader_updates: Vec<_> = updates[updates_before..]
        .iter()
        .filter(|c| c.body["channel"] == LEAD)
        .collect();
    assert_eq!(
        leader_updates.len(),
        2,
        "nudge and reminder: {leader_updates:#?}"
    );
    assert!(
        leader_updates
            .iter()
            .all(|c| !c.body.to_string().contains("priorities_open")),
        "nothing left to publish"
    );
    assert!(state(&app, "icu", "published_at").await);
}

/// `/goal add` typed in `channel`.
fn command_in(app: &TestApp, text: &str, user: &str, channel: &str) -> Vec<u8> {
    String::from_utf8(command_body("/goal", text, user, &app.fake))
        .unwrap()
        .replace("channel_id=C0GENERAL", &format!("channel_id={channel}"))
        .into_bytes()
}

#[tokio::test]
async fn the_goal_form_starts_on_the_channels_team_and_whole_organization_means_no_team() {
    let app = spawn_app_at(ICU, start_time()).await;
    let body = command_in(&app, "add", LEAD, "C0ICU");
    let reply = app.post_signed("/slack/commands", FORM, body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let open = &app.sent("views.open", 1).await[0];
    let view = open.body["view"].to_string();
    let team = open.body["view"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["block_id"] == "goal_team")
        .expect("a team select");
    assert_eq!(team["element"]["initial_option"]["value"], "icu", "{team}");
    assert_eq!(
        team["optional"], false,
        "a new goal's team is picked: {team}"
    );
    assert!(view.contains("Whole organization (admins)"), "{view}");

    let payload = |user: &str| {
        let mut p = submission(user, "goal_add", serde_json::json!({}), &Form::default());
        p["view"]["state"]["values"] = serde_json::json!({
            "goal_title": {"goal_title": {"type": "plain_text_input", "value": "Fewer falls"}},
            "goal_pillar": {"goal_pillar": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "patient-care"}}},
            "goal_team": {"goal_team": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "(organization)"}}},
        });
        p
    };
    let refused = app.post_interaction(&payload(LEAD)).await.json();
    assert!(
        refused
            .to_string()
            .contains("Only admins add goals for the whole organization"),
        "{refused}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 0);

    let added = app.post_interaction(&payload(ADMIN)).await.json();
    assert_eq!(added["response_action"], "clear", "{added}");
    let confirmed = app.posted_to(ADMIN).await;
    assert!(
        confirmed
            .iter()
            .any(|c| c.to_string().contains("Added goal")),
        "{confirmed:?}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM goals WHERE team_key IS NULL")
            .await,
        1,
        "the whole organization's goal has no team"
    );
}
