//! `alignbot export` and `alignbot import goals`, through the library
//! functions the commands call, on data made through the real endpoints.

use crate::helpers::*;
use alignbot::app::export::{ExportRequest, export};
use alignbot::app::import::{ImportError, import_goals};
use alignbot::domain::PersonId;
use alignbot::export::Format;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

const LEAD: &str = "U0LEAD1";
/// Every character that needs CSV quoting, plus unicode and a formula start.
const TITLE: &str = "=Cut \"ER\" waits, fast ünïcödé 🚑";

fn request(format: Format, out: &Path, year: Option<i32>) -> ExportRequest {
    ExportRequest {
        format,
        out: out.to_owned(),
        year,
        force: false,
    }
}

/// A CSV file as one map per row (column → cell).
fn read_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    let header = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

fn read_json(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str::<Value>(&text)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn person(id: &str) -> PersonId {
    PersonId::parse(id).unwrap()
}

async fn react(app: &TestApp, n: usize, who: &str, ts: &str) {
    let mut e: Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/tests/fixtures/slack/events/reaction_added.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
    .unwrap();
    e["event_id"] = json!(format!("Ev0EXP{n}"));
    // Sent to our app in the test workspace (others are ignored).
    e["team_id"] = json!(crate::fake_slack::TEAM);
    e["api_app_id"] = json!(crate::fake_slack::APP);
    e["event"]["user"] = json!(who);
    e["event"]["item"]["channel"] = json!(MOMENTS);
    e["event"]["item"]["ts"] = json!(ts);
    assert_eq!(app.post_event(&e).await.status, 200);
}

/// Goals, a check-in, a closed goal, a moment with reactions and a
/// recognition, and published priorities, all made in Slack.
pub(crate) async fn organization_at_work(app: &TestApp) {
    for (text, who) in [
        (
            format!("add {TITLE} pillar:patient-care start:45min target:30min due:Q2"),
            LEAD,
        ),
        (
            "add +Staff survey answered pillar:our-people target:100%".to_owned(),
            ADMIN,
        ),
        (
            "add @Open the new clinic pillar:our-people year:2027".to_owned(),
            ADMIN,
        ),
    ] {
        let reply = app.post_command("/goal", &text, who).await;
        assert!(reply.text().contains("Added goal"), "{}", reply.body);
    }
    app.post_command("/goal", "update 1 40min at-risk -2 nurses, \"flu\"", LEAD)
        .await;
    app.post_command("/goal", "close 2 achieved Done, early", ADMIN)
        .await;
    app.post_command(
        "/priorities",
        "publish Hire 2 nurses; -Fix the rota, again",
        LEAD,
    )
    .await;
    app.settle().await;
    app.advance(1);
    let form = Form {
        story: "A patient said:\n\"=thank you\", twice.",
        pillar: Some("patient-care"),
        recognized: &[NURSE2],
        ..Form::default()
    };
    app.post_interaction(&submission(NURSE, "moment_share", json!({}), &form))
        .await;
    app.settle().await;
    let ts: String = sqlx::query_scalar("SELECT ts FROM moments WHERE status = 'shared'")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    for (n, who) in [ADMIN, NURSE2].iter().enumerate() {
        react(app, n, who, &ts).await;
    }
}

#[tokio::test]
pub(crate) async fn an_export_holds_what_was_done_in_slack_exactly_and_json_agrees_with_csv() {
    let app = spawn_app().await;
    organization_at_work(&app).await;
    let dir = tempfile::tempdir().unwrap();
    let csv_summary = export(&app.ctx, &request(Format::Csv, dir.path(), None))
        .await
        .unwrap();
    let counts: Vec<u64> = csv_summary.files.iter().map(|(_, n)| *n).collect();
    assert_eq!(counts, [2, 1, 3, 1, 2, 1], "{csv_summary:?}");

    let goals = read_csv(&dir.path().join("goals.csv"));
    // In CSV, text that a spreadsheet would run as a formula is marked.
    assert_eq!(goals[0]["title"], format!("'{TITLE}"));
    assert_eq!(goals[1]["title"], "'+Staff survey answered");
    assert_eq!(goals[2]["title"], "'@Open the new clinic");
    let g = &goals[0];
    assert_eq!(
        [
            &g["id"],
            &g["year"],
            &g["pillar"],
            &g["team"],
            &g["owner"],
            &g["kind"],
            &g["start"],
            &g["target"],
            &g["unit"],
            &g["current"],
            &g["confidence"],
            &g["status"],
            &g["due"]
        ],
        [
            "1",
            "2026",
            "patient-care",
            "nursing",
            LEAD,
            "numeric",
            "45",
            "30",
            "min",
            "40",
            "at-risk",
            "active",
            "2026-06-30"
        ]
    );
    assert_eq!(g["progress_percent"], "33.3");
    assert_eq!(g["closed_at"], "");
    assert_eq!(
        (&goals[1]["kind"][..], &goals[1]["status"][..]),
        ("percent", "achieved")
    );
    assert_eq!(goals[1]["closed_note"], "Done, early");
    assert!(goals[1]["closed_at"].ends_with('Z'), "{:?}", goals[1]);
    assert_eq!(
        (
            &goals[2]["kind"][..],
            &goals[2]["year"][..],
            &goals[2]["team"][..]
        ),
        ("milestone", "2027", "")
    );

    let check_ins = read_csv(&dir.path().join("check_ins.csv"));
    assert_eq!(check_ins[0]["value"], "40");
    assert_eq!(check_ins[0]["note"], "'-2 nurses, \"flu\"");
    assert_eq!(check_ins[0]["at"], "2026-11-16T15:00:00.000Z");

    let priorities = read_csv(&dir.path().join("priorities.csv"));
    let items: Vec<(&str, &str, &str)> = priorities
        .iter()
        .map(|p| (&p["month"][..], &p["position"][..], &p["text"][..]))
        .collect();
    assert_eq!(
        items,
        [
            ("2026-11", "1", "Hire 2 nurses"),
            ("2026-11", "2", "'-Fix the rota, again")
        ]
    );

    let moments = read_csv(&dir.path().join("moments.csv"));
    assert_eq!(
        moments[0]["story"],
        "A patient said:\n\"=thank you\", twice."
    );
    assert_eq!(moments[0]["reaction_count"], "2");
    assert_eq!(moments[0]["recognized"], NURSE2);
    assert_eq!(moments[0]["visibility"], "channel");
    assert_eq!(moments[0]["channel"], MOMENTS);

    // JSON: the same rows, text exactly as written (nothing to guard).
    export(&app.ctx, &request(Format::Json, dir.path(), None))
        .await
        .unwrap();
    let json_goals = read_json(&dir.path().join("goals.json"));
    assert_eq!(json_goals.len(), 3);
    assert_eq!(json_goals[0]["title"], TITLE);
    assert_eq!(json_goals[0]["start"], 45);
    assert_eq!(json_goals[0]["team"], "nursing");
    assert_eq!(json_goals[2]["team"], Value::Null);
    for (csv_row, json_row) in goals.iter().zip(&json_goals) {
        for column in [
            "id",
            "pillar",
            "owner",
            "kind",
            "status",
            "created_at",
            "due",
        ] {
            let json_text = match &json_row[column] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            assert_eq!(csv_row[column], json_text, "{column}");
        }
    }
    assert_eq!(
        read_json(&dir.path().join("check_ins.json"))[0]["note"],
        "-2 nurses, \"flu\""
    );
    let json_moments = read_json(&dir.path().join("moments.json"));
    assert_eq!(
        json_moments[0]["story"],
        "A patient said:\n\"=thank you\", twice."
    );
    assert_eq!(json_moments[0]["reaction_count"], 2);
    assert_eq!(read_json(&dir.path().join("pillars.json")).len(), 2);
}

#[tokio::test]
pub(crate) async fn exported_goals_import_into_a_fresh_database_as_the_same_goals() {
    let app = spawn_app().await;
    organization_at_work(&app).await;
    let dir = tempfile::tempdir().unwrap();
    export(&app.ctx, &request(Format::Csv, dir.path(), None))
        .await
        .unwrap();
    let fresh = spawn_app().await;
    let file = std::fs::File::open(dir.path().join("goals.csv")).unwrap();
    let summary = import_goals(&fresh.ctx, person(ADMIN), "goals.csv", file)
        .await
        .unwrap();
    assert_eq!(
        summary.ids.iter().map(|g| g.0).collect::<Vec<_>>(),
        [1, 2, 3]
    );

    type Definition = (
        String,
        String,
        Option<String>,
        String,
        i64,
        String,
        Option<String>,
    );
    let definitions = |app: &TestApp| {
        let pool = app.ctx.store.reads().clone();
        async move {
            sqlx::query_as::<_, Definition>(
                "SELECT title, pillar_key, team_key, owner, plan_year, kind, due_date FROM goals ORDER BY id",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let (before, after) = (definitions(&app).await, definitions(&fresh).await);
    assert_eq!(
        after, before,
        "the same titles, pillars, teams, owners, measures and dates"
    );
    assert_eq!(after[0].0, TITLE);
    // New goals: active, no check-ins; each `add` recorded against --as.
    assert_eq!(
        fresh
            .scalar("SELECT COUNT(*) FROM goals WHERE status = 'active' AND current_value IS NULL")
            .await,
        3
    );
    assert_eq!(
        fresh
            .scalar("SELECT COUNT(*) FROM plan_changes WHERE action = 'add' AND actor = 'U0ADMIN' AND detail LIKE '%goals.csv line %'")
            .await,
        3
    );
    // Nothing is posted in Slack: only the owners' Home tabs are refreshed.
    fresh.settle().await;
    assert!(fresh.fake.calls_to("chat.postMessage").is_empty());
}

#[tokio::test]
async fn year_filters_goals_check_ins_priorities_and_moments_but_not_pillars_or_teams() {
    let app = spawn_app().await;
    organization_at_work(&app).await;
    app.post_command("/goal", "update 3 done", ADMIN).await;
    app.settle().await;
    for (year, goals, check_ins, priorities, moments) in
        [(2026, 2, 1, 2, 1), (2027, 1, 1, 0, 0), (2025, 0, 0, 0, 0)]
    {
        let dir = tempfile::tempdir().unwrap();
        let summary = export(&app.ctx, &request(Format::Json, dir.path(), Some(year)))
            .await
            .unwrap();
        let counts: Vec<u64> = summary.files.iter().map(|(_, n)| *n).collect();
        assert_eq!(
            counts,
            [2, 1, goals, check_ins, priorities, moments],
            "{year}"
        );
        let exported = read_json(&dir.path().join("goals.json"));
        assert!(exported.iter().all(|g| g["year"] == year), "{year}");
        let goal_ids: Vec<&Value> = exported.iter().map(|g| &g["id"]).collect();
        for c in read_json(&dir.path().join("check_ins.json")) {
            assert!(goal_ids.contains(&&c["goal_id"]), "{year}: {c}");
        }
    }
}

#[tokio::test]
async fn an_export_never_overwrites_files_unless_forced() {
    let app = spawn_app().await;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new").join("dir");
    export(&app.ctx, &request(Format::Csv, &out, None))
        .await
        .unwrap();
    std::fs::write(out.join("goals.csv"), "keep me").unwrap();
    let err = export(&app.ctx, &request(Format::Csv, &out, None))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("goals.csv"), "{err}");
    assert_eq!(
        std::fs::read_to_string(out.join("goals.csv")).unwrap(),
        "keep me"
    );
    let forced = ExportRequest {
        force: true,
        ..request(Format::Csv, &out, None)
    };
    export(&app.ctx, &forced).await.unwrap();
    assert!(
        std::fs::read_to_string(out.join("goals.csv"))
            .unwrap()
            .starts_with("id,year,title,")
    );
    let leftovers = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .to_string_lossy()
                .ends_with(".partial")
        })
        .count();
    assert_eq!(leftovers, 0);
}

async fn rows_written(app: &TestApp) -> (i64, i64, i64) {
    (
        app.scalar("SELECT COUNT(*) FROM goals").await,
        app.scalar("SELECT COUNT(*) FROM plan_changes").await,
        app.scalar("SELECT COUNT(*) FROM outbox").await,
    )
}

async fn problems(app: &TestApp, actor: &str, text: &str) -> Vec<(u64, String)> {
    match import_goals(&app.ctx, person(actor), "goals.csv", text.as_bytes()).await {
        Err(ImportError::Invalid { errors }) => {
            errors.into_iter().map(|e| (e.line, e.message)).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    }
}

#[tokio::test]
async fn an_import_with_bad_rows_reports_each_by_its_line_and_writes_nothing() {
    let app = spawn_app().await;
    let before = rows_written(&app).await;
    // Line 3 holds a note over two lines (an ignored column), so the rows
    // after it start one line later than their record number suggests.
    let file = "title,pillar,target,owner,team,closed_note\n\
                Good one,patient-care,30min,,,\n\
                Also good,our-people,,U0NURSE1,nursing,\"first line\nsecond line\"\n\
                Bad pillar,nope,,,,\n\
                Bad target,patient-care,abc,,,\n\
                Bad owner,patient-care,,bob,,\n\
                Bad team,patient-care,,,icu,\n\
                ,patient-care,,,,\n\
                Too,few\n";
    let found = problems(&app, ADMIN, file).await;
    let lines: Vec<u64> = found.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [5, 6, 7, 8, 9, 10], "{found:#?}");
    assert!(
        found[0]
            .1
            .contains("There is no pillar `nope`. Pick one of: patient-care, our-people")
    );
    assert!(
        found[1].1.contains("`abc` is not a number"),
        "{}",
        found[1].1
    );
    assert!(
        found[2].1.contains("owner: `bob` is not a valid person id"),
        "{}",
        found[2].1
    );
    assert!(
        found[3].1.contains("There is no team `icu`"),
        "{}",
        found[3].1
    );
    assert!(found[4].1.contains("title is empty"), "{}", found[4].1);
    assert!(found[5].1.contains("2 fields"), "{}", found[5].1);
    assert_eq!(rows_written(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn a_leader_imports_only_for_their_own_team() {
    let pharmacy = "[[teams]]\nkey = \"pharmacy\"\nname = \"Pharmacy\"\nchannel = \"C0PHARMACY\"\nleaders = [\"U0LEAD2\"]\n";
    let app = spawn_app_at(pharmacy, start_time()).await;
    let before = rows_written(&app).await;
    let file = "title,pillar,team\nOurs,patient-care,nursing\nTheirs,patient-care,pharmacy\n";
    let found = problems(&app, LEAD, file).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, 3);
    assert!(
        found[0]
            .1
            .contains("may not add goals for the team pharmacy"),
        "{found:?}"
    );
    assert_eq!(rows_written(&app).await, before);
    let file = "title,pillar\nOurs,patient-care\n";
    import_goals(&app.ctx, person(LEAD), "goals.csv", file.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM goals WHERE team_key = 'nursing' AND owner = 'U0LEAD1'")
            .await,
        1,
        "like /goal add: the leader's own team, owned by them"
    );
}

#[tokio::test]
async fn the_header_must_name_known_columns_and_the_file_must_hold_goals() {
    let app = spawn_app().await;
    let before = rows_written(&app).await;
    for (file, expected) in [
        ("", "the file is empty"),
        ("\n", "the file is empty"),
        (
            "title,pillar,colour,size\nA,patient-care,red,3\n",
            "unknown column(s) \"colour\", \"size\"",
        ),
        (
            "title,owner\nA,U0ADMIN\n",
            "required column(s) pillar are missing",
        ),
        (
            "title,pillar,title\nA,patient-care,B\n",
            "\"title\" appears twice",
        ),
        ("title,pillar\n", "a header but no goals"),
    ] {
        let found = problems(&app, ADMIN, file).await;
        assert_eq!(found.len(), 1, "{file:?}: {found:?}");
        assert!(found[0].1.contains(expected), "{file:?}: {found:?}");
    }
    // Not valid UTF-8 (Latin-1 "é"): the line is named.
    let latin1 = b"title,pillar\nOk,patient-care\nCaf\xe9,patient-care\n";
    match import_goals(&app.ctx, person(ADMIN), "goals.csv", &latin1[..]).await {
        Err(ImportError::Invalid { errors }) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].line, 3);
            assert!(errors[0].message.contains("UTF-8"), "{}", errors[0]);
        }
        other => panic!("{other:?}"),
    }
    // Someone who may not add goals at all is refused before the file is read.
    assert!(matches!(
        import_goals(
            &app.ctx,
            person(NURSE),
            "goals.csv",
            &b"title,pillar\nA,patient-care\n"[..]
        )
        .await,
        Err(ImportError::NotAllowed(_))
    ));
    assert_eq!(rows_written(&app).await, before);
}

#[tokio::test]
async fn an_import_takes_a_spreadsheets_bom_and_guarded_cells_and_creates_every_goal_at_once() {
    let app = spawn_app().await;
    let file = "\u{feff}Title,Pillar,Start,Target,Unit,Due,Year,Kind,Owner\n\
                '=Cut waits,patient-care,45,30,min,Q2,2027,numeric,U0NURSE1\n\
                Survey,our-people,,100,%,,,percent,\n\
                Open clinic,our-people,,,,2027-03,2027,,\n";
    let summary = import_goals(&app.ctx, person(ADMIN), "goals.csv", file.as_bytes())
        .await
        .unwrap();
    assert_eq!(summary.ids.len(), 3);
    let rows: Vec<(String, String, i64, Option<String>, String)> =
        sqlx::query_as("SELECT title, owner, plan_year, due_date, kind FROM goals ORDER BY id")
            .fetch_all(app.ctx.store.reads())
            .await
            .unwrap();
    assert_eq!(rows[0].0, "=Cut waits");
    assert_eq!((rows[0].1.as_str(), rows[0].2), (NURSE, 2027));
    assert_eq!(rows[0].3.as_deref(), Some("2027-06-30"));
    assert_eq!(rows[1].1, ADMIN, "owner defaults to --as");
    assert_eq!(rows[1].2, 2026, "year defaults to this plan year");
    assert_eq!(rows[1].4, "\"percent\"");
    assert_eq!(rows[2].3.as_deref(), Some("2027-03-31"));

    // A kind that disagrees with the measure is a problem, not a guess.
    let found = problems(
        &app,
        ADMIN,
        "title,pillar,target,kind\nX,patient-care,30min,percent\n",
    )
    .await;
    assert_eq!(found[0].0, 2);
    assert!(found[0].1.contains("make a numeric goal"), "{found:?}");
}

#[tokio::test]
async fn a_priority_carries_its_goal_and_how_the_next_month_reviewed_it() {
    let app = spawn_app().await;
    app.post_command(
        "/goal",
        "add Cut waits pillar:patient-care start:45min target:30min",
        LEAD,
    )
    .await;
    app.post_command("/priorities", "publish Old one; Old two; Old three", LEAD)
        .await;
    app.settle().await;
    app.advance(20 * 24 * 3600); // December
    app.post_command("/priorities", "publish", LEAD).await;
    app.sent("views.open", 1).await;
    let mut submit = submission(
        LEAD,
        "priorities_publish",
        json!({"team": "nursing", "leaders": true}),
        &Form::default(),
    );
    let option = |v: &str| json!({"text": {"type": "plain_text", "text": "x"}, "value": v});
    submit["view"]["state"]["values"] = json!({
        "priority_review_1": {"priority_review_1": {"type": "static_select", "selected_option": option("done")}},
        "priority_review_3": {"priority_review_3": {"type": "static_select", "selected_option": option("dropped")}},
        "priority_1": {"priority_1": {"type": "plain_text_input", "value": "Triage pilot"}},
        "priority_goal_1": {"priority_goal_1": {"type": "static_select", "selected_option": option("1")}},
    });
    app.post_interaction(&submit).await;
    app.settle().await;

    let dir = tempfile::tempdir().unwrap();
    export(&app.ctx, &request(Format::Csv, dir.path(), Some(2026)))
        .await
        .unwrap();
    let rows: Vec<[String; 4]> = read_csv(&dir.path().join("priorities.csv"))
        .into_iter()
        .map(|r| ["month", "text", "goal_id", "review"].map(|c| r[c].clone()))
        .collect();
    assert_eq!(
        rows,
        [
            ["2026-11", "Old one", "", "done"],
            ["2026-11", "Old two", "", ""],
            ["2026-11", "Old three", "", "dropped"],
            ["2026-12", "Triage pilot", "1", ""],
        ]
        .map(|r| r.map(str::to_owned))
    );
}
