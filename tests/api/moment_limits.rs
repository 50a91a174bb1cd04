//! Who may share what, and how much: the per-person limit of moments in a
//! rolling hour, the "leaders only" audience for the organization's
//! people, and "post as written" past the guard, recorded and (when the
//! setting asks) told to the admins.

use crate::helpers::*;
use serde_json::json;

const STRANGER: &str = "U0STRANGER";
const PERSONAL: &str = "Mr. Garcia in room 12 called us at 555-123-4567 to say thanks.";

async fn moments(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM moments").await
}

/// Shares sent together are written in one batch: the limit counts the
/// batch's earlier shares too, so no burst slips past it.
#[tokio::test]
async fn shares_sent_at_once_stop_at_the_limit_too() {
    let app = spawn_app_at("[privacy]\nmoments_per_hour = 3\n", start_time()).await;
    let stories: Vec<String> = (0..8)
        .map(|n| format!("Thank you team, burst {n}."))
        .collect();
    let replies = futures_util::future::join_all(
        stories
            .iter()
            .map(|story| app.post_command("/moment", story, NURSE)),
    )
    .await;
    let thanked = replies
        .iter()
        .filter(|r| r.text().contains("Thank you!"))
        .count();
    let refused = replies
        .iter()
        .filter(|r| r.text().contains("3 moments in the last hour"))
        .count();
    let bodies: Vec<&str> = replies.iter().map(|r| r.body.as_str()).collect();
    assert_eq!((thanked, refused), (3, 5), "{bodies:?}");
    assert_eq!(moments(&app).await, 3);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox WHERE payload LIKE '%\"post_moment\"%'")
            .await,
        3,
        "one post per stored moment"
    );
}

/// More shares at once than one SQLite query carries (8) are split over
/// several in one transaction: each is stored once, with its own post.
#[tokio::test]
async fn forty_shares_at_once_are_each_stored_once_with_their_own_post() {
    let app = spawn_app_at("[privacy]\nmoments_per_hour = 0\n", start_time()).await;
    let stories: Vec<String> = (0..40)
        .map(|n| format!("Thank you team, story number {n}."))
        .collect();
    let replies = futures_util::future::join_all(
        stories
            .iter()
            .map(|story| app.post_command("/moment", story, NURSE)),
    )
    .await;
    assert!(replies.iter().all(|r| r.text().contains("Thank you!")));
    assert_eq!(moments(&app).await, 40);
    assert_eq!(
        app.scalar(
            "SELECT COUNT(DISTINCT m.id) FROM moments m JOIN outbox o \
             ON o.payload LIKE '%\"moment\":' || m.id || ',%'"
        )
        .await,
        40,
        "each moment has its own post"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 40);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM request_replays").await, 40);
}

#[tokio::test]
async fn one_person_shares_at_most_the_limit_in_an_hour_and_is_told_when_again() {
    let app = spawn_app_at("[privacy]\nmoments_per_hour = 3\n", start_time()).await;
    for n in 0..3 {
        let reply = app
            .post_command("/moment", &format!("Thank you team, day {n}."), NURSE)
            .await;
        assert!(reply.text().contains("Thank you!"), "{}", reply.body);
        app.advance(60);
    }
    // 15:03 now; the first share (15:00) frees a slot at 16:00 (11:00 in New York).
    let refused = app
        .post_command("/moment", "One more thank you.", NURSE)
        .await;
    let text = refused.text();
    assert!(text.contains("3 moments in the last hour"), "{text}");
    assert!(text.contains("share again at 11:00"), "{text}");
    assert_eq!(moments(&app).await, 3, "nothing stored when refused");

    // The form says the same, on the story field, and stores nothing.
    let form = Form {
        story: "A story from the form.",
        ..Form::default()
    };
    let reply = app
        .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await
        .json();
    assert_eq!(reply["response_action"], "errors", "{reply}");
    assert!(
        reply["errors"]["story"]
            .as_str()
            .unwrap()
            .contains("share again at")
    );
    assert_eq!(moments(&app).await, 3);

    // Someone else is not limited by the nurse's shares.
    let other = app
        .post_command("/moment", "A colleague's story.", NURSE2)
        .await;
    assert!(other.text().contains("Thank you!"), "{}", other.body);

    // An hour after the first share, the nurse can share again.
    app.advance(60 * 57 + 1);
    let again = app
        .post_command("/moment", "One more thank you.", NURSE)
        .await;
    assert!(again.text().contains("Thank you!"), "{}", again.body);
    assert_eq!(moments(&app).await, 5);
    // The channel takes one post a second.
    for _ in 0..5 {
        app.drain().await;
        app.advance(1);
    }
    assert_eq!(app.settle().await.pending, 0);
    assert_eq!(app.fake.calls_to("chat.postMessage").len(), 5);
}

#[tokio::test]
async fn confirming_a_held_draft_counts_against_the_limit_too() {
    let app = spawn_app_at("[privacy]\nmoments_per_hour = 1\n", start_time()).await;
    let held = app.post_command("/moment", PERSONAL, NURSE).await;
    assert!(held.text().contains("haven't posted"), "{}", held.body);
    let draft = app
        .scalar("SELECT id FROM moments WHERE status = 'draft'")
        .await;
    let ok = app.post_command("/moment", "A clean story.", NURSE).await;
    assert!(ok.text().contains("Thank you!"), "{}", ok.body);

    let hook = app.fake.hook_url("actions/limit");
    app.post_interaction(&button(
        NURSE,
        "draft_post",
        &draft.to_string(),
        On::Message(&hook),
    ))
    .await;
    let answer = &app.sent("hook", 1).await[0];
    assert!(
        answer.body["text"]
            .as_str()
            .unwrap()
            .contains("share again at"),
        "{}",
        answer.body
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'draft'")
            .await,
        1,
        "the draft waits"
    );
}

#[tokio::test]
async fn someone_in_no_team_cannot_share_into_the_leadership_channel() {
    let app = spawn_app().await;
    let form = Form {
        story: "The night shift covered for us all week.",
        audience: "leaders",
        ..Form::default()
    };
    let reply = app
        .post_interaction(&submission(STRANGER, "moment_share", json!({}), &form))
        .await
        .json();
    assert_eq!(reply["response_action"], "errors", "{reply}");
    let why = reply["errors"]["audience"].as_str().unwrap();
    assert!(
        why.contains("leaders only") && why.contains("not in any team"),
        "{why}"
    );
    assert_eq!(moments(&app).await, 0);
    app.settle().await;
    assert!(app.fake.calls_to("chat.postMessage").is_empty());

    // A member of a team may, and an admin may.
    for person in [NURSE, ADMIN] {
        let reply = app
            .post_interaction(&submission(person, "moment_share", json!({}), &form))
            .await
            .json();
        assert_eq!(reply["response_action"], "clear", "{person}: {reply}");
    }
    app.drain().await;
    app.advance(1);
    // Two posts, and each author's confirmation in their DM.
    let calls = app.sent("chat.postMessage", 4).await;
    let posts: Vec<_> = calls
        .iter()
        .filter(|p| p.body["channel"] != NURSE && p.body["channel"] != ADMIN)
        .collect();
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|p| p.body["channel"] == LEADERS));
}

#[tokio::test]
async fn posting_as_written_is_recorded_and_told_to_admins_when_they_ask() {
    let app = spawn_app_at(
        "[privacy]\nnotify_admins_on_override = true\n",
        start_time(),
    )
    .await;
    app.post_command("/moment", PERSONAL, NURSE).await;
    let draft = app
        .scalar("SELECT id FROM moments WHERE status = 'draft'")
        .await;
    let hook = app.fake.hook_url("actions/override");
    app.post_interaction(&button(
        NURSE,
        "draft_post",
        &draft.to_string(),
        On::Message(&hook),
    ))
    .await;
    app.drain().await;
    let findings: String = sqlx::query_scalar(
        "SELECT findings FROM privacy_overrides WHERE person_id = 'U0NURSE1' AND moment_id = $1",
    )
    .bind(draft)
    .fetch_one(app.ctx.store.reads())
    .await
    .unwrap();
    assert!(findings.contains("a phone number"), "{findings}");
    assert!(!findings.contains("555"), "kinds only, never the text");

    let dm = app
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .find(|c| c.body["channel"] == ADMIN)
        .expect("the admin is told");
    let text = blocks_text(&dm.body);
    assert!(
        text.contains("<@U0NURSE1>") && text.contains("as written"),
        "{text}"
    );
    assert!(text.contains("a phone number"), "{text}");
    assert!(
        !text.contains("555-123-4567"),
        "the DM does not repeat the story"
    );
}

#[tokio::test]
async fn without_the_setting_an_override_is_recorded_but_nobody_is_told() {
    let app = spawn_app().await;
    let form = Form {
        story: PERSONAL,
        acknowledged: Some(true),
        ..Form::default()
    };
    let reply = app
        .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await
        .json();
    assert_eq!(reply["response_action"], "clear", "{reply}");
    let calls = app.sent("chat.postMessage", 2).await;
    assert!(calls.iter().any(|c| c.body["channel"] == MOMENTS));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM privacy_overrides WHERE person_id = 'U0NURSE1'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_comment_or_a_priority_that_looks_personal_is_refused_with_what_to_change() {
    let app = spawn_app().await;
    app.post_command(
        "/goal",
        "propose Night-shift tea breaks pillar:our-people",
        NURSE,
    )
    .await;
    app.sent("chat.postMessage", 1).await;
    app.settle().await;
    let mut comment = submission(
        NURSE2,
        "proposal_comment",
        json!({"goal": 1}),
        &Form::default(),
    );
    comment["view"]["state"]["values"] = json!({"goal_note": {"goal_note": {"type": "plain_text_input", "value": "Mr. Garcia in room 12 would love this."}}});
    let reply = app.post_interaction(&comment).await.json();
    let view = reply["view"].to_string();
    assert!(view.contains("Nothing was posted"), "{reply}");
    assert!(view.contains("a room or bed number"), "{reply}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM proposal_comments").await,
        0
    );

    let refused = app
        .post_command(
            "/priorities",
            "publish Call Mr. Garcia at 555-123-4567; Hire 3 nurses",
            "U0LEAD1",
        )
        .await;
    let text = refused.text();
    assert!(
        text.contains("Nothing was posted") && text.contains("a phone number"),
        "{text}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM priorities").await, 0);
    app.settle().await;
    assert_eq!(
        app.fake.calls_to("chat.postMessage").len(),
        1,
        "only the proposal"
    );
}
