//! Forms for a leader of several teams (issue 12): the priorities form's
//! team select, and the buttons on the "which team?" question.

use crate::helpers::*;
use serde_json::{Value, json};

/// U0LEAD1 leads Nursing (from the base config) and Intensive care.
const ICU: &str = "[[teams]]\nkey = \"icu\"\nname = \"Intensive care\"\nchannel = \"C0ICU\"\nleaders = [\"U0LEAD1\", \"U0ICU2\"]\nmembers = [\"U0ICUN1\"]\n";
const LEAD: &str = "U0LEAD1";

/// `/priorities publish …` typed in `channel` (a DM is `D…`).
async fn command_in(app: &TestApp, command: &str, text: &str, channel: &str) -> Reply {
    let body = String::from_utf8(command_body(command, text, LEAD, &app.fake))
        .unwrap()
        .replace("C0GENERAL", channel);
    app.post_signed(
        "/slack/commands",
        "application/x-www-form-urlencoded",
        body.into_bytes(),
    )
    .await
}

/// The team select of a publish form: (its options' values, the initial one).
fn team_select(view: &Value) -> Option<(Vec<String>, String)> {
    let block = view["blocks"]
        .as_array()?
        .iter()
        .find(|b| b["block_id"] == "priorities_team")?;
    let select = &block["elements"][0];
    let options = select["options"]
        .as_array()?
        .iter()
        .map(|o| o["value"].as_str().unwrap().to_owned())
        .collect();
    Some((
        options,
        select["initial_option"]["value"].as_str()?.to_owned(),
    ))
}

fn metadata_team(view: &Value) -> String {
    let meta: Value = serde_json::from_str(view["private_metadata"].as_str().unwrap()).unwrap();
    meta["team"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_leader_of_two_teams_typing_priorities_publish_in_a_dm_gets_the_form_with_a_team_select()
{
    let app = spawn_app_at(ICU, start_time()).await;
    let reply = command_in(&app, "/priorities", "publish", "D0LEAD1").await;
    assert_eq!(reply.status, 200);
    assert!(
        !reply.body.contains("which team"),
        "the form, not the question: {}",
        reply.body
    );
    let open = &app.sent("views.open", 1).await[0];
    let view = &open.body["view"];
    assert_eq!(view["callback_id"], "priorities_publish");
    let (options, initial) = team_select(view).expect("a team select");
    assert_eq!(options, ["icu", "nursing"]);
    assert_eq!(initial, "icu", "the first team, from a DM");
    assert_eq!(metadata_team(view), "icu");

    // Choosing Nursing reloads the form for Nursing.
    let mut choose = button(LEAD, "priorities_team", "", On::Modal("V0FORM"));
    choose["actions"][0]["type"] = json!("static_select");
    choose["actions"][0]
        .as_object_mut()
        .unwrap()
        .remove("value");
    choose["actions"][0]["selected_option"] =
        json!({"text": {"type": "plain_text", "text": "Nursing"}, "value": "nursing"});
    assert_eq!(app.post_interaction(&choose).await.status, 200);
    let update = &app.sent("views.update", 1).await[0];
    assert_eq!(update.body["view_id"], "V0FORM");
    let view = &update.body["view"];
    assert_eq!(team_select(view).unwrap().1, "nursing");
    assert_eq!(metadata_team(view), "nursing");
    assert!(blocks_text(view).contains("*Nursing*"), "{view}");

    // Submitting publishes for the team chosen.
    let mut submit = submission(
        LEAD,
        "priorities_publish",
        json!({"team": "nursing", "leaders": true}),
        &Form::default(),
    );
    submit["view"]["state"]["values"] = json!({
        "priority_1": {"priority_1": {"type": "plain_text_input", "value": "Safer handovers"}},
    });
    let done = app.post_interaction(&submit).await.json();
    assert_eq!(done["response_action"], "clear", "{done}");
    assert_eq!(app.posted_to("C0NURSING").await.len(), 1);
    assert!(app.posted_to("C0ICU").await.is_empty());
}

#[tokio::test]
async fn the_priorities_form_starts_on_the_team_whose_channel_it_came_from() {
    let app = spawn_app_at(ICU, start_time()).await;
    command_in(&app, "/priorities", "publish", "C0NURSING").await;
    let open = &app.sent("views.open", 1).await[0];
    let (options, initial) = team_select(&open.body["view"]).expect("a team select");
    assert_eq!(options, ["icu", "nursing"]);
    assert_eq!(initial, "nursing");

    // A leader of one team gets no select; a member cannot switch the form
    // to a team they do not lead.
    let app = spawn_app().await;
    app.post_command("/priorities", "publish", LEAD).await;
    let open = &app.sent("views.open", 1).await[0];
    assert!(team_select(&open.body["view"]).is_none());
    let mut choose = button(NURSE, "priorities_team", "", On::Modal("V0FORM"));
    choose["actions"][0]["selected_option"] =
        json!({"text": {"type": "plain_text", "text": "Nursing"}, "value": "nursing"});
    choose["actions"][0]
        .as_object_mut()
        .unwrap()
        .remove("value");
    app.post_interaction(&choose).await;
    let update = &app.sent("views.update", 1).await[0];
    assert!(
        update.body["view"]
            .to_string()
            .contains("Only the leaders of Nursing"),
        "{}",
        update.body
    );
}
