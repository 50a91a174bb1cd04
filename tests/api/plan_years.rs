//! Plan years: `year:` on the goal commands and the report, next year's
//! goal-setting opening in October (the default), and a July plan year.

use crate::helpers::*;

const LEAD: &str = "U0LEAD1";

/// The test organization with `org_lines` instead of the tests' December
/// opening (the defaults apply when it is empty).
fn config(org_lines: &str) -> String {
    let config = CONFIG.trim_start();
    assert!(config.contains("next_year_opens = \"December\""));
    config.replace("next_year_opens = \"December\"", org_lines)
}

async fn goal_years(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT title, plan_year FROM goals ORDER BY id")
        .fetch_all(app.ctx.store.reads())
        .await
        .unwrap()
}

#[tokio::test]
async fn in_november_new_goals_and_the_kickoff_are_for_next_year_and_say_so() {
    // 16 November 2026, goal-setting for 2027 open since 1 October.
    let app = spawn_app_at(&config(""), start_time()).await;
    let added = app
        .post_command("/goal", "add Cut ER waits pillar:patient-care due:Q2", LEAD)
        .await;
    assert!(added.text().contains("Added goal #1"), "{}", added.body);
    assert!(
        added.text().contains("It is for 2027") && added.text().contains("`year:2026`"),
        "the reply says the goal went to next year and how to choose this one: {}",
        added.body
    );
    let this_year = app
        .post_command(
            "/goal",
            "add Finish the 2026 audit pillar:patient-care year:2026",
            LEAD,
        )
        .await;
    assert!(
        this_year.text().contains("Added goal #2"),
        "{}",
        this_year.body
    );
    assert!(
        !this_year.text().contains("It is for"),
        "{}",
        this_year.body
    );
    assert_eq!(
        goal_years(&app).await,
        vec![
            ("Cut ER waits".to_owned(), 2027),
            ("Finish the 2026 audit".to_owned(), 2026)
        ]
    );
    let due: String = sqlx::query_scalar("SELECT due_date FROM goals WHERE id = 1")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(due, "2027-06-30", "Q2 is read within the goal's year");

    let proposed = app
        .post_command("/goal", "propose Quieter nights pillar:our-people", NURSE)
        .await;
    assert!(
        proposed.text().contains("It is for 2027"),
        "{}",
        proposed.body
    );
    let proposal_year: i64 = app.scalar("SELECT plan_year FROM proposals").await;
    assert_eq!(proposal_year, 2027);
    let proposal_post = &app.sent("chat.postMessage", 1).await[0];
    assert!(
        blocks_text(&proposal_post.body).contains("Quieter nights"),
        "{}",
        proposal_post.body
    );

    let kickoff = app
        .post_command("/align", "goals kickoff team:nursing", LEAD)
        .await;
    assert!(
        kickoff.text().contains("The 2027 goal-setting kick-off")
            && kickoff.text().contains("it is for next year"),
        "{}",
        kickoff.body
    );
    app.advance(2); // the channel's pace: one post a second
    let kickoff_post = &app.sent("chat.postMessage", 2).await[1];
    let text = blocks_text(&kickoff_post.body);
    assert!(text.contains("let's set our 2027 goals"), "{text}");
    assert!(text.contains("Last year's goals (2026)"), "{text}");
    assert!(text.contains("Finish the 2026 audit"), "{text}");
}

#[tokio::test]
async fn lists_and_the_report_show_the_current_year_with_next_years_plan_beside_it() {
    let app = spawn_app_at(&config(""), start_time()).await;
    for text in [
        "add Cut ER waits pillar:patient-care year:2026",
        "add Hire ten nurses pillar:our-people year:2027",
        "add Open the new wing pillar:patient-care year:2027",
    ] {
        let reply = app.post_command("/goal", text, LEAD).await;
        assert!(reply.text().contains("Added goal"), "{}", reply.body);
    }
    let list = app.post_command("/goal", "list all", LEAD).await;
    assert!(
        list.text().contains("Cut ER waits") && !list.text().contains("Hire ten nurses"),
        "the list shows the current year: {}",
        list.body
    );
    assert!(list.text().contains("· 2026"), "{}", list.body);
    let next = app.post_command("/goal", "list all year:2027", LEAD).await;
    assert!(
        next.text().contains("Hire ten nurses")
            && next.text().contains("Open the new wing")
            && !next.text().contains("Cut ER waits"),
        "{}",
        next.body
    );

    let status = app.post_command("/align", "status", LEAD).await;
    let text = blocks_text(&status.json());
    assert!(text.contains("plan year 2026"), "{text}");
    assert!(
        text.contains("Next year's plan (2027)") && text.contains("2 goals so far"),
        "{text}"
    );
    let of_next = app.post_command("/align", "status year:2027", LEAD).await;
    let text = blocks_text(&of_next.json());
    assert!(text.contains("plan year 2027"), "{text}");
    assert!(!text.contains("Next year's plan"), "{text}");
}

#[tokio::test]
async fn a_bad_year_is_explained_and_changes_nothing() {
    let app = spawn_app_at(&config(""), start_time()).await;
    let cases = [
        ("/goal", "add Cut waits pillar:patient-care year:27"),
        ("/goal", "list all year:next"),
        ("/align", "status year:nursing"),
        ("/align", "goals kickoff team:nursing year:2026/28"),
    ];
    for (command, text) in cases {
        let reply = app.post_command(command, text, LEAD).await;
        assert_eq!(reply.status, 200);
        assert!(
            reply.text().contains("is not a plan year") && reply.text().contains("like 2027"),
            "{command} {text}: {}",
            reply.body
        );
    }
    let typo = app.post_command("/align", "status nursing", LEAD).await;
    assert!(typo.text().contains("`year:<yyyy>`"), "{}", typo.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM goals").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM outbox").await,
        0,
        "nothing was queued"
    );
}

#[tokio::test]
async fn a_july_plan_year_is_named_2026_27_and_opens_in_april() {
    let app = spawn_app_at(
        &config("plan_year_start = \"July\"\nnext_year_opens = 4"),
        start_time(),
    )
    .await;
    // 16 November 2026 lies in the plan year July 2026 – June 2027.
    let added = app
        .post_command("/goal", "add Cut ER waits pillar:patient-care", LEAD)
        .await;
    assert!(added.text().contains("Added goal #1"), "{}", added.body);
    assert!(!added.text().contains("It is for"), "{}", added.body);
    let typed = app
        .post_command(
            "/goal",
            "add Open the new wing pillar:patient-care year:2027/28",
            LEAD,
        )
        .await;
    assert!(typed.text().contains("Added goal #2"), "{}", typed.body);
    assert_eq!(
        goal_years(&app).await,
        vec![
            ("Cut ER waits".to_owned(), 2027),
            ("Open the new wing".to_owned(), 2028)
        ]
    );
    let status = app.post_command("/align", "status", LEAD).await;
    let text = blocks_text(&status.json());
    assert!(text.contains("plan year 2026/27"), "{text}");
    assert!(text.contains("Next year's plan (2027/28)"), "{text}");
}

#[tokio::test]
async fn an_admin_shares_the_report_in_the_leadership_channel_and_nobody_else_can() {
    let app = spawn_app().await;
    app.post_command("/goal", "add Cut ER waits pillar:patient-care", LEAD)
        .await;
    app.settle().await;
    let admin = app.post_command("/align", "status", ADMIN).await;
    assert!(
        admin.text().contains("report_share") && admin.text().contains("C0LEADERS:2026"),
        "{}",
        admin.body
    );
    let leader = app.post_command("/align", "status", LEAD).await;
    assert!(!leader.text().contains("report_share"), "{}", leader.body);

    let posts = app.fake.calls_to("chat.postMessage").len();
    let hooks = app.fake.calls_to("hook").len();
    let press = |user: &str, value: &str, hook: &str| {
        button(
            user,
            "report_share",
            value,
            On::Message(&app.fake.hook_url(hook)),
        )
    };
    app.post_interaction(&press(LEAD, "C0LEADERS:2026", "lead"))
        .await;
    app.post_interaction(&press(ADMIN, "C0NURSING:2026", "forged"))
        .await;
    let told = app.sent("hook", hooks + 2).await;
    let answers = format!("{:?}", &told[hooks..]);
    assert!(
        answers.contains("Only admins and executives share"),
        "{answers}"
    );
    assert!(
        answers.contains("only in the leadership channel"),
        "{answers}"
    );
    assert_eq!(
        app.fake.calls_to("chat.postMessage").len(),
        posts,
        "nothing was posted for a refused share"
    );

    app.post_interaction(&press(ADMIN, "C0LEADERS:2026", "admin"))
        .await;
    let post = &app.sent("chat.postMessage", posts + 1).await[posts];
    assert_eq!(post.body["channel"], LEADERS);
    let text = blocks_text(&post.body);
    assert!(
        text.contains("Alignment report")
            && text.contains("Shared by <@U0ADMIN>")
            && text.contains("plan year 2026")
            && text.contains("Patient care"),
        "{text}"
    );
    let told = app.sent("hook", hooks + 3).await;
    assert!(
        told[hooks + 2]
            .body
            .to_string()
            .contains("of 2026 is on its way to <#C0LEADERS>"),
        "{:?}",
        told[hooks + 2].body
    );
}

#[tokio::test]
async fn the_home_tab_shows_this_year_with_next_years_goals_beside_it() {
    let app = spawn_app_at(&config(""), start_time()).await;
    app.post_command(
        "/goal",
        "add Cut ER waits pillar:patient-care year:2026",
        LEAD,
    )
    .await;
    app.post_command("/goal", "add Open the new wing pillar:patient-care", LEAD)
        .await;
    app.settle().await;
    let before = app.fake.calls_to("views.publish").len();
    let event = serde_json::json!({
        "type": "event_callback", "team_id": "T0TEAM", "api_app_id": "A0APP", "event_id": "Ev0HOMEY",
        "event_time": 1, "event": {"type": "app_home_opened", "user": LEAD, "channel": "D0LEAD", "tab": "home"}
    });
    app.post_event(&event).await;
    let publish = app.sent("views.publish", before + 1).await;
    let view = publish[before].body["view"].to_string();
    assert!(view.contains("Your goals · 2026"), "{view}");
    assert!(view.contains("Cut ER waits"), "{view}");
    assert!(
        !view.contains("Open the new wing"),
        "next year's goal is not in this year's list: {view}"
    );
    assert!(
        view.contains("Next year's plan (2027): you own 1 goal so far")
            && view.contains("/goal list mine year:2027"),
        "{view}"
    );
}
