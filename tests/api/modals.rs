use crate::helpers::*;
use serde_json::json;

#[tokio::test]
async fn the_global_shortcut_opens_the_share_form() {
    let app = spawn_app().await;
    let reply = app.post_interaction(&shortcut("share_moment", NURSE)).await;
    assert_eq!(reply.status, 200);
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["trigger_id"], "111.111.xxxxxx");
    assert_eq!(open.body["view"]["callback_id"], "moment_share");
}

#[tokio::test]
async fn the_message_shortcut_prefills_the_message_and_recognizes_its_author() {
    let app = spawn_app().await;
    let hook = app.fake.hook_url("shortcut/1");
    let payload = message_shortcut(
        "share_as_moment",
        NURSE,
        "C0NURSING",
        "1583636382.000300",
        "Kim calmed a frightened child before surgery.",
        NURSE2,
        &hook,
    );
    app.post_interaction(&payload).await;
    let open = &app.sent("views.open", 1).await[0];
    let view = open.body["view"].to_string();
    assert!(
        view.contains("Kim calmed a frightened child before surgery."),
        "{view}"
    );
    assert!(
        view.contains(&format!("\"initial_users\":[\"{NURSE2}\"]")),
        "{view}"
    );
}

#[tokio::test]
async fn a_submitted_form_posts_with_pillar_and_recognized_people_and_thanks_in_the_modal() {
    let app = spawn_app().await;
    let form = Form {
        story: "Kim calmed a frightened child before surgery.",
        pillar: Some("patient-care"),
        recognized: &[NURSE2],
        ..Form::default()
    };
    let reply = app
        .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await;
    let json = reply.json();
    // The form closes; the thanks come in the author's DM, and the person
    // recognized is told (see consent.rs).
    assert_eq!(json["response_action"], "clear");
    let posts = app.sent("chat.postMessage", 3).await;
    let thanks = posts
        .iter()
        .find(|c| c.body["channel"] == NURSE)
        .expect("DM");
    assert!(
        blocks_text(&thanks.body).contains("Thank you"),
        "{:?}",
        thanks.body
    );
    let post = posts
        .iter()
        .find(|c| c.body["channel"] == MOMENTS)
        .expect("post");
    let text = blocks_text(&post.body);
    assert!(text.contains("Patient care"), "{text}");
    assert!(text.contains(&format!("Recognizing <@{NURSE2}>")), "{text}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moment_recognitions").await,
        1
    );
}

#[tokio::test]
async fn a_moment_for_leaders_only_goes_to_the_leadership_channel() {
    let app = spawn_app().await;
    let form = Form {
        story: "I saw a colleague quietly cover a double shift.",
        audience: "leaders",
        ..Form::default()
    };
    app.post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await;
    let posts = app.sent("chat.postMessage", 2).await;
    let post = posts.iter().find(|c| c.body["channel"] != NURSE).unwrap();
    assert_eq!(post.body["channel"], LEADERS);
    assert!(blocks_text(&post.body).contains("for leaders"));
}

#[tokio::test]
async fn invalid_form_input_is_shown_inline_and_nothing_is_stored() {
    let app = spawn_app().await;
    let cases = [
        (
            Form {
                story: "   ",
                ..Form::default()
            },
            "story",
            "empty",
        ),
        (
            Form {
                story: "Fine story",
                pillar: Some("gone"),
                ..Form::default()
            },
            "pillar",
            "no pillar",
        ),
    ];
    for (form, field, expected) in cases {
        let json = app
            .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
            .await
            .json();
        assert_eq!(json["response_action"], "errors", "{json}");
        assert!(
            json["errors"][field].as_str().unwrap().contains(expected),
            "{json}"
        );
    }
    let many: Vec<String> = (0..21).map(|i| format!("U0P{i:03}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let form = Form {
        story: "Thanks all",
        recognized: &many,
        ..Form::default()
    };
    let json = app
        .post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await
        .json();
    assert!(
        json["errors"]["recognized"]
            .as_str()
            .unwrap()
            .contains("at most 20"),
        "{json}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moments").await, 0);
}

#[tokio::test]
async fn the_home_tab_share_button_opens_the_form() {
    let app = spawn_app().await;
    app.post_interaction(&button(NURSE, "home_share", "share", On::Home))
        .await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "moment_share");
}

#[tokio::test]
async fn concurrent_shares_written_together_keep_each_moment_with_its_own_people() {
    // One author shares all forty: the per-person hourly limit is off.
    let app = spawn_app_at("[privacy]\nmoments_per_hour = 0\n", start_time()).await;
    let people: Vec<String> = (0..40).map(|i| format!("U0PERSON{i:02}")).collect();
    let stories: Vec<String> = (0..40)
        .map(|i| format!("Story for person {i:02}."))
        .collect();
    let submissions = people.iter().zip(&stories).map(|(person, story)| {
        let recognized = [person.as_str()];
        let form = Form {
            story,
            recognized: &recognized,
            ..Form::default()
        };
        let payload = submission(NURSE, "moment_share", json!({}), &form);
        let app = &app;
        async move { app.post_interaction(&payload).await }
    });
    for reply in futures_util::future::join_all(submissions).await {
        assert_eq!(reply.json()["response_action"], "clear");
    }
    let pairs: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.story, r.person_id FROM moments m JOIN moment_recognitions r ON r.moment_id = m.id ORDER BY m.story",
    )
    .fetch_all(app.ctx.store.reads())
    .await
    .unwrap();
    assert_eq!(pairs.len(), 40);
    for (story, person) in pairs {
        assert_eq!(
            story,
            format!("Story for person {}.", &person[8..]),
            "people stay with their story"
        );
    }
    let linked: i64 = app
        .scalar(
            if app.ctx.store.backend() == alignbot::store::Backend::Postgres {
                "SELECT COUNT(DISTINCT CAST(payload AS jsonb) ->> 'moment') FROM outbox o \
                 JOIN moments m ON CAST(m.id AS TEXT) = CAST(o.payload AS jsonb) ->> 'moment'"
            } else {
                "SELECT COUNT(DISTINCT json_extract(payload, '$.moment')) FROM outbox o JOIN moments m ON m.id = json_extract(o.payload, '$.moment')"
            },
        )
        .await;
    assert_eq!(linked, 40, "one outbox row per moment");
}
