//! This round's commands typed to the bot in Teams (`moment remove`,
//! `align pillars|teams|privacy`) and the "Don't name me" card button, end
//! to end through `POST /api/messages` and the fake Bot Connector.

use crate::app::{LEAD, MOMENTS, NURSE, NURSE2, TeamsApp, spawn};
use crate::cards::{assert_valid, assert_valid_cards};
use serde_json::{Value, json};

/// The texts of everything sent to `person`'s 1:1 chat, in order.
fn private_texts(app: &TeamsApp, person: &str) -> Vec<String> {
    app.sent_to(&format!("/v3/conversations/a:personal-{person}/activities"))
        .iter()
        .map(|c| c.text())
        .collect()
}

/// The last private answer to `person`, after typing `text` and draining.
async fn answer(app: &TeamsApp, person: &str, text: &str) -> String {
    app.post(&app.typed(person, text)).await;
    app.drain().await;
    private_texts(app, person).pop().expect("an answer")
}

async fn moment_id(app: &TeamsApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM moments")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap()
}

#[tokio::test]
async fn moment_remove_takes_the_post_down_for_its_author_only() {
    let app = spawn().await;
    app.post(&app.typed(NURSE, "moment The ward sang for a patient's last day."))
        .await;
    app.drain().await;
    let id = moment_id(&app).await;
    // The id to type is on the post and in the thanks.
    let post = &app.sent_to("/v3/conversations")[0];
    assert!(
        post.text()
            .contains(&format!("Moment {id} · shared by Nora Nurse")),
        "{}",
        post.text()
    );
    let thanks = private_texts(&app, NURSE).pop().unwrap();
    assert!(thanks.contains(&format!("moment remove {id}")), "{thanks}");

    let usage = answer(&app, NURSE, "moment remove").await;
    assert!(usage.contains("moment remove 12"), "{usage}");
    let refused = answer(&app, NURSE2, &format!("moment remove {id}")).await;
    assert!(refused.contains("Only the person who shared"), "{refused}");
    assert!(
        !app.fake.delivered().iter().any(|c| c.method == "DELETE"),
        "a refusal deletes nothing"
    );

    let done = answer(&app, NURSE, &format!("moment remove {id}")).await;
    assert!(
        done.contains(&format!("Moment {id} is taken down"))
            && done.contains("post is being deleted"),
        "{done}"
    );
    let deletes: Vec<_> = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.method == "DELETE")
        .collect();
    assert_eq!(deletes.len(), 1, "the post is deleted once");
    assert!(deletes[0].path.contains(MOMENTS), "{}", deletes[0].path);
    let story: String = sqlx::query_scalar("SELECT story FROM moments")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert!(!story.contains("sang"), "the story is erased: {story}");

    let again = answer(&app, NURSE, &format!("moment remove {id}")).await;
    assert!(again.contains("already taken down"), "{again}");
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
async fn align_pillars_teams_and_privacy_answer_in_the_1_1() {
    let app = spawn().await;
    let pillars = answer(&app, NURSE, "align pillars").await;
    assert!(pillars.contains("patient-care: Patient care"), "{pillars}");
    app.post(&app.install(LEAD)).await;
    let teams = answer(&app, NURSE, "align teams").await;
    assert!(
        teams.contains("nursing: Nursing · led by Lee Lead"),
        "{teams}"
    );

    let nurse = alignbot::domain::PersonId::parse(NURSE).unwrap();
    let shown = answer(&app, NURSE, "align privacy").await;
    assert!(shown.contains("colleagues may name you"), "{shown}");
    let out = answer(&app, NURSE, "align privacy dont-name-me").await;
    assert!(out.starts_with("Done: colleagues cannot name you"), "{out}");
    assert!(
        alignbot::app::consent::is_opted_out(&app.ctx, &nurse)
            .await
            .unwrap()
    );
    let back = answer(&app, NURSE, "align privacy name-me").await;
    assert!(back.starts_with("Done: colleagues may name you"), "{back}");
    assert!(
        !alignbot::app::consent::is_opted_out(&app.ctx, &nurse)
            .await
            .unwrap()
    );
    let wrong = answer(&app, NURSE, "align privacy maybe").await;
    assert!(wrong.contains("dont-name-me"), "says what to type: {wrong}");
    assert!(
        !alignbot::app::consent::is_opted_out(&app.ctx, &nurse)
            .await
            .unwrap()
    );
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
async fn dont_name_me_on_the_privacy_card_takes_the_name_out_and_refreshes_the_card() {
    let app = spawn().await;
    app.post(&app.install(NURSE2)).await;
    let mut activity = app.typed(NURSE, "moment Thanks <at>Ned Nurse</at> for staying late.");
    activity["entities"] = json!([{"type": "mention", "text": "<at>Ned Nurse</at>",
                                   "mentioned": {"id": format!("29:{NURSE2}"), "name": "Ned Nurse"}}]);
    app.post(&activity).await;
    app.drain().await;
    let id = moment_id(&app).await;

    let notice = app
        .sent_to(&format!("/v3/conversations/a:personal-{NURSE2}/activities"))
        .into_iter()
        .find(|c| c.text().contains("named you in a mission moment"))
        .expect("the named person is told");
    let button: Value = notice.cards()[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == json!("Don't name me"))
        .cloned()
        .expect("a Don't name me button");
    assert_eq!(button["type"], json!("Action.Execute"));
    let value = json!({"action": {"type": "Action.Execute", "verb": button["verb"], "data": button["data"]}});

    let pressed = app
        .post(&app.invoke(NURSE2, "adaptiveCard/action", value.clone()))
        .await;
    assert_eq!(
        pressed.body["type"],
        json!("application/vnd.microsoft.card.adaptive")
    );
    assert!(
        pressed.body["value"]
            .to_string()
            .contains("Done: your name is out"),
        "{}",
        pressed.body
    );
    assert_valid(&[pressed.body["value"].clone()]);
    let story: String = sqlx::query_scalar("SELECT story FROM moments WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert!(
        story.contains("a colleague") && !story.contains(NURSE2),
        "{story}"
    );
    app.drain().await;
    let updated = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.method == "PUT" && c.path.contains(MOMENTS))
        .collect::<Vec<_>>();
    assert_eq!(updated.len(), 1, "the post is updated");
    assert!(
        updated[0].text().contains("a colleague"),
        "{}",
        updated[0].text()
    );

    let twice = app
        .post(&app.invoke(NURSE2, "adaptiveCard/action", value))
        .await;
    assert!(
        twice.body["value"]
            .to_string()
            .contains("does not name you"),
        "{}",
        twice.body
    );
    assert_valid_cards(&app.fake.delivered());
}
