use crate::helpers::*;
use serde_json::json;

/// Shares a moment by `author` and waits until its post landed; returns (id, ts).
pub async fn shared(app: &TestApp, author: &str, story: &str) -> (i64, String) {
    let before = app.fake.calls_to("chat.postMessage").len();
    assert!(
        app.post_command("/moment", story, author)
            .await
            .text()
            .contains("Thank you")
    );
    let posts = app.sent("chat.postMessage", before + 1).await;
    app.settle().await;
    let id: i64 = app.scalar("SELECT MAX(id) FROM moments").await;
    let ts = sqlx::query_scalar::<_, String>("SELECT ts FROM moments WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(posts.last().unwrap().body["channel"], MOMENTS);
    // The channel's next call waits for Slack's one-per-second pace.
    app.advance(1);
    (id, ts)
}

#[tokio::test]
async fn the_author_edits_a_moment_from_its_post_and_the_post_follows() {
    let app = spawn_app().await;
    let (id, ts) = shared(&app, NURSE, "We cleaned the garden for the patients.").await;
    let hook = app.fake.hook_url("shortcut/edit");

    app.post_interaction(&message_shortcut(
        "manage_moment",
        NURSE,
        MOMENTS,
        &ts,
        "ignored",
        "U0BOT",
        &hook,
    ))
    .await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "moment_edit");
    assert!(
        open.body["view"]
            .to_string()
            .contains("We cleaned the garden for the patients.")
    );
    assert!(
        open.body["view"].to_string().contains("moment_delete"),
        "offers deletion"
    );

    let form = Form {
        story: "We planted a garden the patients can see from their windows.",
        pillar: Some("patient-care"),
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
    assert_eq!(reply["response_action"], "clear");
    let confirmed = app.posted_to(NURSE).await;
    assert!(
        blocks_text(&confirmed[0]).contains("Your moment is updated"),
        "{confirmed:?}"
    );

    let update = &app.sent("chat.update", 1).await[0];
    assert_eq!(update.body["channel"], MOMENTS);
    assert_eq!(update.body["ts"], ts.as_str());
    let text = blocks_text(&update.body);
    assert!(
        text.contains("We planted a garden the patients can see from their windows."),
        "{text}"
    );
    assert!(text.contains("Patient care"));
}

#[tokio::test]
async fn only_the_author_may_edit_and_others_are_told_why() {
    let app = spawn_app().await;
    let (id, ts) = shared(&app, NURSE, "A good day on the ward.").await;
    let hook = app.fake.hook_url("shortcut/other");
    app.post_interaction(&message_shortcut(
        "manage_moment",
        NURSE2,
        MOMENTS,
        &ts,
        "x",
        "U0BOT",
        &hook,
    ))
    .await;
    let answer = &app.sent("hook", 1).await[0];
    assert!(
        answer.body["text"]
            .as_str()
            .unwrap()
            .contains("Only the person who shared")
    );
    let form = Form {
        story: "Hijacked by someone else",
        ..Form::default()
    };
    let reply = app
        .post_interaction(&submission(
            NURSE2,
            "moment_edit",
            json!({"moment": id}),
            &form,
        ))
        .await
        .json();
    assert!(
        reply["view"]
            .to_string()
            .contains("Only the person who shared"),
        "{reply}"
    );
    app.settle().await;
    assert!(app.fake.calls_to("views.open").is_empty());
    assert!(app.fake.calls_to("chat.update").is_empty());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE story = 'A good day on the ward.'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_manage_shortcut_on_another_message_explains_itself() {
    let app = spawn_app().await;
    let hook = app.fake.hook_url("shortcut/none");
    app.post_interaction(&message_shortcut(
        "manage_moment",
        NURSE,
        "C0NURSING",
        "1.2",
        "hi",
        NURSE,
        &hook,
    ))
    .await;
    let answer = &app.sent("hook", 1).await[0];
    assert!(
        answer.body["text"]
            .as_str()
            .unwrap()
            .contains("works on mission moments posted by alignbot")
    );
}

#[tokio::test]
async fn deleting_from_the_home_tab_removes_the_post_and_forgets_the_story() {
    let app = spawn_app().await;
    let (id, ts) = shared(&app, NURSE, "Something I'd rather take back.").await;
    app.post_interaction(&button(NURSE, "home_delete", &id.to_string(), On::Home))
        .await;
    let delete = &app.sent("chat.delete", 1).await[0];
    assert_eq!(delete.body["channel"], MOMENTS);
    assert_eq!(delete.body["ts"], ts.as_str());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'deleted' AND story = ''")
            .await,
        1
    );
    // Every Home listing the latest moments is published again, without it.
    app.sent("views.publish", 4).await;
}

#[tokio::test]
async fn deleting_from_the_edit_form_closes_it_with_a_notice() {
    let app = spawn_app().await;
    let (id, _) = shared(&app, NURSE, "To be deleted.").await;
    app.post_interaction(&button(
        NURSE,
        "moment_delete",
        &id.to_string(),
        On::Modal("V0EDIT"),
    ))
    .await;
    app.sent("chat.delete", 1).await;
    let update = &app.sent("views.update", 1).await[0];
    assert_eq!(update.body["view_id"], "V0EDIT");
    assert!(update.body["view"].to_string().contains("deleted"));
}

#[tokio::test]
async fn others_cannot_delete_but_an_admin_can_moderate() {
    let app = spawn_app().await;
    let (id, _) = shared(&app, NURSE, "A moment to remember.").await;
    app.post_interaction(&button(NURSE2, "home_delete", &id.to_string(), On::Home))
        .await;
    // The refusal refreshes the (stale) Home tab of the person who clicked.
    let publish = &app.sent("views.publish", 1).await[0];
    assert_eq!(publish.body["user_id"], NURSE2);
    app.settle().await;
    assert!(app.fake.calls_to("chat.delete").is_empty());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'shared'")
            .await,
        1
    );

    app.post_interaction(&button(ADMIN, "home_delete", &id.to_string(), On::Home))
        .await;
    app.sent("chat.delete", 1).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'deleted'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_moment_deleted_before_slack_took_its_post_is_never_posted() {
    let app = spawn_app().await;
    app.fake.script(
        "chat.postMessage",
        [crate::fake_slack::Scripted::Status(500)],
    );
    app.post_command("/moment", "Posted during an outage.", NURSE)
        .await;
    app.sent("chat.postMessage", 1).await;
    let id: i64 = app.scalar("SELECT MAX(id) FROM moments").await;
    app.post_interaction(&button(NURSE, "home_delete", &id.to_string(), On::Home))
        .await;
    app.sent("views.publish", 4).await;
    app.advance(120);
    let counts = app.settle().await;
    assert_eq!(counts.failed, 0);
    assert_eq!(
        app.fake.calls_to("chat.postMessage").len(),
        1,
        "only the failed attempt"
    );
    assert!(
        app.fake.calls_to("chat.delete").is_empty(),
        "nothing was ever posted"
    );
}
