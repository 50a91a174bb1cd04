use crate::helpers::*;
use serde_json::{Value, json};

const LEAD: &str = "U0LEAD1";

async fn goal_count(app: &TestApp) -> i64 {
    app.scalar("SELECT COUNT(*) FROM goals").await
}

async fn add_wait_goal(app: &TestApp) -> String {
    let reply = app
        .post_command(
            "/goal",
            "add Cut ER wait times pillar:patient-care start:45min target:30min due:Q2",
            LEAD,
        )
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.text().contains("Added goal #1"), "{}", reply.body);
    "1".to_owned()
}

#[tokio::test]
async fn a_leader_adds_a_goal_for_their_team_and_members_are_sent_to_propose() {
    let app = spawn_app().await;
    add_wait_goal(&app).await;
    let (team, owner, kind, due): (String, String, String, String) =
        sqlx::query_as("SELECT team_key, owner, kind, due_date FROM goals WHERE id = 1")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(
        (team.as_str(), owner.as_str(), due.as_str()),
        ("nursing", LEAD, "2026-06-30")
    );
    assert!(kind.contains("45") && kind.contains("30"), "{kind}");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM plan_changes WHERE subject = 'goal:1'")
            .await,
        1,
        "recorded in the plan's history"
    );

    let refused = app
        .post_command("/goal", "add Something pillar:patient-care", NURSE)
        .await;
    assert!(refused.text().contains("/goal propose"), "{}", refused.body);
    assert_eq!(goal_count(&app).await, 1);
}

#[tokio::test]
async fn bad_goal_input_is_explained_and_nothing_is_stored() {
    let app = spawn_app().await;
    let long = format!("add {} pillar:patient-care", "é".repeat(151));
    let cases = [
        ("add Cut waits", "pillar"),
        ("add Cut waits pillar:nope", "There is no pillar `nope`"),
        ("add Cut waits pillar:patient-care target:abc", "abc"),
        (
            "add Cut waits pillar:patient-care target:30min due:2027-02-30",
            "2027-02-30",
        ),
        (
            "add Cut waits pillar:patient-care team:nope",
            "There is no team `nope`",
        ),
        (long.as_str(), "150"),
        ("frobnicate", "/goal"),
    ];
    for (text, expected) in cases {
        let reply = app.post_command("/goal", text, LEAD).await;
        assert_eq!(reply.status, 200, "{text}");
        assert!(
            reply.text().contains(expected),
            "{text}: expected {expected:?} in {}",
            reply.body
        );
    }
    assert_eq!(goal_count(&app).await, 0);
}

#[tokio::test]
pub(crate) async fn check_ins_keep_the_whole_history_and_progress_counts_lower_as_better() {
    let app = spawn_app().await;
    let id = add_wait_goal(&app).await;
    let first = app
        .post_command(
            "/goal",
            &format!("update {id} 40min on-track First week"),
            LEAD,
        )
        .await;
    assert!(
        first.text().contains("Checked in on goal #1"),
        "{}",
        first.body
    );
    app.advance(7 * 24 * 3600);
    let second = app
        .post_command(
            "/goal",
            &format!("update {id} 37.5min at-risk Triage nurse is away <!channel>"),
            LEAD,
        )
        .await;
    assert!(second.text().contains("At risk"), "{}", second.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM check_ins WHERE goal_id = 1")
            .await,
        2
    );
    let progress: f64 = sqlx::query_scalar("SELECT progress FROM goals WHERE id = 1")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert!(
        (progress - 0.5).abs() < 1e-9,
        "45 → 30 min, now 37.5: half way, got {progress}"
    );

    let show = app
        .post_command("/goal", &format!("show {id}"), NURSE)
        .await;
    let text = show.text();
    for expected in [
        "Cut ER wait times",
        "Check-ins",
        "worsening",
        "Patient care",
        "Every patient leaves healthier and heard.",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(
        text.contains("Triage nurse is away <!channel>"),
        "notes shown as written in plain text"
    );
    let note_block = show.json()["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| {
            b["text"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("Triage"))
        })
        .cloned()
        .unwrap();
    assert_eq!(note_block["text"]["type"], "plain_text");
}

#[tokio::test]
async fn only_the_owner_a_team_leader_or_an_admin_may_change_a_goal() {
    let app = spawn_app().await;
    let id = add_wait_goal(&app).await;
    let refused = app
        .post_command("/goal", &format!("update {id} 40min"), NURSE2)
        .await;
    assert!(
        refused.text().contains("Only the goal's owner"),
        "{}",
        refused.body
    );
    let closed = app
        .post_command("/goal", &format!("close {id} dropped"), NURSE2)
        .await;
    assert!(
        closed.text().contains("Only the goal's owner"),
        "{}",
        closed.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM check_ins").await, 0);
    let by_admin = app
        .post_command("/goal", &format!("update {id} 40min"), ADMIN)
        .await;
    assert!(by_admin.text().contains("Checked in"), "{}", by_admin.body);
}

#[tokio::test]
async fn a_closed_goal_takes_no_more_check_ins() {
    let app = spawn_app().await;
    let id = add_wait_goal(&app).await;
    let closed = app
        .post_command("/goal", &format!("close {id} achieved Done early"), LEAD)
        .await;
    assert!(closed.text().contains("achieved"), "{}", closed.body);
    let late = app
        .post_command("/goal", &format!("update {id} 20min"), LEAD)
        .await;
    assert!(late.text().contains("closed"), "{}", late.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM check_ins").await, 0);
}

#[tokio::test]
async fn lists_are_paged_and_scoped() {
    let app = spawn_app().await;
    for i in 0..17 {
        let reply = app
            .post_command(
                "/goal",
                &format!("add Goal number {i} pillar:our-people team:nursing"),
                ADMIN,
            )
            .await;
        assert!(reply.text().contains("Added"), "{}", reply.body);
    }
    let page1 = app.post_command("/goal", "list all", NURSE).await;
    assert!(page1.text().contains("page 1 of 2"), "{}", page1.body);
    assert!(page1.text().contains("/goal list all page:2"));
    assert!(page1.json()["blocks"].as_array().unwrap().len() <= 50);
    let page2 = app.post_command("/goal", "list all page:2", NURSE).await;
    assert!(
        page2.text().contains("Goal number 16") && !page2.text().contains("Goal number 3*"),
        "{}",
        page2.body
    );
    let team = app.post_command("/goal", "list team nursing", NURSE).await;
    assert!(team.text().contains("17 goals"), "{}", team.body);
    let mine = app.post_command("/goal", "list", NURSE).await;
    assert!(mine.text().contains("0 goals"), "{}", mine.body);
}

#[tokio::test]
async fn the_goal_form_adds_a_goal_and_shows_mistakes_next_to_the_field() {
    let app = spawn_app().await;
    let reply = app.post_command("/goal", "add", LEAD).await;
    assert_eq!(reply.status, 200);
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "goal_add");

    let mut values = json!({
        "goal_title": {"goal_title": {"type": "plain_text_input", "value": "Faster discharge"}},
        "goal_pillar": {"goal_pillar": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "patient-care"}}},
        "goal_target": {"goal_target": {"type": "plain_text_input", "value": "lots"}},
        "goal_due": {"goal_due": {"type": "datepicker", "selected_date": "2026-12-31"}},
    });
    let payload = |values: &Value| {
        let mut p = submission(LEAD, "goal_add", json!({}), &Form::default());
        p["view"]["state"]["values"] = values.clone();
        p
    };
    let bad = app.post_interaction(&payload(&values)).await.json();
    assert_eq!(bad["response_action"], "errors", "{bad}");
    assert!(bad["errors"]["goal_target"].is_string(), "{bad}");
    assert_eq!(goal_count(&app).await, 0);

    values["goal_target"]["goal_target"]["value"] = json!("100%");
    let good = app.post_interaction(&payload(&values)).await.json();
    assert_eq!(good["response_action"], "update", "{good}");
    assert!(good["view"].to_string().contains("Added goal #1"));
    assert_eq!(goal_count(&app).await, 1);
}

#[tokio::test]
async fn the_check_in_button_opens_a_form_that_records_a_check_in() {
    let app = spawn_app().await;
    add_wait_goal(&app).await;
    app.post_interaction(&button(LEAD, "goal_check_in_open", "1", On::Home))
        .await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "goal_check_in");
    let values = |value: &str| {
        json!({
            "goal_value": {"goal_value": {"type": "plain_text_input", "value": value}},
            "goal_confidence": {"goal_confidence": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "off-track"}}},
            "goal_note": {"goal_note": {"type": "plain_text_input", "value": "Staffing"}},
        })
    };
    let payload = |value: &str| {
        let mut p = submission(LEAD, "goal_check_in", json!({"goal": 1}), &Form::default());
        p["view"]["state"]["values"] = values(value);
        p
    };
    let bad = app.post_interaction(&payload("30 km")).await.json();
    assert_eq!(bad["response_action"], "errors", "{bad}");
    assert!(
        bad["errors"]["goal_value"]
            .as_str()
            .unwrap()
            .contains("min"),
        "{bad}"
    );
    let good = app.post_interaction(&payload("42min")).await.json();
    assert_eq!(good["response_action"], "update", "{good}");
    let confidence: String = sqlx::query_scalar("SELECT confidence FROM check_ins")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(confidence, "off-track");
}

#[tokio::test]
pub(crate) async fn the_team_proposes_supports_comments_and_a_leader_approves() {
    let app = spawn_app().await;
    let reply = app
        .post_command(
            "/goal",
            "propose Better shift handoffs pillar:patient-care",
            NURSE,
        )
        .await;
    assert!(reply.text().contains("Proposal 1"), "{}", reply.body);
    let post = &app.sent("chat.postMessage", 1).await[0];
    assert_eq!(post.body["channel"], "C0NURSING");
    assert!(post.body.to_string().contains("proposal_support"));
    app.settle().await;
    let ts: String = sqlx::query_scalar("SELECT ts FROM proposals WHERE id = 1")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert!(!ts.is_empty());

    // Support, then take it back, then support again: one supporter.
    for _ in 0..3 {
        app.post_interaction(&button(
            NURSE2,
            "proposal_support",
            "1",
            On::Message(&app.fake.hook_url("p")),
        ))
        .await;
    }
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM proposal_supports").await,
        1
    );
    app.advance(1);
    let update = app.sent("chat.update", 1).await;
    assert_eq!(update[0].body["ts"], ts.as_str());

    // A member cannot approve; the leader can, picking the owner.
    app.post_interaction(&button(
        NURSE2,
        "proposal_approve",
        "1",
        On::Message(&app.fake.hook_url("p")),
    ))
    .await;
    let refusal = &app.sent("hook", 1).await[0];
    assert!(
        refusal.body.to_string().contains("Only a leader"),
        "{}",
        refusal.body
    );
    assert!(
        app.fake.calls_to("views.open").is_empty(),
        "no approval form for a member"
    );
    app.post_interaction(&button(
        LEAD,
        "proposal_approve",
        "1",
        On::Message(&app.fake.hook_url("p")),
    ))
    .await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "proposal_approve");
    let mut approve = submission(
        LEAD,
        "proposal_approve",
        json!({"goal": 1}),
        &Form::default(),
    );
    approve["view"]["state"]["values"] =
        json!({"goal_owner": {"goal_owner": {"type": "users_select", "selected_user": NURSE2}}});
    let done = app.post_interaction(&approve).await.json();
    assert!(done["view"].to_string().contains("goal #1"), "{done}");
    let owner: String = sqlx::query_scalar("SELECT owner FROM goals WHERE proposal_id = 1")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(owner, NURSE2);
    // The post and its thread follow at the channel's pace.
    let mut approved = false;
    for _ in 0..5 {
        app.advance(1);
        app.drain().await;
        approved = app.fake.calls_to("chat.postMessage").iter().any(|c| {
            c.body["thread_ts"] == ts.as_str() && c.body.to_string().contains("Approved by")
        });
        if approved {
            break;
        }
    }
    assert!(
        approved,
        "the approval is announced in the proposal's thread: {:#?} / outbox {:?}",
        app.fake
            .calls()
            .iter()
            .map(|c| (c.method.clone(), c.body.get("thread_ts").cloned()))
            .collect::<Vec<_>>(),
        sqlx::query_as::<_, (String, String, Option<String>)>(
            "SELECT status, payload, last_error FROM outbox"
        )
        .fetch_all(app.ctx.store.reads())
        .await
        .unwrap()
    );
    let last_update = app
        .fake
        .calls_to("chat.update")
        .last()
        .unwrap()
        .body
        .clone();
    assert!(
        last_update.to_string().contains("Approved by"),
        "{last_update}"
    );
}

#[tokio::test]
pub(crate) async fn the_alignment_report_shows_pillars_teams_and_its_formulas() {
    let app = spawn_app().await;
    let id = add_wait_goal(&app).await;
    app.post_command("/goal", &format!("update {id} 40min at-risk"), LEAD)
        .await;
    app.post_command("/goal", "propose Quieter nights pillar:our-people", NURSE)
        .await;
    let reply = app.post_command("/align", "status", NURSE).await;
    let text = reply.text();
    for expected in [
        "Alignment report",
        "Patient care",
        "1 active",
        "1 at risk",
        "Nursing",
        "checked in this month 1/1",
        "took part in goal-setting 1/3",
        "How these are computed",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(reply.json()["blocks"].as_array().unwrap().len() <= 50);
}

#[tokio::test]
async fn admins_change_the_plan_with_a_history_and_others_are_refused() {
    let app = spawn_app().await;
    let refused = app
        .post_command("/align", "pillar add quality Quality and safety", NURSE)
        .await;
    assert!(refused.text().contains("Only admins"), "{}", refused.body);
    let added = app
        .post_command(
            "/align",
            "pillar add quality Quality and safety emoji::star:",
            ADMIN,
        )
        .await;
    assert!(added.text().contains("Added the pillar"), "{}", added.body);
    let goal = app
        .post_command("/goal", "add Zero falls pillar:quality", LEAD)
        .await;
    assert!(goal.text().contains("Added goal"), "{}", goal.body);
    let archived = app
        .post_command("/align", "pillar archive quality", ADMIN)
        .await;
    assert!(archived.text().contains("Archived"), "{}", archived.body);
    let late = app
        .post_command("/goal", "add Zero bedsores pillar:quality", LEAD)
        .await;
    assert!(late.text().contains("archived"), "{}", late.body);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM goals WHERE pillar_key = 'quality'")
            .await,
        1,
        "the old goal stays"
    );

    let mission = app
        .post_command(
            "/align",
            "mission set Every patient heard, every time.",
            ADMIN,
        )
        .await;
    assert!(
        mission.text().contains("Every patient heard"),
        "{}",
        mission.body
    );
    assert_eq!(
        app.ctx.directory().org.mission,
        "Every patient heard, every time."
    );
    let people = app
        .post_command("/align", "team members nursing add <@U0NEW1|newbie>", ADMIN)
        .await;
    assert!(people.text().contains("<@U0NEW1>"), "{}", people.body);
    assert!(app.scalar("SELECT COUNT(*) FROM plan_changes").await >= 5);
}

#[tokio::test]
async fn a_kickoff_invites_the_team_to_propose() {
    let app = spawn_app().await;
    let refused = app
        .post_command("/align", "goals kickoff team:nursing", NURSE)
        .await;
    assert!(
        refused.text().contains("Only the team's leaders"),
        "{}",
        refused.body
    );
    let reply = app
        .post_command("/align", "goals kickoff team:nursing", LEAD)
        .await;
    assert!(reply.text().contains("kick-off"), "{}", reply.body);
    let post = &app.sent("chat.postMessage", 1).await[0];
    assert_eq!(post.body["channel"], "C0NURSING");
    let text = blocks_text(&post.body);
    for expected in [
        "2026 goals",
        "Every patient leaves healthier and heard.",
        "Patient care",
        "Propose a goal",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
}

#[tokio::test]
async fn the_home_tab_shows_my_goals_with_a_check_in_button_and_open_proposals() {
    let app = spawn_app().await;
    add_wait_goal(&app).await;
    app.post_command("/goal", "propose Quieter nights pillar:our-people", NURSE)
        .await;
    let event = json!({
        "type": "event_callback", "team_id": "T0TEAM", "api_app_id": "A0APP", "event_id": "Ev0HOMEG",
        "event_time": 1, "event": {"type": "app_home_opened", "user": LEAD, "channel": "D0LEAD", "tab": "home"}
    });
    app.post_event(&event).await;
    let publish = app.sent("views.publish", 1).await;
    let body = publish
        .iter()
        .rev()
        .find(|c| c.body["user_id"] == LEAD)
        .unwrap()
        .body
        .clone();
    let view = body["view"].to_string();
    assert!(view.contains("goal_check_in_open"), "{view}");
    assert!(
        view.contains("Cut ER wait times") && view.contains("Quieter nights"),
        "{view}"
    );
    assert!(body["view"]["blocks"].as_array().unwrap().len() <= 100);
}

#[tokio::test]
async fn editing_a_goal_through_its_form_keeps_its_history() {
    let app = spawn_app().await;
    let id = add_wait_goal(&app).await;
    app.post_command("/goal", &format!("update {id} 40min"), LEAD)
        .await;
    let refused = app
        .post_command("/goal", &format!("edit {id}"), NURSE2)
        .await;
    assert!(
        refused.text().contains("Only the goal's owner"),
        "{}",
        refused.body
    );
    app.post_command("/goal", &format!("edit {id}"), LEAD).await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "goal_edit");
    assert!(open.body["view"].to_string().contains("Cut ER wait times"));
    let mut edit = submission(LEAD, "goal_edit", json!({"goal": 1}), &Form::default());
    edit["view"]["state"]["values"] = json!({
        "goal_title": {"goal_title": {"type": "plain_text_input", "value": "Cut ER wait times to 25 min"}},
        "goal_pillar": {"goal_pillar": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": "patient-care"}}},
        "goal_start": {"goal_start": {"type": "plain_text_input", "value": "45min"}},
        "goal_target": {"goal_target": {"type": "plain_text_input", "value": "25min"}},
    });
    let done = app.post_interaction(&edit).await.json();
    assert_eq!(done["response_action"], "update", "{done}");
    let (title, progress): (String, f64) =
        sqlx::query_as("SELECT title, progress FROM goals WHERE id = 1")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(title, "Cut ER wait times to 25 min");
    assert!(
        (progress - 0.25).abs() < 1e-9,
        "45 → 25, now 40: a quarter, got {progress}"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM check_ins").await,
        1,
        "history kept"
    );
}

#[tokio::test]
async fn teammates_comment_in_the_thread_and_a_leader_can_decline() {
    let app = spawn_app().await;
    app.post_command(
        "/goal",
        "propose Night-shift tea breaks pillar:our-people",
        NURSE,
    )
    .await;
    app.sent("chat.postMessage", 1).await;
    app.settle().await;
    app.post_interaction(&button(
        NURSE2,
        "proposal_comment",
        "1",
        On::Message(&app.fake.hook_url("c")),
    ))
    .await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "proposal_comment");
    let mut comment = submission(
        NURSE2,
        "proposal_comment",
        json!({"goal": 1}),
        &Form::default(),
    );
    comment["view"]["state"]["values"] = json!({"goal_note": {"goal_note": {"type": "plain_text_input", "value": "Yes! <!here> *tea*"}}});
    let done = app.post_interaction(&comment).await.json();
    assert_eq!(done["response_action"], "update", "{done}");
    app.drain().await;
    app.advance(1);
    let posts = app.sent("chat.postMessage", 2).await;
    let thread = &posts[1].body;
    assert!(thread["thread_ts"].is_string(), "{thread}");
    let blocks = thread["blocks"].as_array().unwrap();
    assert!(blocks.iter().any(|b| b["text"]["type"] == "plain_text" && b["text"]["text"] == "Yes! <!here> *tea*"), "{thread}");

    let by_member = app
        .post_interaction(&button(
            NURSE,
            "proposal_decline",
            "1",
            On::Message(&app.fake.hook_url("c")),
        ))
        .await;
    assert_eq!(by_member.status, 200);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM proposals WHERE status = 'open'")
            .await,
        1
    );
    app.post_interaction(&button(
        LEAD,
        "proposal_decline",
        "1",
        On::Message(&app.fake.hook_url("c")),
    ))
    .await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM proposals WHERE status = 'declined'")
            .await,
        1
    );
    assert_eq!(goal_count(&app).await, 0);
    let again = app
        .post_interaction(&button(
            LEAD,
            "proposal_support",
            "1",
            On::Message(&app.fake.hook_url("c")),
        ))
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM proposal_supports").await,
        0,
        "a decided proposal takes no support"
    );
}

#[tokio::test]
async fn admins_add_and_edit_teams_and_pick_people_in_a_form() {
    let app = spawn_app().await;
    let added = app
        .post_command(
            "/align",
            "team add pharmacy Pharmacy channel:<#C0PHARM|pharmacy>",
            ADMIN,
        )
        .await;
    assert!(added.text().contains("Added the team"), "{}", added.body);
    let edited = app
        .post_command(
            "/align",
            "team edit pharmacy name:\"Pharmacy & Labs\"",
            ADMIN,
        )
        .await;
    assert!(
        edited.text().contains("Pharmacy &amp; Labs"),
        "escaped: {}",
        edited.body
    );
    app.post_command("/align", "team leaders pharmacy", ADMIN)
        .await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "team_people");
    let mut pick = submission(
        ADMIN,
        "team_people",
        json!({"team": "pharmacy", "leaders": true}),
        &Form::default(),
    );
    pick["view"]["state"]["values"] = json!({"team_people": {"team_people": {"type": "multi_users_select", "selected_users": ["U0PHARM1", "U0PHARM2"]}}});
    let done = app.post_interaction(&pick).await.json();
    assert_eq!(done["response_action"], "update", "{done}");
    let leaders = app
        .ctx
        .directory()
        .team(&alignbot::domain::TeamKey::parse("pharmacy").unwrap())
        .unwrap()
        .leaders
        .clone();
    assert_eq!(leaders.len(), 2);
    let goal = app
        .post_command(
            "/goal",
            "add Fewer stock-outs pillar:patient-care team:pharmacy",
            "U0PHARM1",
        )
        .await;
    assert!(
        goal.text().contains("Added goal"),
        "a new leader can add goals: {}",
        goal.body
    );
    let history = app.post_command("/align", "history", NURSE).await;
    assert!(history.text().contains("team:pharmacy"), "{}", history.body);
}
