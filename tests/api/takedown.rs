//! Taking a story down: by its author or an admin, from the post's message
//! shortcut, the Home tab or `/moment remove <link or id>`. The post is
//! deleted, the story erased (a history row keeps who and when), every
//! Home and the digests not yet sent lose it, and a digest already sent
//! that quoted it is named to the admins to delete by hand.

use crate::edit_delete::shared;
use crate::helpers::*;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::scheduler::schedule::Month;
use serde_json::{Value, json};

/// A real `app_home_opened` event from our workspace, for `user`.
fn home_opened(event_id: &str, user: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/slack/events/app_home_opened.home_tab.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut e: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    e["team_id"] = json!(crate::fake_slack::TEAM);
    e["api_app_id"] = json!(crate::fake_slack::APP);
    e["event_id"] = json!(event_id);
    e["event"]["user"] = json!(user);
    e
}

fn link(ts: &str) -> String {
    format!(
        "https://riverside.slack.com/archives/{MOMENTS}/p{}",
        ts.replace('.', "")
    )
}

/// A moment by the nurse, posted; returns (id, ts).
async fn posted(app: &TestApp) -> (i64, String) {
    shared(
        app,
        NURSE,
        "Priya stayed two hours after her shift to sing.",
    )
    .await
}

async fn story_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar::<_, String>("SELECT story FROM moments WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_admin_takes_a_moment_down_by_its_link_and_it_is_gone_everywhere() {
    let app = spawn_app().await;
    let (id, ts) = posted(&app).await;
    let before = story_of(&app, id).await;

    let reply = app
        .post_command("/moment", &format!("remove <{}>", link(&ts)), ADMIN)
        .await;
    assert!(reply.text().contains("is taken down"), "{}", reply.body);
    assert!(reply.text().contains("Backups and exports made before"));

    let delete = &app.sent("chat.delete", 1).await[0];
    assert_eq!(delete.body["channel"], MOMENTS);
    assert_eq!(delete.body["ts"], ts.as_str());
    assert_eq!(story_of(&app, id).await, "", "the story is erased");
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moment_removals WHERE removed_by = 'U0ADMIN' AND author = 'U0NURSE1'")
            .await,
        1,
        "the history keeps who removed it"
    );
    // Every Home that listed it among the latest moments is published again,
    // without it.
    let homes = app.fake.calls_to("views.publish");
    let people: std::collections::BTreeSet<String> = homes
        .iter()
        .map(|c| c.body["user_id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        people.into_iter().collect::<Vec<_>>(),
        ["U0ADMIN", "U0LEAD1", "U0NURSE1", "U0NURSE2"]
    );
    for home in &homes {
        assert!(!home.body.to_string().contains(&before), "{}", home.body);
    }
    // A digest sent afterwards does not quote it.
    app.advance(2);
    let month = Month::containing(
        alignbot::clock::Clock::now(&app.clock),
        chrono_tz::America::New_York,
    );
    jobs::run(&app.ctx, Job::MonthlyDigest, month, Trigger::Manual)
        .await
        .unwrap();
    app.drain().await;
    let digest = app
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .find(|c| c.body["channel"] == MOMENTS && c.body.to_string().contains("Mission moments of"))
        .expect("the moments digest");
    assert!(
        !digest.body.to_string().contains(&before),
        "{}",
        digest.body
    );
    assert!(
        !app.fake
            .calls_to("chat.postMessage")
            .iter()
            .any(|c| c.body["channel"] == ADMIN),
        "no digest had quoted it: nothing for the admins to delete"
    );
}

#[tokio::test]
async fn the_author_takes_down_by_id_and_others_are_refused_with_nothing_changed() {
    let app = spawn_app().await;
    let (id, _) = posted(&app).await;

    let refused = app
        .post_command("/moment", &format!("remove {id}"), NURSE2)
        .await;
    assert!(
        refused
            .text()
            .contains("Only the person who shared this moment, or an admin"),
        "{}",
        refused.body
    );
    app.settle().await;
    assert!(app.fake.calls_to("chat.delete").is_empty());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moment_removals").await, 0);
    assert_ne!(story_of(&app, id).await, "");

    let done = app
        .post_command("/moment", &format!("remove #{id}"), NURSE)
        .await;
    assert!(done.text().contains("is taken down"), "{}", done.body);
    app.sent("chat.delete", 1).await;
    let again = app
        .post_command("/moment", &format!("remove {id}"), NURSE)
        .await;
    assert!(
        again.text().contains("already taken down"),
        "{}",
        again.body
    );
    app.settle().await;
    assert_eq!(app.fake.calls_to("chat.delete").len(), 1);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moment_removals").await, 1);
}

#[tokio::test]
async fn remove_without_a_readable_moment_says_what_to_type() {
    let app = spawn_app().await;
    posted(&app).await;
    for text in ["remove", "remove twelve", "remove https://x.test/a"] {
        let reply = app.post_command("/moment", text, ADMIN).await;
        assert!(
            reply.text().contains("/moment remove") && reply.text().contains("link"),
            "{text}: {}",
            reply.body
        );
    }
    let unknown = app
        .post_command(
            "/moment",
            "remove https://riverside.slack.com/archives/C0MOMENTS/p1111111111000001",
            ADMIN,
        )
        .await;
    assert!(
        unknown
            .text()
            .contains("not a mission moment posted by alignbot"),
        "{}",
        unknown.body
    );
    app.settle().await;
    assert!(app.fake.calls_to("chat.delete").is_empty());
    assert_eq!(app.scalar("SELECT COUNT(*) FROM moment_removals").await, 0);
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'shared'")
            .await,
        1
    );
}

#[tokio::test]
async fn the_message_shortcut_asks_first_then_takes_the_moment_down() {
    let app = spawn_app().await;
    let (id, ts) = posted(&app).await;

    // Someone else: told why, below the post; nothing opens.
    let hook = app.fake.hook_url("shortcut/remove");
    app.post_interaction(&message_shortcut(
        "remove_moment",
        NURSE2,
        MOMENTS,
        &ts,
        "x",
        "U0BOT",
        &hook,
    ))
    .await;
    let answer = &app.sent("hook", 1).await[0];
    assert!(
        answer.body["text"]
            .as_str()
            .unwrap()
            .contains("or an admin"),
        "{}",
        answer.body
    );
    assert!(app.fake.calls_to("views.open").is_empty());

    app.post_interaction(&message_shortcut(
        "remove_moment",
        ADMIN,
        MOMENTS,
        &ts,
        "x",
        "U0BOT",
        &hook,
    ))
    .await;
    let open = &app.sent("views.open", 1).await[0];
    assert_eq!(open.body["view"]["callback_id"], "moment_remove");
    assert!(
        open.body["view"]
            .to_string()
            .contains("Priya stayed two hours")
    );
    assert!(app.fake.calls_to("chat.delete").is_empty(), "asks first");

    let reply = app
        .post_interaction(&submission(
            ADMIN,
            "moment_remove",
            json!({"moment": id}),
            &Form::default(),
        ))
        .await
        .json();
    assert_eq!(reply["response_action"], "update");
    assert!(reply["view"].to_string().contains("taken down"), "{reply}");
    let delete = &app.sent("chat.delete", 1).await[0];
    assert_eq!(delete.body["ts"], ts.as_str());
    assert_eq!(story_of(&app, id).await, "");
}

#[tokio::test]
async fn an_admin_removes_a_colleagues_moment_from_the_home_tab() {
    let app = spawn_app().await;
    let (id, _) = posted(&app).await;
    app.post_event(&home_opened("Ev0HOMEADMIN", ADMIN)).await;
    let home = &app.sent("views.publish", 1).await[0];
    let view = home.body["view"].to_string();
    assert!(view.contains("home_remove"), "{view}");
    assert!(
        view.contains("Take this moment down?"),
        "asks for confirmation"
    );

    // A colleague's Home offers no Remove on someone else's moment.
    app.post_event(&home_opened("Ev0HOMENURSE2", NURSE2)).await;
    let other = &app.sent("views.publish", 2).await[1];
    assert!(!other.body["view"].to_string().contains("home_remove"));

    app.post_interaction(&button(ADMIN, "home_remove", &id.to_string(), On::Home))
        .await;
    app.sent("chat.delete", 1).await;
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moment_removals WHERE removed_by = 'U0ADMIN'")
            .await,
        1
    );
}

/// Shares a moment, sends this month's digest (which quotes it); returns
/// the moment's id.
async fn quoted_in_a_sent_digest(app: &TestApp) -> i64 {
    let (id, _) = posted(app).await;
    app.advance(2);
    let month = Month::containing(
        alignbot::clock::Clock::now(&app.clock),
        chrono_tz::America::New_York,
    );
    jobs::run(&app.ctx, Job::MonthlyDigest, month, Trigger::Manual)
        .await
        .unwrap();
    app.drain().await;
    assert!(
        app.fake.calls_to("chat.postMessage").iter().any(|c| c
            .body
            .to_string()
            .contains("Mission moments of")
            && c.body.to_string().contains("Priya stayed two hours")),
        "the digest quoted it"
    );
    app.advance(2);
    id
}

#[tokio::test]
async fn a_takedown_after_the_digest_went_out_updates_that_digest_in_place() {
    let app = spawn_app().await;
    let id = quoted_in_a_sent_digest(&app).await;
    let digest_ts: String =
        sqlx::query_scalar("SELECT ts FROM digest_posts WHERE month = '2026-11'")
            .fetch_one(app.ctx.store.reads())
            .await
            .unwrap();

    let reply = app
        .post_command("/moment", &format!("remove {id}"), ADMIN)
        .await;
    assert!(
        reply
            .text()
            .contains("digest that quoted it is being updated"),
        "{}",
        reply.body
    );
    app.drain().await;
    app.advance(1);
    app.drain().await;
    let update = app
        .fake
        .calls_to("chat.update")
        .into_iter()
        .find(|c| c.body["ts"] == digest_ts.as_str())
        .expect("the digest is updated in place");
    assert_eq!(update.body["channel"], MOMENTS);
    let text = update.body.to_string();
    assert!(text.contains("Mission moments of November 2026"), "{text}");
    assert!(!text.contains("Priya stayed two hours"), "{text}");
    assert!(
        !app.fake
            .calls_to("chat.postMessage")
            .iter()
            .any(|c| c.body["channel"] == ADMIN),
        "nothing for the admins to do by hand"
    );
}

#[tokio::test]
async fn a_digest_whose_post_is_unknown_is_named_to_the_admins_to_delete_by_hand() {
    let app = spawn_app().await;
    let id = quoted_in_a_sent_digest(&app).await;
    // A digest sent by a version that did not record where it went.
    sqlx::query("DELETE FROM digest_posts")
        .execute(app.ctx.store.reads())
        .await
        .unwrap();

    let reply = app
        .post_command("/moment", &format!("remove {id}"), ADMIN)
        .await;
    assert!(reply.text().contains("cannot edit"), "{}", reply.body);
    app.drain().await;
    let dm = app
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .find(|c| c.body["channel"] == ADMIN)
        .expect("a DM to the admin");
    let text = blocks_text(&dm.body);
    assert!(text.contains("November 2026"), "{text}");
    assert!(
        text.contains("delete that digest message by hand"),
        "{text}"
    );
    assert!(
        !text.contains("Priya stayed two hours"),
        "the DM does not repeat the story"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moment_removals WHERE digest_sent = '2026-11'")
            .await,
        1
    );
    assert!(app.fake.calls_to("chat.update").is_empty());
}

#[test]
fn both_manifests_list_the_take_down_shortcut() {
    for path in [
        "deploy/slack/manifest.yaml",
        "deploy/slack/manifest.socket-mode.yaml",
    ] {
        let manifest =
            std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        assert!(
            manifest.contains(&format!(
                "callback_id: {}",
                alignbot::slack::ids::SHORTCUT_REMOVE
            )),
            "{path}"
        );
        assert!(manifest.contains("Take down this moment"), "{path}");
    }
}
