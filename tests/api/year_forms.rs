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

/// The buttons of an ephemeral answer: (label, action id, value).
fn buttons_of(body: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for block in body["blocks"].as_array().into_iter().flatten() {
        for e in block["elements"].as_array().into_iter().flatten() {
            if e["type"] == "button" {
                out.push((
                    e["text"]["text"].as_str().unwrap().to_owned(),
                    e["action_id"].as_str().unwrap().to_owned(),
                    e["value"].as_str().unwrap().to_owned(),
                ));
            }
        }
    }
    out
}

#[tokio::test]
pub(crate) async fn the_which_team_question_has_a_button_per_team_that_reruns_the_typed_command() {
    let app = spawn_app_at(ICU, start_time()).await;
    let asked = app
        .post_command(
            "/goal",
            "add Cut waits <b>now</b> pillar:patient-care target:30min",
            LEAD,
        )
        .await;
    let body = asked.json();
    assert!(
        asked.text().contains("You lead Intensive care and Nursing"),
        "{}",
        asked.body
    );
    let buttons = buttons_of(&body);
    assert_eq!(
        buttons,
        [
            (
                "Intensive care".to_owned(),
                "which_team".to_owned(),
                "/goal add team:icu Cut waits <b>now</b> pillar:patient-care target:30min"
                    .to_owned()
            ),
            (
                "Nursing".to_owned(),
                "which_team".to_owned(),
                "/goal add team:nursing Cut waits <b>now</b> pillar:patient-care target:30min"
                    .to_owned()
            ),
        ]
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 0);

    // Nursing: the goal is added to Nursing, with the title as typed, and
    // the question is replaced by the answer.
    app.post_interaction(&button(
        LEAD,
        "which_team",
        &buttons[1].2,
        On::Message(&app.fake.hook_url("which")),
    ))
    .await;
    app.drain().await;
    let (team, title): (String, String) = sqlx::query_as("SELECT team_key, title FROM goals")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(team, "nursing");
    assert_eq!(title, "Cut waits <b>now</b>");
    let replies = app.fake.calls_to("hook");
    let reply = replies.last().expect("the answer replaces the question");
    assert_eq!(reply.body["replace_original"], true, "{}", reply.body);
    let text = reply.body.to_string();
    assert!(text.contains("Added goal"), "{text}");
    assert!(text.contains("&lt;b&gt;now&lt;/b&gt;"), "escaped: {text}");

    // The same for priorities; a member pressing a leader's button is
    // refused like a typed command, and nothing is published.
    let asked = app
        .post_command("/priorities", "publish Safer handovers; Flu clinic", LEAD)
        .await;
    let buttons = buttons_of(&asked.json());
    assert_eq!(buttons.len(), 2, "{}", asked.body);
    assert_eq!(
        buttons[0].2,
        "/priorities publish team:icu Safer handovers; Flu clinic"
    );
    app.post_interaction(&button(
        NURSE,
        "which_team",
        &buttons[0].2,
        On::Message(&app.fake.hook_url("member")),
    ))
    .await;
    app.drain().await;
    assert_eq!(app.scalar("SELECT COUNT(*) FROM priorities").await, 0);
    app.post_interaction(&button(
        LEAD,
        "which_team",
        &buttons[0].2,
        On::Message(&app.fake.hook_url("lead")),
    ))
    .await;
    let posts = app.posted_to("C0ICU").await;
    assert_eq!(posts.len(), 1, "published for Intensive care");
    assert!(blocks_text(&posts[0]).contains("Safer handovers"));

    // A button that names another command does nothing.
    app.post_interaction(&button(
        LEAD,
        "which_team",
        "/align team remove nursing",
        On::Message(&app.fake.hook_url("other")),
    ))
    .await;
    app.drain().await;
    let told = app.fake.calls_to("hook");
    assert!(
        told.last()
            .unwrap()
            .body
            .to_string()
            .contains("not one I know"),
        "{:#?}",
        told.last()
    );
}

/// The base config with a staff channel and an executive.
fn org_config() -> String {
    CONFIG.replace(
        "admins = [\"U0ADMIN\"]",
        "admins = [\"U0ADMIN\"]\nstaff_channel = \"C0STAFF\"\nexecutives = [\"U0EXEC\"]",
    )
}

/// The organization's priorities form's submitted state: item n is `items[n-1]`.
fn org_submission(user: &str, items: &[&str]) -> Value {
    let mut submit = submission(user, "org_priorities_publish", json!({}), &Form::default());
    let mut values = serde_json::Map::new();
    for (i, item) in items.iter().enumerate() {
        let id = format!("org_item_{}", i + 1);
        values.insert(
            id.clone(),
            json!({ id: {"type": "plain_text_input", "value": item} }),
        );
    }
    submit["view"]["state"]["values"] = Value::Object(values);
    submit
}

#[tokio::test]
pub(crate) async fn priorities_org_publish_without_items_opens_a_form_with_inline_errors() {
    let app = spawn_app_at(org_config().trim_start(), start_time()).await;
    // Not for members: refused, no form.
    let refused = app.post_command("/priorities", "org publish", NURSE).await;
    assert!(refused.text().contains("executives"), "{}", refused.body);
    app.drain().await;
    assert!(app.fake.calls_to("views.open").is_empty());

    app.post_command("/priorities", "org publish", "U0EXEC")
        .await;
    let open = &app.sent("views.open", 1).await[0];
    let view = &open.body["view"];
    assert_eq!(view["callback_id"], "org_priorities_publish");
    let inputs = view["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "input")
        .count();
    assert_eq!(inputs, 5, "up to five items");

    // Nothing typed: the error is under the first field.
    let empty = app
        .post_interaction(&org_submission("U0EXEC", &["", ""]))
        .await
        .json();
    assert_eq!(empty["response_action"], "errors", "{empty}");
    assert!(empty["errors"]["org_item_1"].is_string(), "{empty}");

    // A patient's name in item 2: the error is under item 2, nothing published.
    let named = app
        .post_interaction(&org_submission(
            "U0EXEC",
            &["Safe staffing this winter", "Mr. Jones in bed 12 first"],
        ))
        .await
        .json();
    assert_eq!(named["response_action"], "errors", "{named}");
    assert!(
        named["errors"]["org_item_2"]
            .as_str()
            .unwrap()
            .contains("all staff"),
        "{named}"
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM org_priorities").await, 0);

    // Published: the form closes and the staff channel gets them as typed.
    let done = app
        .post_interaction(&org_submission(
            "U0EXEC",
            &["Safe staffing this winter", "", "Flu <vaccination> drive"],
        ))
        .await
        .json();
    assert_eq!(done, json!({"response_action": "clear"}));
    let posts = app.posted_to("C0STAFF").await;
    assert_eq!(posts.len(), 1);
    let text = blocks_text(&posts[0]);
    assert!(text.contains("Safe staffing this winter"), "{text}");
    // As typed (the post shows the items as plain text).
    assert!(text.contains("2. Flu <vaccination> drive"), "{text}");
    let confirmed = blocks_text(&app.posted_to("U0EXEC").await[0]);
    assert!(
        confirmed.contains("Published the organization's priorities"),
        "{confirmed}"
    );

    // Opened again, the form is prefilled with them.
    app.post_command("/priorities", "org publish", "U0EXEC")
        .await;
    let open = &app.sent("views.open", 2).await[1];
    assert!(
        open.body["view"]
            .to_string()
            .contains("Flu <vaccination> drive"),
        "{}",
        open.body
    );
}

/// The goal form's year select: (its options' values, the initial one).
fn year_select(view: &Value) -> Option<(Vec<String>, String)> {
    let block = view["blocks"]
        .as_array()?
        .iter()
        .find(|b| b["block_id"] == "goal_year")?;
    let options = block["element"]["options"]
        .as_array()?
        .iter()
        .map(|o| o["value"].as_str().unwrap().to_owned())
        .collect();
    Some((
        options,
        block["element"]["initial_option"]["value"]
            .as_str()?
            .to_owned(),
    ))
}

/// A filled-in goal form for `year` (`None`: no year chosen).
fn goal_form(title: &str, year: Option<&str>) -> Value {
    let mut p = submission(LEAD, "goal_add", json!({}), &Form::default());
    let mut values = json!({
        "goal_title": {"goal_title": {"type": "plain_text_input", "value": title}},
        "goal_pillar": {"goal_pillar": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "patient-care"}}},
        "goal_team": {"goal_team": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "nursing"}}},
    });
    if let Some(year) = year {
        values["goal_year"] = json!({"goal_year": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": year}, "value": year}}});
    }
    p["view"]["state"]["values"] = values;
    p
}

#[tokio::test]
pub(crate) async fn the_goal_form_has_a_year_select_with_next_year_from_the_opening_month() {
    // 16 November 2026 with the default opening (October): 2026 and 2027,
    // starting on 2027 like `/goal add` without `year:`.
    let config = CONFIG
        .trim_start()
        .replace("next_year_opens = \"December\"", "");
    let app = spawn_app_at(&config, start_time()).await;
    app.post_command("/goal", "add", LEAD).await;
    let open = &app.sent("views.open", 1).await[0];
    let (options, initial) = year_select(&open.body["view"]).expect("a year select");
    assert_eq!(options, ["2026", "2027"]);
    assert_eq!(initial, "2027");

    for (title, year) in [
        ("For this year", Some("2026")),
        ("For next year", Some("2027")),
    ] {
        let done = app.post_interaction(&goal_form(title, year)).await.json();
        assert_eq!(done["response_action"], "clear", "{done}");
    }
    let years: Vec<(String, i64)> =
        sqlx::query_as("SELECT title, plan_year FROM goals ORDER BY id")
            .fetch_all(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(
        years,
        [
            ("For this year".to_owned(), 2026),
            ("For next year".to_owned(), 2027)
        ]
    );

    // A year that is no plan year is refused under the field.
    let bad = app
        .post_interaction(&goal_form("Bad year", Some("27")))
        .await
        .json();
    assert_eq!(bad["response_action"], "errors", "{bad}");
    assert!(bad["errors"]["goal_year"].is_string(), "{bad}");

    // Before the opening month (the tests' December opening), only this year.
    let app = spawn_app().await;
    app.post_command("/goal", "propose", LEAD).await;
    let open = &app.sent("views.open", 1).await[0];
    let (options, initial) = year_select(&open.body["view"]).expect("a year select");
    assert_eq!(options, ["2026"]);
    assert_eq!(initial, "2026");
}

/// A real `message` event (bolt-python's `message.channels` payload) in our
/// workspace: `user` replying `text` in the thread of `thread_ts`.
fn thread_reply(event_id: &str, user: &str, thread_ts: &str, text: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/events/message.channels.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut e: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    e["team_id"] = json!(crate::fake_slack::TEAM);
    e["api_app_id"] = json!(crate::fake_slack::APP);
    e["event_id"] = json!(event_id);
    e["event"]["user"] = json!(user);
    e["event"]["text"] = json!(text);
    e["event"]["channel"] = json!("C0NURSING");
    e["event"]["thread_ts"] = json!(thread_ts);
    e["event"]["ts"] = json!(format!("1796183880.{}", &event_id[event_id.len() - 4..]));
    e
}

async fn comments(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM proposal_comments").await
}

#[tokio::test]
pub(crate) async fn replies_typed_into_a_proposals_thread_count_as_comments_once() {
    let app = spawn_app().await;
    app.post_command(
        "/goal",
        "propose Better shift handoffs pillar:patient-care",
        NURSE,
    )
    .await;
    app.settle().await;
    let ts: String = sqlx::query_scalar("SELECT ts FROM proposals WHERE id = 1")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();

    // A reply in the thread: counted, and the post says so.
    let reply = thread_reply("Ev0TR0001", NURSE2, &ts, "Yes, and <!channel> tea too");
    assert_eq!(app.post_event(&reply).await.status, 200);
    assert_eq!(comments(&app).await, 1);
    app.advance(2);
    let update = &app.sent("chat.update", 1).await[0];
    assert_eq!(update.body["ts"], json!(ts));
    let post = blocks_text(&update.body);
    assert!(post.contains("1 comment"), "{post}");
    assert!(!post.contains("1 comments"), "{post}");

    // Slack retrying the same event: counted once.
    app.post_event(&reply).await;
    assert_eq!(comments(&app).await, 1);

    // Not comments: a bot's message in the thread (ours, when Comment
    // posts), an edit, a message in the channel, a reply in another thread.
    let mut bot = thread_reply("Ev0TR0002", NURSE2, &ts, "bot");
    bot["event"]["bot_id"] = json!("B0ALIGNBOT");
    let mut edit = thread_reply("Ev0TR0003", NURSE2, &ts, "edited");
    edit["event"]["subtype"] = json!("message_changed");
    let mut plain = thread_reply("Ev0TR0004", NURSE2, &ts, "in the channel");
    plain["event"].as_object_mut().unwrap().remove("thread_ts");
    let other = thread_reply("Ev0TR0005", NURSE2, "1596180000.000100", "elsewhere");
    for event in [bot, edit, plain, other] {
        assert_eq!(app.post_event(&event).await.status, 200);
    }
    app.drain().await;
    assert_eq!(comments(&app).await, 1);
    assert_eq!(app.fake.calls_to("chat.update").len(), 1, "no other update");

    // A second person's reply: two comments.
    let second = thread_reply("Ev0TR0006", LEAD, &ts, "Approve soon");
    let second_ts = second["event"]["ts"].as_str().unwrap().to_owned();
    app.post_event(&second).await;
    assert_eq!(comments(&app).await, 2);
    app.advance(2);
    let update = &app.sent("chat.update", 2).await[1];
    assert!(blocks_text(&update.body).contains("2 comments"));

    // Edited in Slack: the stored text follows, the count stays.
    let mut edited = fixture_event("message.message_changed.json", "Ev0TR0007");
    edited["event"]["channel"] = json!("C0NURSING");
    edited["event"]["message"]["ts"] = json!(second_ts);
    edited["event"]["message"]["user"] = json!(LEAD);
    edited["event"]["message"]["text"] = json!("Approve it this week");
    app.post_event(&edited).await;
    let text: String =
        sqlx::query_scalar("SELECT text FROM proposal_comments WHERE person_id = 'U0LEAD1'")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(text, "Approve it this week");
    assert_eq!(comments(&app).await, 2);

    // Deleted in Slack: uncounted, and the post says so.
    let mut deleted = fixture_event("message.message_deleted.json", "Ev0TR0008");
    deleted["event"]["channel"] = json!("C0NURSING");
    deleted["event"]["deleted_ts"] = json!(second_ts);
    app.post_event(&deleted).await;
    assert_eq!(comments(&app).await, 1);
    app.advance(2);
    let update = &app.sent("chat.update", 3).await[2];
    assert!(blocks_text(&update.body).contains("1 comment"));
}

/// A real event fixture in our workspace, with `event_id`.
fn fixture_event(name: &str, event_id: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut e: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    e["team_id"] = json!(crate::fake_slack::TEAM);
    e["api_app_id"] = json!(crate::fake_slack::APP);
    e["event_id"] = json!(event_id);
    e
}
