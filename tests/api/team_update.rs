//! The monthly team progress update: the leader's draft, the form with their
//! sentence, the post to the team channel, and the private reminder.

use crate::helpers::*;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::scheduler::schedule::Month;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

const LEAD: &str = "U0LEAD1";
const TEAM: &str = "C0NURSING";

fn month(app: &TestApp) -> Month {
    use alignbot::clock::Clock;
    Month::containing(app.clock.now(), chrono_tz::America::New_York)
}

fn october() -> DateTime<Utc> {
    "2026-10-20T15:00:00Z".parse().unwrap()
}

/// Calls to `chat.postMessage` into `channel`, after draining.
async fn posts_to(app: &TestApp, channel: &str) -> Vec<Value> {
    app.drain().await;
    app.fake
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(|c| c.body["channel"] == channel)
        .map(|c| c.body)
        .collect()
}

/// A goal checked in in October and November, one only in November, one
/// without check-ins; the clock ends on 2 December, when the drafts go out.
async fn a_month_of_check_ins() -> TestApp {
    let app = spawn_app_at("", october()).await;
    for add in [
        "add Cut waits pillar:patient-care start:45min target:30min",
        "add Flu shots for staff pillar:our-people target:100%",
        "add Open the new ward pillar:patient-care",
    ] {
        let reply = app.post_command("/goal", add, LEAD).await;
        assert!(reply.text().contains("#"), "{}", reply.body);
    }
    app.post_command("/goal", "update 1 42min on-track", LEAD)
        .await;
    app.advance(27 * 24 * 3600); // 16 November
    let reply = app
        .post_command(
            "/goal",
            "update 1 38min at-risk Short on night staff since the agency left.\nMore detail that stays private.",
            LEAD,
        )
        .await;
    assert!(reply.status == 200, "{}", reply.body);
    app.post_command("/goal", "update 2 60% on-track", LEAD)
        .await;
    app.settle().await;
    app.advance(16 * 24 * 3600); // 2 December
    app
}

#[tokio::test]
async fn the_leader_gets_a_draft_adds_a_sentence_and_the_team_gets_the_update() {
    let app = a_month_of_check_ins().await;
    let december = month(&app);
    assert_eq!(december.key(), "2026-12");
    let summary = jobs::run(&app.ctx, Job::TeamUpdate, december, Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(summary.enqueued, 1, "{summary}");

    // The draft: private to the leader, at-risk first, with the change
    // over November and the note's first line only.
    let dms = posts_to(&app, LEAD).await;
    assert_eq!(dms.len(), 1, "{dms:#?}");
    let draft = blocks_text(&dms[0]);
    assert!(draft.contains("progress in November 2026"), "{draft}");
    assert!(draft.contains("−4 min over the month"), "{draft}");
    assert!(draft.contains("Short on night staff"), "{draft}");
    assert!(!draft.contains("stays private"), "{draft}");
    assert!(draft.contains("no check-in yet"), "{draft}");
    let (waits, flu, ward) = (
        draft.find("Cut waits").unwrap(),
        draft.find("Flu shots").unwrap(),
        draft.find("Open the new ward").unwrap(),
    );
    assert!(
        waits < ward && ward < flu,
        "at risk, unchecked, on track: {draft}"
    );
    let json = dms[0].to_string();
    assert!(
        json.contains("team_update_edit") && json.contains("team_update_post"),
        "{json}"
    );
    assert!(json.contains("nursing/2026-12"), "{json}");
    assert!(posts_to(&app, TEAM).await.is_empty(), "nothing posted yet");

    // "Add a sentence and post" opens the form with the goal lines.
    app.post_interaction(&button(
        LEAD,
        "team_update_edit",
        "nursing/2026-12",
        On::Message(&app.fake.hook_url("d")),
    ))
    .await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "team_update");
    assert!(
        open.body["view"].to_string().contains("Cut waits"),
        "{}",
        open.body
    );

    let mut submit = submission(
        LEAD,
        "team_update",
        json!({"team": "nursing", "leaders": true}),
        &Form::default(),
    );
    let sentence = "Waits are down <!here> *thanks* & more to do.";
    submit["view"]["state"]["values"] = json!({
        "team_update_sentence": {"team_update_sentence": {"type": "plain_text_input", "value": sentence}},
    });
    let done = app.post_interaction(&submit).await.json();
    assert_eq!(done, json!({"response_action": "clear"}));

    let posts = posts_to(&app, TEAM).await;
    assert_eq!(posts.len(), 1, "{posts:#?}");
    let blocks = posts[0]["blocks"].as_array().unwrap();
    assert!(
        blocks
            .iter()
            .any(|b| b["text"]["type"] == "plain_text" && b["text"]["text"] == sentence),
        "the sentence exactly as written: {}",
        posts[0]
    );
    let text = blocks_text(&posts[0]);
    assert!(text.contains("Posted by <@U0LEAD1>"), "{text}");
    assert!(
        text.find("Cut waits").unwrap() < text.find("Flu shots").unwrap(),
        "{text}"
    );
    assert!(
        !posts[0].to_string().contains("team_update_post"),
        "no buttons"
    );

    // The draft says it was posted; a second post is refused.
    app.advance(2);
    let updates = app.sent("chat.update", 1).await;
    assert!(
        blocks_text(&updates[0].body).contains("Posted to <#C0NURSING>"),
        "{:#?}",
        updates[0].body
    );
    app.post_interaction(&button(
        LEAD,
        "team_update_post",
        "nursing/2026-12",
        On::Message(&app.fake.hook_url("again")),
    ))
    .await;
    app.drain().await;
    let told = app.fake.calls_to("hook");
    assert!(
        told.iter()
            .any(|c| c.body.to_string().contains("already posted")),
        "{told:#?}"
    );
    assert_eq!(posts_to(&app, TEAM).await.len(), 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM team_updates").await, 1);
}

#[tokio::test]
async fn a_leader_who_does_nothing_is_reminded_privately_and_can_post_as_is() {
    let app = a_month_of_check_ins().await;
    // A note that would identify a patient stays out of the update.
    app.post_command(
        "/goal",
        "update 2 70% on-track Mr. Jones in bed 12 got his shot",
        LEAD,
    )
    .await;
    app.settle().await;
    let december = month(&app);
    jobs::run(&app.ctx, Job::TeamUpdate, december, Trigger::Manual)
        .await
        .unwrap();
    app.settle().await;

    // A member cannot post it.
    app.post_interaction(&button(
        NURSE,
        "team_update_post",
        "nursing/2026-12",
        On::Message(&app.fake.hook_url("member")),
    ))
    .await;
    app.drain().await;
    assert!(
        app.fake
            .calls_to("hook")
            .iter()
            .any(|c| c.body.to_string().contains("Only the leaders of Nursing")),
        "{:#?}",
        app.fake.calls()
    );

    app.advance(3 * 24 * 3600);
    let reminder = jobs::run(&app.ctx, Job::TeamUpdateReminder, december, Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(reminder.enqueued, 1, "{reminder}");
    let dms = posts_to(&app, LEAD).await;
    assert_eq!(dms.len(), 2, "the draft and the reminder");
    let text = blocks_text(&dms[1]);
    assert!(
        text.contains("Reminder") && text.contains("Only you see this"),
        "{text}"
    );
    assert!(!text.contains("Mr. Jones"), "{text}");
    assert!(
        text.contains("not shown: it may identify someone"),
        "{text}"
    );
    // Never a public word about it: nothing in the team or leadership channel.
    assert!(posts_to(&app, TEAM).await.is_empty());
    assert!(posts_to(&app, LEADERS).await.is_empty());

    app.post_interaction(&button(
        LEAD,
        "team_update_post",
        "nursing/2026-12",
        On::Message(&app.fake.hook_url("r")),
    ))
    .await;
    let posts = posts_to(&app, TEAM).await;
    assert_eq!(posts.len(), 1);
    assert!(!posts[0].to_string().contains("Mr. Jones"), "{}", posts[0]);
    app.advance(2);
    app.drain().await;
    app.advance(2);
    let updated = app.sent("chat.update", 2).await;
    assert!(
        updated
            .iter()
            .all(|c| blocks_text(&c.body).contains("Posted to")),
        "both the draft and the reminder: {updated:#?}"
    );

    // A team that posted gets no reminder.
    let again = jobs::run(&app.ctx, Job::TeamUpdate, december, Trigger::Manual)
        .await
        .unwrap();
    assert!(!again.ran);
}

#[tokio::test]
async fn the_team_update_jobs_are_listed_and_run_by_name() {
    for name in ["team-update", "team-update-reminder", "priorities-reminder"] {
        let job = Job::parse(name).unwrap_or_else(|| panic!("`{name}` is a job"));
        assert_eq!(job.name(), name);
    }
}

/// U0LEAD1 leads Nursing (from the base config) and Intensive care, which
/// U0ICU2 co-leads.
const ICU: &str = "[[teams]]\nkey = \"icu\"\nname = \"Intensive care\"\nchannel = \"C0ICU\"\nleaders = [\"U0LEAD1\", \"U0ICU2\"]\nmembers = [\"U0ICUN1\"]\n";

/// Calls to `chat.update` of `person`'s DM, after draining.
async fn updates_of(app: &TestApp, person: &str) -> Vec<Value> {
    app.drain().await;
    app.fake
        .calls_to("chat.update")
        .into_iter()
        .filter(|c| c.body["channel"] == person)
        .map(|c| c.body)
        .collect()
}

/// The button values in a message.
fn button_values(message: &Value) -> Vec<String> {
    let mut values = Vec::new();
    for block in message["blocks"].as_array().into_iter().flatten() {
        for element in block["elements"].as_array().into_iter().flatten() {
            if let Some(v) = element["value"].as_str() {
                values.push(v.to_owned());
            }
        }
    }
    values
}

#[tokio::test]
pub(crate) async fn a_leader_of_two_teams_gets_one_draft_with_a_section_per_team_each_posted_on_its_own()
 {
    let app = spawn_app_at(ICU, october()).await;
    for add in [
        "add Cut waits pillar:patient-care start:45min target:30min team:nursing",
        "add Staff every night shift pillar:our-people target:100% team:icu",
    ] {
        let reply = app.post_command("/goal", add, LEAD).await;
        assert!(reply.text().contains("Added goal"), "{}", reply.body);
    }
    app.settle().await;
    app.advance(43 * 24 * 3600); // 2 December
    let december = month(&app);
    assert_eq!(december.key(), "2026-12");
    let summary = jobs::run(&app.ctx, Job::TeamUpdate, december, Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(summary.enqueued, 2, "one draft per leader: {summary}");

    // One DM for the leader of both teams, a section and buttons per team.
    let dms = posts_to(&app, LEAD).await;
    assert_eq!(dms.len(), 1, "one draft, not one per team: {dms:#?}");
    let text = blocks_text(&dms[0]);
    assert!(
        text.contains("Nursing: progress in November 2026")
            && text.contains("Intensive care: progress in November 2026"),
        "{text}"
    );
    assert!(text.contains("Cut waits") && text.contains("Staff every night shift"));
    let values = button_values(&dms[0]);
    assert_eq!(
        values,
        [
            "icu/2026-12",
            "icu/2026-12",
            "nursing/2026-12",
            "nursing/2026-12"
        ],
        "each section its own two buttons, in the directory's (key) order"
    );
    // The co-leader's draft has only the team they lead.
    let co = posts_to(&app, "U0ICU2").await;
    assert_eq!(co.len(), 1);
    assert_eq!(button_values(&co[0]), ["icu/2026-12", "icu/2026-12"]);
    assert!(!blocks_text(&co[0]).contains("Nursing"));

    // Posting Intensive care's section leaves Nursing's open.
    app.post_interaction(&button(
        LEAD,
        "team_update_post",
        "icu/2026-12",
        On::Message(&app.fake.hook_url("icu")),
    ))
    .await;
    assert_eq!(
        posts_to(&app, "C0ICU").await.len(),
        1,
        "ICU's update posted"
    );
    assert!(posts_to(&app, TEAM).await.is_empty(), "Nursing's not");
    app.advance(2);
    let updated = updates_of(&app, LEAD).await;
    assert_eq!(updated.len(), 1, "the one draft updated in place");
    let text = blocks_text(&updated[0]);
    assert!(text.contains("Posted to <#C0ICU> by <@U0LEAD1>"), "{text}");
    assert!(!text.contains("Posted to <#C0NURSING>"), "{text}");
    assert_eq!(
        button_values(&updated[0]),
        ["nursing/2026-12", "nursing/2026-12"],
        "Nursing keeps its buttons"
    );
    // The co-leader's copy says ICU is posted too.
    let co_updated = updates_of(&app, "U0ICU2").await;
    assert_eq!(co_updated.len(), 1, "{co_updated:#?}");
    assert!(
        blocks_text(&co_updated[0]).contains("Posted to <#C0ICU> by <@U0LEAD1>"),
        "{:#?}",
        co_updated[0]
    );
    assert!(button_values(&co_updated[0]).is_empty());

    // The reminder: one DM to the leader, listing only Nursing; none to
    // the co-leader, whose team posted.
    app.advance(3 * 24 * 3600);
    let reminder = jobs::run(&app.ctx, Job::TeamUpdateReminder, december, Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(reminder.enqueued, 1, "{reminder}");
    let dms = posts_to(&app, LEAD).await;
    assert_eq!(dms.len(), 2, "the draft and the reminder");
    let text = blocks_text(&dms[1]);
    assert!(
        text.contains("Reminder") && text.contains("Nursing"),
        "{text}"
    );
    assert!(!text.contains("Intensive care"), "{text}");
    assert_eq!(
        button_values(&dms[1]),
        ["nursing/2026-12", "nursing/2026-12"]
    );
    assert_eq!(posts_to(&app, "U0ICU2").await.len(), 1, "no reminder");

    // Posting Nursing from the reminder turns both the draft and the
    // reminder into "posted"; the draft now has no buttons left.
    app.post_interaction(&button(
        LEAD,
        "team_update_post",
        "nursing/2026-12",
        On::Message(&app.fake.hook_url("nursing")),
    ))
    .await;
    assert_eq!(posts_to(&app, TEAM).await.len(), 1);
    app.advance(2);
    app.drain().await;
    app.advance(2);
    let updated = updates_of(&app, LEAD).await;
    assert_eq!(updated.len(), 3, "{updated:#?}");
    assert!(updated[1..].iter().all(|u| button_values(u).is_empty()));
    assert!(
        updated[1..]
            .iter()
            .any(|u| blocks_text(u).contains("Every progress update for November 2026 is posted")),
        "{updated:#?}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM team_updates").await, 2);
}
