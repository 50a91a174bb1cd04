use crate::helpers::*;

#[tokio::test]
async fn hostile_text_is_posted_exactly_as_written_and_cannot_mention_broadcast_or_link() {
    let app = spawn_app().await;
    let story = "<!channel> <!here> @everyone <@U0ADMIN> <#C0LEADERS> <https://evil.example|your bank> *bold* _it_ ~s~ `code` &amp; &lt;";
    let reply = app.post_command("/moment", story, NURSE).await;
    assert!(reply.text().contains("Thank you"), "{}", reply.body);
    assert_eq!(
        sqlx::query_scalar::<_, String>("SELECT story FROM moments")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap(),
        story,
        "stored exactly as written"
    );
    // The post, and the DM telling the colleague mentioned (see consent.rs).
    let calls = app.sent("chat.postMessage", 2).await;
    let post = &calls
        .iter()
        .find(|c| c.body["channel"] == MOMENTS)
        .unwrap()
        .body;
    let blocks = post["blocks"].as_array().unwrap();
    let story_blocks: Vec<_> = blocks
        .iter()
        .filter(|b| b["text"]["text"] == story)
        .collect();
    assert_eq!(story_blocks.len(), 1, "the story appears once, unchanged");
    assert_eq!(
        story_blocks[0]["text"]["type"], "plain_text",
        "never parsed as mrkdwn"
    );
    // Everywhere else Slack parses text, the story's markup does not appear.
    let fallback = post["text"].as_str().unwrap();
    assert!(
        !fallback.contains("<!channel>") && !fallback.contains("evil"),
        "{fallback}"
    );
    for b in blocks.iter().filter(|b| b["type"] == "context") {
        let t = b.to_string();
        assert!(
            !t.contains("<!channel>") && !t.contains("<!here>") && !t.contains("evil.example"),
            "{t}"
        );
    }
}

#[tokio::test]
async fn hostile_pillar_and_feedback_text_is_escaped_in_replies() {
    let app = spawn_app().await;
    let reply = app
        .post_command("/moment", "story pillar:<!channel>", NURSE)
        .await;
    assert!(!reply.body.contains("<!channel>"), "{}", reply.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
}

#[tokio::test]
async fn text_that_is_not_valid_utf8_is_refused_with_a_message() {
    let app = spawn_app().await;
    let body = String::from_utf8(command_body("/moment", "PLACEHOLDER", NURSE, &app.fake)).unwrap();
    let body = body.replace("text=PLACEHOLDER", "text=caf%FF%FE+story");
    let reply = app
        .post_signed("/slack/commands", FORM, body.into_bytes())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.text().contains("could not be read"), "{}", reply.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
}

#[tokio::test]
async fn emoji_and_non_latin_stories_round_trip() {
    let app = spawn_app().await;
    let story = "患者さんが笑顔で退院しました 🎉 — Zoë said «merci» 👩🏽‍⚕️";
    app.post_command("/moment", story, NURSE).await;
    let post = &app.sent("chat.postMessage", 1).await[0].body;
    assert!(post.to_string().contains(story));
}

#[tokio::test]
async fn malformed_bodies_never_cause_a_server_error() {
    let app = spawn_app().await;
    let bodies: Vec<&[u8]> = vec![
        b"",
        b"\xff\xfe\x00\x01",
        b"payload=",
        b"payload=%7Bnot-json",
        b"payload=%7B%22type%22%3A%22block_actions%22%7D",
        b"payload=%7B%22type%22%3A%22view_submission%22%2C%22view%22%3A%7B%7D%7D",
        b"{",
        b"[]",
        b"{\"type\":\"event_callback\"}",
        b"{\"type\":\"event_callback\",\"event_id\":\"Ev1\",\"event\":{\"type\":\"reaction_added\",\"item\":42}}",
        b"{\"type\":\"url_verification\"}",
        b"command=%2Fmoment&text=hi",
        b"command=%2Fmoment&text=hi&user_id=not-a-user",
        b"command=%2Fmoment&user_id=U0NURSE1&text=%00%01",
        b"command=%2Fnope&user_id=U0NURSE1&text=x",
        b"user_id=U0NURSE1",
    ];
    for path in ["/slack/commands", "/slack/events", "/slack/interactions"] {
        for body in &bodies {
            for content_type in [FORM, "application/json", "text/plain"] {
                let reply = app.post_signed(path, content_type, body.to_vec()).await;
                assert!(
                    reply.status < 500,
                    "{path} {content_type} {:?} gave {}: {}",
                    String::from_utf8_lossy(body),
                    reply.status,
                    reply.body
                );
            }
        }
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
    let health = reqwest::get(format!("{}/healthz", app.address))
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200, "still serving");
}
