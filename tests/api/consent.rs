//! Consent of the people a story names: a DM with the story and "Don't
//! name me" (which turns them into "a colleague" in the story and its
//! post), and `/align privacy` to never be named in future moments.

use crate::helpers::*;
use serde_json::json;

const STORY: &str = "Nurse <@U0NURSE2> stayed after her shift to sing with the choir.";

/// The nurse shares STORY from the form, recognizing NURSE2; returns the
/// moment's id once its post and the DM went out.
async fn named(app: &TestApp) -> i64 {
    let form = Form {
        story: STORY,
        recognized: &[NURSE2],
        ..Form::default()
    };
    let reply = app
        .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await
        .json();
    // The form closes; the post, the DM to the person named, and the
    // author's confirmation go out.
    assert_eq!(reply["response_action"], "clear", "{reply}");
    app.sent("chat.postMessage", 3).await;
    app.advance(1);
    app.scalar("SELECT MAX(id) FROM moments").await
}

#[tokio::test]
async fn a_person_named_is_told_and_dont_name_me_takes_them_out_of_story_and_post() {
    let app = spawn_app().await;
    let id = named(&app).await;
    let posts = app.fake.calls_to("chat.postMessage");
    let post = posts.iter().find(|c| c.body["channel"] == MOMENTS).unwrap();
    let ts = post.body["ts"].as_str().map(str::to_owned);
    let dm = posts
        .iter()
        .find(|c| c.body["channel"] == NURSE2)
        .expect("the person named gets a DM");
    let text = dm.body.to_string();
    assert!(text.contains("stayed after her shift"), "the story: {text}");
    assert!(
        text.contains("moment_unname") && text.contains("Don't name me"),
        "{text}"
    );

    // Someone the story does not name: nothing changes.
    let hook = app.fake.hook_url("dm/unname");
    app.post_interaction(&button(
        ADMIN,
        "moment_unname",
        &id.to_string(),
        On::Message(&hook),
    ))
    .await;
    app.settle().await;
    assert!(app.fake.calls_to("chat.update").is_empty());
    let told = &app.fake.calls_to("hook")[0];
    assert!(
        told.body["text"]
            .as_str()
            .unwrap()
            .contains("does not name you"),
        "{}",
        told.body
    );

    app.post_interaction(&button(
        NURSE2,
        "moment_unname",
        &id.to_string(),
        On::Message(&hook),
    ))
    .await;
    let update = &app.sent("chat.update", 1).await[0];
    assert_eq!(update.body["channel"], MOMENTS);
    if let Some(ts) = ts {
        assert_eq!(update.body["ts"], ts.as_str());
    }
    let text = blocks_text(&update.body);
    assert!(
        text.contains("Nurse a colleague stayed after her shift"),
        "{text}"
    );
    assert!(!text.contains("U0NURSE2"), "no mention left: {text}");
    assert!(
        text.contains("Edited at the request of a person named"),
        "{text}"
    );
    let stored: String = sqlx::query_scalar("SELECT story FROM moments WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(
        stored,
        "Nurse a colleague stayed after her shift to sing with the choir."
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moment_recognitions").await,
        0,
        "no longer recognized by name"
    );
    // Replies to one message are paced like a channel.
    app.advance(1);
    let answers = app.sent("hook", 2).await;
    assert!(
        answers.last().unwrap().body["text"]
            .as_str()
            .unwrap()
            .contains("your name is out"),
        "{answers:?}"
    );
}

#[tokio::test]
async fn a_person_who_opted_out_is_not_named_and_the_author_is_told_what_to_do() {
    let app = spawn_app().await;
    let shown = app.post_command("/align", "privacy", NURSE2).await;
    assert!(shown.text().contains("privacy_opt_out"), "{}", shown.body);
    let hook = app.fake.hook_url("privacy/1");
    app.post_interaction(&button(
        NURSE2,
        "privacy_opt_out",
        "out",
        On::Message(&hook),
    ))
    .await;
    app.drain().await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM privacy_opt_outs WHERE person_id = 'U0NURSE2'")
            .await,
        1
    );

    // The command: refused with who asked, nothing stored.
    let reply = app.post_command("/moment", STORY, NURSE).await;
    let text = reply.text();
    assert!(text.contains("haven't posted"), "{text}");
    assert!(
        text.contains("<@U0NURSE2>") && text.contains("asked not to be named"),
        "{text}"
    );
    assert!(
        text.contains("a colleague"),
        "says what to write instead: {text}"
    );
    // The form: the same, on the story field.
    let form = Form {
        story: "She sang with the choir.",
        recognized: &[NURSE2],
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
            .contains("asked not to be named")
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
    app.settle().await;
    assert!(app.fake.calls_to("chat.postMessage").is_empty());

    // Changing their mind: named again.
    let back = app.post_command("/align", "privacy name-me", NURSE2).await;
    assert!(back.text().contains("may name you"), "{}", back.body);
    let ok = app.post_command("/moment", STORY, NURSE).await;
    assert!(ok.text().contains("Thank you!"), "{}", ok.body);
}

#[tokio::test]
async fn align_privacy_with_other_words_says_what_to_type() {
    let app = spawn_app().await;
    let reply = app.post_command("/align", "privacy please", NURSE2).await;
    assert!(
        reply.text().contains("/align privacy dont-name-me"),
        "{}",
        reply.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM privacy_opt_outs").await, 0);
}

#[tokio::test]
async fn an_edit_cannot_add_someone_who_asked_not_to_be_named() {
    let app = spawn_app().await;
    let (id, _) = crate::edit_delete::shared(&app, NURSE, "The choir sang on the ward.").await;
    app.post_command("/align", "privacy dont-name-me", NURSE2)
        .await;
    let form = Form {
        story: "The choir sang on the ward, led by our colleague.",
        recognized: &[NURSE2],
        ..Form::default()
    };
    let reply = app
        .post_interaction(&submission(
            NURSE,
            "moment_edit",
            json!({"moment": id}),
            &form,
        ))
        .await
        .json();
    assert_eq!(reply["response_action"], "errors", "{reply}");
    assert!(
        reply["errors"]["story"]
            .as_str()
            .unwrap()
            .contains("asked not to be named")
    );
    let stored: String = sqlx::query_scalar("SELECT story FROM moments WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(stored, "The choir sang on the ward.");
    app.settle().await;
    assert!(app.fake.calls_to("chat.update").is_empty());
}

#[tokio::test]
async fn forgetting_a_person_leaves_no_trace_of_them_in_the_privacy_records() {
    let app = spawn_app().await;
    // The nurse opts out, takes a moment down, posts one as written past the
    // guard and is named in a colleague's moment, then asks not to be.
    app.post_command("/align", "privacy dont-name-me", NURSE)
        .await;
    let (id, _) = crate::edit_delete::shared(&app, NURSE, "A story to take back.").await;
    app.post_command("/moment", &format!("remove {id}"), NURSE)
        .await;
    let form = Form {
        story: "Mr. Garcia in room 12 called us at 555-123-4567 to say thanks.",
        acknowledged: Some(true),
        ..Form::default()
    };
    app.post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await;
    app.post_command("/align", "privacy name-me", NURSE).await;
    let named = Form {
        story: "Kim and our nurse sang.",
        recognized: &[NURSE],
        ..Form::default()
    };
    app.post_interaction(&submission(NURSE2, "moment_share", json!({}), &named))
        .await;
    let theirs = app.scalar("SELECT MAX(id) FROM moments").await;
    app.post_interaction(&button(
        NURSE,
        "moment_unname",
        &theirs.to_string(),
        On::Message(&app.fake.hook_url("dm/forget")),
    ))
    .await;
    app.post_command("/align", "privacy dont-name-me", NURSE)
        .await;
    let count = "SELECT (SELECT COUNT(*) FROM moment_removals WHERE author = 'U0NURSE1' AND removed_by = 'U0NURSE1') \
                 + (SELECT COUNT(*) FROM privacy_overrides WHERE person_id = 'U0NURSE1') \
                 + (SELECT COUNT(*) FROM moment_unnamed WHERE person_id = 'U0NURSE1') \
                 + (SELECT COUNT(*) FROM privacy_opt_outs WHERE person_id = 'U0NURSE1')";
    assert_eq!(app.scalar(count).await, 4, "one row in each record");

    let gone = json!({
        "token": "verification_token", "team_id": "T0TEAM", "api_app_id": "A0APP",
        "type": "event_callback", "event_id": "Ev0FORGET", "event_time": 1_763_300_000,
        "event": {"type": "user_change", "event_ts": "1763300000.000100", "cache_ts": 1_763_300_000,
            "user": {"id": NURSE, "team_id": "T0TEAM", "name": "nurse", "deleted": true,
                     "tz": "America/Chicago"}}
    });
    assert_eq!(app.post_event(&gone).await.status, 200);
    app.drain().await;
    let traces = "SELECT (SELECT COUNT(*) FROM moment_removals WHERE author = 'U0NURSE1' OR removed_by = 'U0NURSE1') \
                  + (SELECT COUNT(*) FROM privacy_overrides WHERE person_id = 'U0NURSE1') \
                  + (SELECT COUNT(*) FROM moment_unnamed WHERE person_id = 'U0NURSE1') \
                  + (SELECT COUNT(*) FROM privacy_opt_outs WHERE person_id = 'U0NURSE1')";
    assert_eq!(app.scalar(traces).await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moment_removals WHERE author LIKE 'UFORGOTTEN%'")
            .await,
        1,
        "the history still says a moment was removed"
    );
}
