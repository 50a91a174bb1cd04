//! "Take down" on a moment's card in Teams: a dialog asks for confirmation,
//! then the same use case as `moment remove` erases the moment and the
//! channel's card is deleted through the outbox. Only its author and admins
//! may; anyone else is refused and nothing changes.

use crate::app::{ADMIN, MOMENTS, NURSE, NURSE2, TeamsApp, spawn};
use crate::cards::{assert_valid, assert_valid_cards};
use serde_json::{Value, json};

async fn story_of(app: &TeamsApp, id: i64) -> String {
    sqlx::query_scalar("SELECT story FROM moments WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap()
}

fn deletes(app: &TeamsApp) -> usize {
    app.fake
        .delivered()
        .iter()
        .filter(|c| c.method == "DELETE")
        .count()
}

/// Shares a moment as `person`; its id and the Take down button of its card.
async fn shared(app: &TeamsApp, person: &str, story: &str) -> (i64, Value) {
    app.post(&app.typed(person, &format!("moment {story}")))
        .await;
    app.drain().await;
    let id: i64 = sqlx::query_scalar("SELECT MAX(id) FROM moments")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    let post = app
        .sent_to("/v3/conversations")
        .into_iter()
        .rev()
        .find(|c| c.text().contains(&format!("Moment {id} ·")))
        .expect("the moment's card in the channel");
    let button = post.cards()[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == json!("Take down"))
        .cloned()
        .expect("a Take down button");
    (id, button)
}

#[tokio::test]
pub(crate) async fn the_author_takes_a_moment_down_from_its_card_after_confirming() {
    let app = spawn().await;
    let (id, button) = shared(&app, NURSE, "The ward sang on a patient's last day.").await;
    assert_eq!(button["type"], json!("Action.Submit"));
    assert_eq!(button["data"]["msteams"]["type"], json!("task/fetch"));

    // A colleague may not: refused when the dialog would open, and on a
    // forged submit; nothing is erased or deleted.
    let refused = app
        .post(&app.invoke(NURSE2, "task/fetch", json!({"data": button["data"]})))
        .await;
    assert_eq!(refused.body["task"]["type"], json!("message"));
    assert!(
        refused.body["task"]["value"]
            .as_str()
            .unwrap()
            .contains("Only the person who shared this moment, or an admin, can take it down"),
        "{}",
        refused.body
    );
    let forged = app
        .post(&app.invoke(
            NURSE2,
            "task/submit",
            json!({"data": {"dialog": "take_down", "moment": id}}),
        ))
        .await;
    assert!(
        forged.body["task"]["value"]
            .as_str()
            .unwrap()
            .contains("Only the person who shared"),
        "{}",
        forged.body
    );
    app.drain().await;
    assert!(story_of(&app, id).await.contains("sang"));
    assert_eq!(deletes(&app), 0, "a refusal deletes nothing");

    // The author is asked first, with the story.
    let asked = app
        .post(&app.invoke(NURSE, "task/fetch", json!({"data": button["data"]})))
        .await;
    assert_eq!(asked.body["task"]["type"], json!("continue"));
    let confirm = asked.body["task"]["value"]["card"]["content"].clone();
    assert_valid(std::slice::from_ref(&confirm));
    let text = confirm.to_string();
    assert!(
        text.contains(&format!("Take down moment {id}?")) && text.contains("sang on a patient"),
        "{text}"
    );
    let action = |title: &str| {
        confirm["actions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["title"] == json!(title))
            .cloned()
            .unwrap_or_else(|| panic!("a {title} button"))
    };

    // "Keep it" changes nothing.
    let kept = app
        .post(&app.invoke(
            NURSE,
            "task/submit",
            json!({"data": action("Keep it")["data"]}),
        ))
        .await;
    assert!(
        kept.body["task"]["value"]
            .as_str()
            .unwrap()
            .contains("Nothing changed"),
        "{}",
        kept.body
    );
    app.drain().await;
    assert!(story_of(&app, id).await.contains("sang"));
    assert_eq!(deletes(&app), 0);

    // "Take down" erases it and deletes the channel's card once.
    let done = app
        .post(&app.invoke(
            NURSE,
            "task/submit",
            json!({"data": action("Take down")["data"]}),
        ))
        .await;
    assert_eq!(done.body["task"]["type"], json!("message"));
    assert!(
        done.body["task"]["value"]
            .as_str()
            .unwrap()
            .contains(&format!("Moment {id} is taken down")),
        "{}",
        done.body
    );
    app.drain().await;
    assert!(!story_of(&app, id).await.contains("sang"), "erased");
    let deleted: Vec<_> = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.method == "DELETE")
        .collect();
    assert_eq!(deleted.len(), 1, "the card is deleted once");
    assert!(deleted[0].path.contains(MOMENTS), "{}", deleted[0].path);

    // Pressed again (another copy of the card): already gone, said plainly.
    let again = app
        .post(&app.invoke(NURSE, "task/fetch", json!({"data": button["data"]})))
        .await;
    assert!(
        again.body["task"]["value"]
            .as_str()
            .unwrap()
            .contains("already taken down"),
        "{}",
        again.body
    );
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
async fn an_admin_takes_down_a_colleagues_moment() {
    let app = spawn().await;
    let (id, button) = shared(&app, NURSE, "A family thanked the night shift for staying.").await;
    let asked = app
        .post(&app.invoke(ADMIN, "task/fetch", json!({"data": button["data"]})))
        .await;
    assert_eq!(
        asked.body["task"]["type"],
        json!("continue"),
        "{}",
        asked.body
    );
    let done = app
        .post(&app.invoke(
            ADMIN,
            "task/submit",
            json!({"data": {"dialog": "take_down", "moment": id}}),
        ))
        .await;
    assert!(
        done.body["task"]["value"]
            .as_str()
            .unwrap()
            .contains("is taken down"),
        "{}",
        done.body
    );
    app.drain().await;
    assert!(!story_of(&app, id).await.contains("night shift"));
    assert_eq!(deletes(&app), 1);
}
