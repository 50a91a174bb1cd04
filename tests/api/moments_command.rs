use crate::helpers::*;
use serde_json::Value;

fn section_texts(post: &Value) -> Vec<(String, String)> {
    post["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "section")
        .map(|b| {
            (
                b["text"]["type"].as_str().unwrap().to_owned(),
                b["text"]["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
pub(crate) async fn a_moment_is_stored_before_the_thanks_and_posted_to_the_moments_channel() {
    let app = spawn_app().await;
    let story = "The night shift stayed an hour late so a family could say goodbye together.";

    let reply = app.post_command("/moment", story, NURSE).await;

    assert_eq!(reply.status, 200);
    let json = reply.json();
    assert_eq!(json["response_type"], "ephemeral");
    assert!(reply.text().contains("Thank you"), "{}", reply.body);
    // Committed before the reply was sent.
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'shared'")
            .await,
        1
    );

    let posts = app.sent("chat.postMessage", 1).await;
    let post = &posts[0];
    assert_eq!(post.body["channel"], MOMENTS);
    assert_eq!(
        post.authorization.as_deref(),
        Some("Bearer xoxb-test-token")
    );
    assert_eq!(
        section_texts(&post.body),
        vec![("plain_text".to_owned(), story.to_owned())]
    );
    let all = blocks_text(&post.body);
    assert!(all.contains(&format!("<@{NURSE}>")), "author named: {all}");
    assert!(all.contains("React"), "invites reactions: {all}");
    assert_eq!(post.body["unfurl_links"], false);

    let counts = app.settle().await;
    assert_eq!((counts.sent, counts.failed), (1, 0));
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE channel = 'C0MOMENTS' AND ts IS NOT NULL")
            .await,
        1,
        "the post's ts is remembered for edits and reactions"
    );
}

#[tokio::test]
async fn a_pillar_given_with_the_story_is_linked_and_shown() {
    let app = spawn_app().await;
    let reply = app
        .post_command(
            "/moment",
            "pillar:patient-care We sang to Ada on her 100th birthday.",
            NURSE,
        )
        .await;
    assert!(reply.text().contains("Thank you"), "{}", reply.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE pillar_key = 'patient-care' AND story = 'We sang to Ada on her 100th birthday.'").await,
        1
    );
    let post = &app.sent("chat.postMessage", 1).await[0];
    assert!(blocks_text(&post.body).contains("Patient care"));
}

#[tokio::test]
async fn bad_input_gets_a_clear_message_and_stores_nothing() {
    let app = spawn_app().await;
    let cases = [
        ("A story pillar:nonsense", "There is no pillar `nonsense`"),
        ("pillar:patient-care", "Your story is empty"),
        (&"é".repeat(3001), "3001 characters long; the limit is 3000"),
    ];
    for (text, expected) in cases {
        let reply = app.post_command("/moment", text, NURSE).await;
        assert_eq!(reply.status, 200, "{text}");
        assert_eq!(reply.json()["response_type"], "ephemeral");
        assert!(
            reply.text().contains(expected),
            "{expected:?} in {}",
            reply.body
        );
    }
    assert!(
        app.post_command("/moment", "A story pillar:nonsense", NURSE)
            .await
            .text()
            .contains("patient-care, our-people"),
        "the error lists the pillars that work"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM outbox").await, 0);
}

#[tokio::test]
async fn a_story_of_exactly_the_limit_is_accepted() {
    let app = spawn_app().await;
    let story = "é".repeat(3000);
    assert!(
        app.post_command("/moment", &story, NURSE)
            .await
            .text()
            .contains("Thank you")
    );
    let post = &app.sent("chat.postMessage", 1).await[0];
    assert_eq!(section_texts(&post.body)[0].1, story);
}

#[tokio::test]
async fn moment_alone_opens_the_share_form() {
    let app = spawn_app().await;
    let reply = app.post_command("/moment", "", NURSE).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.body.is_empty(),
        "the modal is the answer: {}",
        reply.body
    );
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(
        open.body["trigger_id"],
        "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    );
    assert_eq!(open.body["view"]["callback_id"], "moment_share");
    let text = blocks_text(&open.body);
    assert!(
        text.contains("Every patient leaves healthier and heard."),
        "{text}"
    );
    assert!(
        open.body.to_string().contains("patient-care"),
        "pillars are offered"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
}

#[tokio::test]
async fn help_explains_the_command_and_stores_nothing() {
    let app = spawn_app().await;
    let reply = app.post_command("/moment", "help", NURSE).await;
    assert!(
        reply.text().contains("/moment <your story>"),
        "{}",
        reply.body
    );
    assert!(reply.text().contains("`patient-care`"));
    let align = app.post_command("/align", "help", NURSE).await;
    assert!(align.text().contains("/moment"), "{}", align.body);
    let unknown = app.post_command("/align", "frobnicate", NURSE).await;
    assert!(unknown.text().contains("/align help"), "{}", unknown.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
}
