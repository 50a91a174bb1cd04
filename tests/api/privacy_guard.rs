use crate::helpers::*;
use serde_json::json;

const PERSONAL: &str = "Mr. Garcia in room 12 called us at 555-123-4567 to say thanks.";

/// Shares `PERSONAL` with /moment; returns the held draft's id.
async fn hold(app: &TestApp) -> i64 {
    let reply = app.post_command("/moment", PERSONAL, NURSE).await;
    assert_eq!(reply.status, 200);
    let text = reply.text();
    assert!(text.contains("haven't posted"), "{text}");
    for kind in ["a phone number", "a room or bed number", "a person's name"] {
        assert!(text.contains(kind), "{kind} named in {text}");
    }
    assert!(
        text.contains("draft_post")
            && text.contains("draft_edit")
            && text.contains("draft_discard")
    );
    app.scalar("SELECT id FROM moments WHERE status = 'draft'")
        .await
}

#[tokio::test]
async fn a_story_that_looks_personal_is_kept_but_not_posted_until_its_author_confirms() {
    let app = spawn_app().await;
    let draft = hold(&app).await;
    assert_eq!(app.settle().await.sent, 0);
    assert!(app.fake.calls_to("chat.postMessage").is_empty());

    let hook = app.fake.hook_url("actions/1");
    let reply = app
        .post_interaction(&button(
            NURSE,
            "draft_post",
            &draft.to_string(),
            On::Message(&hook),
        ))
        .await;
    assert_eq!(reply.status, 200);

    let post = &app.sent("chat.postMessage", 1).await[0];
    assert_eq!(post.body["channel"], MOMENTS);
    assert!(blocks_text(&post.body).contains(PERSONAL));
    let answer = &app.sent("hook", 1).await[0];
    assert_eq!(answer.body["replace_original"], true);
    assert!(
        answer.body["text"]
            .as_str()
            .unwrap()
            .contains("Posted as written")
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'shared'")
            .await,
        1
    );
}

#[tokio::test]
async fn nobody_else_can_post_or_discard_someone_elses_draft() {
    let app = spawn_app().await;
    let draft = hold(&app).await;
    let hook = app.fake.hook_url("actions/2");
    for action in ["draft_post", "draft_discard"] {
        app.post_interaction(&button(
            NURSE2,
            action,
            &draft.to_string(),
            On::Message(&hook),
        ))
        .await;
    }
    app.sent("hook", 1).await;
    // Replies through one response URL keep their order and Slack's pace.
    app.advance(1);
    let answers = app.sent("hook", 2).await;
    for a in &answers {
        assert!(
            a.body["text"]
                .as_str()
                .unwrap()
                .contains("Only the person who wrote"),
            "{}",
            a.body
        );
    }
    app.settle().await;
    assert!(app.fake.calls_to("chat.postMessage").is_empty());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'draft'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_discarded_draft_is_gone_and_never_posted() {
    let app = spawn_app().await;
    let draft = hold(&app).await;
    let hook = app.fake.hook_url("actions/3");
    app.post_interaction(&button(
        NURSE,
        "draft_discard",
        &draft.to_string(),
        On::Message(&hook),
    ))
    .await;
    let answer = &app.sent("hook", 1).await[0];
    assert!(
        answer.body["text"]
            .as_str()
            .unwrap()
            .contains("Nothing was posted")
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
    app.settle().await;
    assert!(app.fake.calls_to("chat.postMessage").is_empty());
}

#[tokio::test]
async fn editing_a_held_draft_opens_the_form_and_a_clean_story_replaces_it() {
    let app = spawn_app().await;
    let draft = hold(&app).await;
    let hook = app.fake.hook_url("actions/4");
    app.post_interaction(&button(
        NURSE,
        "draft_edit",
        &draft.to_string(),
        On::Message(&hook),
    ))
    .await;
    let open = &app.sent("views.open", 1).await[0];
    let view = &open.body["view"];
    assert_eq!(view["callback_id"], "moment_share");
    assert!(
        view.to_string().contains("555-123-4567"),
        "prefilled with the draft"
    );
    let meta = view["private_metadata"].as_str().unwrap().to_owned();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&meta).unwrap(),
        json!({"replaces": draft})
    );

    let clean = "A patient called to thank the whole ward.";
    let form = Form {
        story: clean,
        ..Form::default()
    };
    let reply = app
        .post_interaction(&submission(
            NURSE,
            "moment_share",
            json!({"replaces": draft}),
            &form,
        ))
        .await;
    assert_eq!(reply.json()["response_action"], "clear");
    let posts = app.sent("chat.postMessage", 2).await;
    let post = posts.iter().find(|c| c.body["channel"] != NURSE).unwrap();
    assert!(blocks_text(&post.body).contains(clean));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments").await,
        1,
        "the draft was replaced"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'draft'")
            .await,
        0
    );
}

#[tokio::test]
async fn in_the_form_the_guard_asks_first_and_posts_only_once_the_author_ticks_the_box() {
    let app = spawn_app().await;
    let mut form = Form {
        story: PERSONAL,
        ..Form::default()
    };

    let first = app
        .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await
        .json();
    assert_eq!(first["response_action"], "update");
    let view = first["view"].to_string();
    assert!(
        view.contains("privacy_ack") && view.contains("a phone number"),
        "{view}"
    );
    assert!(
        view.contains("555-123-4567"),
        "the form keeps what was typed"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);

    form.acknowledged = Some(false);
    let second = app
        .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await
        .json();
    assert_eq!(second["response_action"], "errors");
    assert!(
        second["errors"]["privacy_ack"]
            .as_str()
            .unwrap()
            .contains("tick this box")
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);

    form.acknowledged = Some(true);
    let third = app
        .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await
        .json();
    assert_eq!(third["response_action"], "clear");
    let posts = app.sent("chat.postMessage", 2).await;
    assert!(
        posts
            .iter()
            .any(|c| c.body["channel"] == NURSE && blocks_text(&c.body).contains("Thank you"))
    );
}

#[tokio::test]
async fn removing_the_personal_details_is_enough_to_post_without_ticking() {
    let app = spawn_app().await;
    let form = Form {
        story: "A patient called to thank us.",
        acknowledged: Some(false),
        ..Form::default()
    };
    let reply = app
        .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await
        .json();
    assert_eq!(reply["response_action"], "clear");
    // The post, and the thanks in the author's DM.
    assert_eq!(app.sent("chat.postMessage", 2).await.len(), 2);
}
