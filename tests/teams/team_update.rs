//! The monthly team progress update in Teams: the leader's draft card posts
//! the update to the team's channel ("Post as is" refreshes the card; "Add
//! a sentence and post" opens a dialog that checks the sentence inline);
//! the priorities dialog's team select for a leader of several teams;
//! the organization's priorities dialog; the "which team?" buttons; and the
//! card that opens a form for a typed `priorities publish`.

use crate::app::{LEAD, NURSING, TeamsApp, spawn};
use crate::cards::{assert_valid, assert_valid_cards};
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::clock::Clock;
use alignbot::scheduler::schedule::Month;
use serde_json::{Value, json};

/// A Nursing goal checked in in November; the clock ends on 2 December,
/// when the drafts go out, and the leader's draft card is returned.
async fn draft_card(app: &TeamsApp) -> Value {
    app.post(&app.install(LEAD)).await;
    app.post(&app.typed(
        LEAD,
        "goal add Cut waits pillar:patient-care start:45min target:30min",
    ))
    .await;
    app.post(&app.typed(LEAD, "goal update 1 38min at-risk Short on nights."))
        .await;
    app.drain().await;
    app.advance(5 * 24 * 3600); // 2 December
    let month = Month::containing(app.clock.now(), chrono_tz::America::New_York);
    assert_eq!(month.key(), "2026-12");
    let summary = jobs::run(&app.ctx, Job::TeamUpdate, month, Trigger::Manual)
        .await
        .unwrap();
    assert_eq!(summary.enqueued, 1, "{summary}");
    app.drain().await;
    let draft = app
        .fake
        .delivered()
        .into_iter()
        .find(|c| c.text().contains("progress in November 2026"))
        .expect("the leader's draft card");
    let text = draft.text();
    assert!(text.contains("Cut waits"), "{text}");
    assert!(
        !text.contains("from Slack"),
        "it can be posted here: {text}"
    );
    draft.cards()[0].clone()
}

/// The section's buttons: (open the dialog, post as is).
fn buttons(card: &Value) -> (Value, Value) {
    let set = card["body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "ActionSet")
        .expect("the section's buttons");
    (set["actions"][0].clone(), set["actions"][1].clone())
}

/// Rows in `team_updates`: updates posted.
async fn posted(app: &TeamsApp) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM team_updates")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    n
}

fn team_posts(app: &TeamsApp) -> Vec<String> {
    app.sent_to("/v3/conversations")
        .into_iter()
        .filter(|c| c.body["channelData"]["channel"]["id"] == json!(NURSING))
        .map(|c| c.text())
        .collect()
}

#[tokio::test]
async fn post_as_is_on_the_draft_card_posts_to_the_team_channel_and_refreshes_the_card() {
    let app = spawn().await;
    let card = draft_card(&app).await;
    let (_, post) = buttons(&card);
    assert_eq!(post["type"], "Action.Execute");
    assert!(team_posts(&app).is_empty(), "nothing posted yet");

    let answer = app
        .post(&app.invoke(
            LEAD,
            "adaptiveCard/action",
            json!({"action": {"type": "Action.Execute", "verb": post["verb"], "data": post["data"]}}),
        ))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let refreshed = answer.body["value"].clone();
    assert_eq!(refreshed["type"], "AdaptiveCard", "{}", answer.body);
    let text = refreshed.to_string();
    assert!(text.contains("Posted to the team's channel by"), "{text}");
    assert!(!text.contains("ActionSet"), "no buttons left: {text}");
    assert_valid(&[refreshed]);

    app.drain().await;
    let posts = team_posts(&app);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert!(
        posts[0].contains("Cut waits") && posts[0].contains("Short on nights."),
        "{}",
        posts[0]
    );
    assert_eq!(posted(&app).await, 1);

    // Again: refused, nothing posted twice.
    let again = app
        .post(&app.invoke(
            LEAD,
            "adaptiveCard/action",
            json!({"action": {"type": "Action.Execute", "verb": post["verb"], "data": post["data"]}}),
        ))
        .await;
    assert!(
        again.body.to_string().contains("already posted"),
        "{}",
        again.body
    );
    app.drain().await;
    assert_eq!(team_posts(&app).len(), 1);
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
async fn add_a_sentence_opens_a_dialog_that_refuses_a_name_inline_and_then_posts() {
    let app = spawn().await;
    let card = draft_card(&app).await;
    let (open, _) = buttons(&card);
    assert_eq!(open["type"], "Action.Submit");
    assert_eq!(open["data"]["msteams"]["type"], "task/fetch");

    let form = app
        .post(&app.invoke(LEAD, "task/fetch", json!({"data": open["data"]})))
        .await;
    assert_eq!(form.body["task"]["type"], "continue", "{}", form.body);
    let content = form.body["task"]["value"]["card"]["content"].clone();
    assert!(content.to_string().contains("Cut waits"), "{content}");
    assert_valid(std::slice::from_ref(&content));
    let submit = content["actions"][0]["data"].clone();
    assert_eq!(submit["dialog"], "team_update");

    // A sentence naming a patient: the form again, sentence kept, nothing posted.
    let mut data = submit.clone();
    data["sentence"] = json!("Mr. Jones in bed 12 waited least.");
    let refused = app
        .post(&app.invoke(LEAD, "task/submit", json!({"data": data})))
        .await;
    assert_eq!(refused.body["task"]["type"], "continue", "{}", refused.body);
    let again = refused.body["task"]["value"]["card"]["content"].to_string();
    assert!(again.contains("may identify someone"), "{again}");
    assert!(
        again.contains("Mr. Jones in bed 12 waited least."),
        "{again}"
    );
    assert_eq!(posted(&app).await, 0);

    let mut data = submit;
    data["sentence"] = json!("Waits are down; nights need help.");
    let done = app
        .post(&app.invoke(LEAD, "task/submit", json!({"data": data})))
        .await;
    assert_eq!(done.body["task"]["type"], "message", "{}", done.body);
    assert!(
        done.body
            .to_string()
            .contains("Posted Nursing's progress update"),
        "{}",
        done.body
    );
    app.drain().await;
    let posts = team_posts(&app);
    assert_eq!(posts.len(), 1, "{posts:#?}");
    assert!(
        posts[0].contains("Waits are down; nights need help."),
        "{}",
        posts[0]
    );
    // The draft card is updated in place.
    let refreshed = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.method == "PUT")
        .any(|c| c.text().contains("is posted. Thank you"));
    assert!(refreshed, "the draft card now says it is posted");
    assert_valid_cards(&app.fake.delivered());
}

/// Makes LEAD a leader of a second team, Intensive care (as `/align team
/// add` would), and reloads the directory.
async fn lead_two_teams(app: &TeamsApp) {
    let pool = app.ctx.store.reads();
    sqlx::query("INSERT INTO teams (key, name, channel) VALUES ('icu', 'Intensive care', '19:icu@thread.tacv2')")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO team_people (team_key, person_id, role) VALUES ('icu', $1, 'leader')")
        .bind(LEAD)
        .execute(pool)
        .await
        .unwrap();
    app.ctx.reload_directory().await.unwrap();
}

#[tokio::test]
async fn the_priorities_dialog_of_a_leader_of_two_teams_has_a_team_select_that_names_the_team() {
    let app = spawn().await;
    app.post(&app.install(LEAD)).await;
    lead_two_teams(&app).await;
    let form = app
        .post(&app.invoke(
            LEAD,
            "task/fetch",
            json!({"data": {"dialog": "publish_priorities", "team": "nursing"}}),
        ))
        .await;
    assert_eq!(form.body["task"]["type"], "continue", "{}", form.body);
    let content = form.body["task"]["value"]["card"]["content"].clone();
    assert_valid(std::slice::from_ref(&content));
    let select = content["body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["id"] == "team_choice")
        .expect("a team select")
        .clone();
    let values: Vec<&str> = select["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["icu", "nursing"]);
    assert_eq!(select["value"], "nursing", "starts on the team asked for");

    // Submitted with Intensive care chosen: published for Intensive care.
    let mut data = content["actions"][0]["data"].clone();
    data["team_choice"] = json!("icu");
    data["item1"] = json!("Sepsis audit");
    let done = app
        .post(&app.invoke(LEAD, "task/submit", json!({"data": data})))
        .await;
    assert_eq!(done.body["task"]["type"], "message", "{}", done.body);
    assert!(
        done.body.to_string().contains("Intensive care"),
        "{}",
        done.body
    );
    app.drain().await;
    let to_icu = app
        .sent_to("/v3/conversations")
        .into_iter()
        .filter(|c| c.body["channelData"]["channel"]["id"] == json!("19:icu@thread.tacv2"))
        .count();
    assert_eq!(to_icu, 1);
    assert!(team_posts(&app).is_empty(), "nothing for Nursing");
}

#[tokio::test]
async fn the_organizations_priorities_dialog_shows_a_problem_under_its_item_and_publishes() {
    use crate::app::{ADMIN, NURSE};
    let app = spawn().await;
    app.post(&app.install(ADMIN)).await;
    let open = json!({"data": {"dialog": "org_priorities"}});
    let refused = app
        .post(&app.invoke(NURSE, "task/fetch", open.clone()))
        .await;
    assert_eq!(refused.body["task"]["type"], "message", "{}", refused.body);
    assert!(refused.body.to_string().contains("executives"));

    let form = app.post(&app.invoke(ADMIN, "task/fetch", open)).await;
    assert_eq!(form.body["task"]["type"], "continue", "{}", form.body);
    let content = form.body["task"]["value"]["card"]["content"].clone();
    assert_valid(std::slice::from_ref(&content));
    let inputs = content["body"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "Input.Text")
        .count();
    assert_eq!(inputs, 5);

    let mut data = content["actions"][0]["data"].clone();
    data["item1"] = json!("Safe staffing this winter");
    data["item2"] = json!("Mr. Jones in bed 12 first");
    let again = app
        .post(&app.invoke(ADMIN, "task/submit", json!({"data": data.clone()})))
        .await;
    assert_eq!(again.body["task"]["type"], "continue", "{}", again.body);
    let card = again.body["task"]["value"]["card"]["content"].clone();
    assert_valid(std::slice::from_ref(&card));
    let body = card["body"].as_array().unwrap();
    let at = body.iter().position(|b| b["id"] == "item2").unwrap();
    assert!(
        body[at + 1].to_string().contains("all staff"),
        "the problem right under item 2: {card}"
    );
    assert!(
        card.to_string().contains("Safe staffing this winter"),
        "kept"
    );
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM org_priorities")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(n, 0);

    data["item2"] = json!("Flu vaccination drive");
    let done = app
        .post(&app.invoke(ADMIN, "task/submit", json!({"data": data})))
        .await;
    assert_eq!(done.body["task"]["type"], "message", "{}", done.body);
    assert!(
        done.body
            .to_string()
            .contains("Published the organization's priorities")
    );
    let items: Vec<String> =
        sqlx::query_scalar("SELECT text FROM org_priority_items ORDER BY position")
            .fetch_all(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(
        items,
        ["Safe staffing this winter", "Flu vaccination drive"]
    );
}

#[tokio::test]
async fn the_which_team_question_has_a_button_per_team_that_sends_the_command_again() {
    let app = spawn().await;
    app.post(&app.install(LEAD)).await;
    lead_two_teams(&app).await;
    app.post(&app.typed(LEAD, "goal add Cut waits pillar:patient-care"))
        .await;
    app.drain().await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM goals")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(n, 0, "nothing stored before the team is known");
    let question = app
        .fake
        .delivered()
        .into_iter()
        .find(|c| c.text().contains("which team is this for"))
        .expect("the question in the leader's chat");
    let card = question.cards()[0].clone();
    assert_valid(std::slice::from_ref(&card));
    let buttons: Vec<(String, String)> = card["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["title"].as_str().unwrap().to_owned(),
                a["data"]["msteams"]["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        buttons,
        [
            (
                "Intensive care".to_owned(),
                "goal add team:icu Cut waits pillar:patient-care".to_owned()
            ),
            (
                "Nursing".to_owned(),
                "goal add team:nursing Cut waits pillar:patient-care".to_owned()
            ),
        ]
    );
    assert_eq!(card["actions"][0]["data"]["msteams"]["type"], "messageBack");

    // Pressing one sends its text as the leader's message.
    app.post(&app.typed(LEAD, &buttons[0].1)).await;
    let (team,): (String,) = sqlx::query_as("SELECT team_key FROM goals")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(team, "icu");
}

#[tokio::test]
async fn typing_priorities_publish_answers_with_a_card_that_opens_the_form_with_the_team_select() {
    let app = spawn().await;
    app.post(&app.install(LEAD)).await;
    lead_two_teams(&app).await;
    app.post(&app.typed(LEAD, "priorities publish")).await;
    app.drain().await;
    let prompt = app
        .fake
        .delivered()
        .into_iter()
        .find(|c| c.text().contains("Publish the priorities for"))
        .expect("a card with the form's button");
    let card = prompt.cards()[0].clone();
    assert_valid(std::slice::from_ref(&card));
    let button = card["actions"][0].clone();
    assert_eq!(button["data"]["msteams"]["type"], "task/fetch");
    assert_eq!(button["data"]["dialog"], "publish_priorities");
    assert_eq!(
        button["data"]["team"], "icu",
        "the first team, from the 1:1 chat"
    );

    let form = app
        .post(&app.invoke(LEAD, "task/fetch", json!({"data": button["data"]})))
        .await;
    let content = form.body["task"]["value"]["card"]["content"].to_string();
    assert!(
        content.contains("team_choice"),
        "the team select: {content}"
    );

    // A member typing it is told why, and gets no button.
    let app = spawn().await;
    use crate::app::NURSE;
    app.post(&app.install(NURSE)).await;
    app.post(&app.typed(NURSE, "priorities publish")).await;
    app.drain().await;
    let told = app
        .fake
        .delivered()
        .into_iter()
        .map(|c| c.text())
        .find(|t| t.contains("leaders"))
        .expect("the refusal");
    assert!(!told.contains("Open the priorities form"), "{told}");
}
