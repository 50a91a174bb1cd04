//! `align …` admin and personal commands typed to the bot in Teams, end to
//! end through `POST /api/messages`: the shared grammar, the same
//! permission checks as Slack (app::permissions `Actor`), answers in the
//! person's 1:1 only.

use crate::app::{ADMIN, LEAD, NURSE, NURSE2, TeamsApp, spawn};
use crate::cards::assert_valid_cards;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::clock::Clock;
use alignbot::domain::{PillarKey, TeamKey};
use alignbot::scheduler::schedule::Month;
use serde_json::json;

/// Every text the bot sent privately to `person` (their 1:1, or the 1:1 it
/// created for them), in order.
fn private_texts(app: &TeamsApp, person: &str) -> Vec<String> {
    app.fake
        .delivered()
        .iter()
        .filter(|c| {
            c.path
                .ends_with(&format!("/v3/conversations/a:personal-{person}/activities"))
                || c.path.ends_with(&format!(
                    "/v3/conversations/a:created-29:{person}/activities"
                ))
        })
        .map(|c| c.text())
        .collect()
}

/// The last private answer to `person`, after posting `activity` and draining.
async fn answer_to(app: &TeamsApp, person: &str, activity: serde_json::Value) -> String {
    app.post(&activity).await;
    app.drain().await;
    private_texts(app, person).pop().expect("an answer")
}

async fn plan_changes(app: &TeamsApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM plan_changes")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap()
}

/// No post to any channel: private answers only.
fn nothing_in_channels(app: &TeamsApp) {
    let posted: Vec<_> = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.path.contains("19:"))
        .map(|c| c.path)
        .collect();
    assert!(posted.is_empty(), "nothing goes to a channel: {posted:?}");
}

#[tokio::test]
pub(crate) async fn an_admin_adds_a_pillar_and_a_team_from_teams() {
    let app = spawn().await;
    app.post(&app.install(ADMIN)).await;
    let added = answer_to(
        &app,
        ADMIN,
        app.typed(ADMIN, "align pillar add learning Learning and growth"),
    )
    .await;
    assert!(
        added.contains("Added the pillar Learning and growth (learning)"),
        "{added}"
    );
    let key = PillarKey::parse("learning").unwrap();
    assert_eq!(
        app.ctx.directory().pillar(&key).map(|p| p.name.clone()),
        Some("Learning and growth".to_owned())
    );

    // Typed in the 1:1, a team has no channel: the answer says where to type it.
    let nowhere = answer_to(
        &app,
        ADMIN,
        app.typed(ADMIN, "align team add pharmacy Pharmacy"),
    )
    .await;
    assert!(
        nowhere.contains("type @alignbot align team add pharmacy Pharmacy there"),
        "{nowhere}"
    );
    let pharmacy = TeamKey::parse("pharmacy").unwrap();
    assert!(app.ctx.directory().team(&pharmacy).is_none());

    // @mentioned in the team's channel, that channel becomes its home.
    let channel = "19:pharmacy@thread.tacv2";
    let team = answer_to(
        &app,
        ADMIN,
        app.in_channel(ADMIN, channel, "align team add pharmacy Pharmacy"),
    )
    .await;
    assert!(
        team.contains("Added the team Pharmacy (pharmacy)"),
        "{team}"
    );
    let dir = app.ctx.directory();
    let stored = dir.team(&pharmacy).expect("the team is added");
    assert_eq!(stored.channel.as_str(), channel);

    // People by @mention.
    app.post(&app.install(NURSE)).await;
    let mut activity = app.typed(ADMIN, "align team leaders pharmacy add <at>Nora Nurse</at>");
    activity["entities"] = json!([{"type": "mention", "text": "<at>Nora Nurse</at>",
                                   "mentioned": {"id": format!("29:{NURSE}"), "name": "Nora Nurse"}}]);
    let leaders = answer_to(&app, ADMIN, activity).await;
    assert!(
        leaders.contains("Leaders of Pharmacy now: Nora Nurse"),
        "{leaders}"
    );
    let how = answer_to(&app, ADMIN, app.typed(ADMIN, "align team members pharmacy")).await;
    assert!(
        how.contains("align team members pharmacy add @someone"),
        "says what to type: {how}"
    );

    let history = answer_to(&app, ADMIN, app.typed(ADMIN, "align history")).await;
    assert!(
        history.contains("Ada Admin")
            && history.contains("team:pharmacy")
            && history.contains("Nora Nurse"),
        "{history}"
    );
    nothing_in_channels(&app);
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
async fn a_non_admin_is_refused_with_a_clear_message_and_nothing_changes() {
    let app = spawn().await;
    let before = app.ctx.directory();
    for text in [
        "align pillar add learning Learning",
        "align mission set We heal.",
        "align pillar archive patient-care",
    ] {
        let refused = answer_to(&app, LEAD, app.typed(LEAD, text)).await;
        assert!(
            refused.contains("Only admins can change the plan"),
            "{text}: {refused}"
        );
    }
    let refused = answer_to(
        &app,
        NURSE,
        app.in_channel(NURSE, "19:lab@thread.tacv2", "align team add lab Lab"),
    )
    .await;
    assert!(refused.contains("Only admins"), "{refused}");
    let after = app.ctx.directory();
    assert_eq!(after.org.mission, before.org.mission);
    assert_eq!(after.pillars.len(), before.pillars.len());
    assert!(after.pillars.iter().all(|p| !p.archived));
    assert_eq!(after.teams.len(), before.teams.len());
    assert_eq!(plan_changes(&app).await, 0, "nothing recorded");

    // Bad input says what to type instead, and changes nothing either.
    let usage = answer_to(&app, ADMIN, app.typed(ADMIN, "align pillar add")).await;
    assert!(usage.contains("align pillar add <key>"), "{usage}");
    assert_eq!(plan_changes(&app).await, 0);
    nothing_in_channels(&app);
}

#[tokio::test]
pub(crate) async fn away_and_mute_stop_that_persons_nudges_only() {
    let app = spawn().await;
    for person in [NURSE, NURSE2, LEAD] {
        app.post(&app.install(person)).await;
    }
    let muted = answer_to(&app, NURSE, app.typed(NURSE, "align mute moments")).await;
    assert!(
        muted.contains("no more moments nudges") && muted.contains("align unmute moments"),
        "{muted}"
    );
    let away = answer_to(
        &app,
        NURSE2,
        app.typed(NURSE2, "align away until 2026-12-31"),
    )
    .await;
    assert!(away.contains("Thursday, December 31, 2026"), "{away}");
    let bad = answer_to(&app, NURSE2, app.typed(NURSE2, "align away until someday")).await;
    assert!(bad.contains("YYYY-MM-DD"), "says what to type: {bad}");

    let month = Month::containing(app.clock.now(), chrono_tz::America::New_York);
    jobs::run(&app.ctx, Job::MomentsNudge, month, Trigger::Manual)
        .await
        .unwrap();
    let counts = app.drain().await;
    assert_eq!(counts.pending, 0, "{counts:?}");
    let nudged = |person: &str| {
        private_texts(&app, person)
            .iter()
            .any(|t| t.contains("Do you have a mission moment?"))
    };
    assert!(nudged(LEAD), "the others are still nudged");
    assert!(!nudged(NURSE), "muted");
    assert!(!nudged(NURSE2), "away");

    let back = answer_to(&app, NURSE2, app.typed(NURSE2, "align away off")).await;
    assert!(back.contains("Welcome back"), "{back}");
    let unmuted = answer_to(&app, NURSE, app.typed(NURSE, "align unmute moments")).await;
    assert!(unmuted.contains("on again"), "{unmuted}");
    assert_valid_cards(&app.fake.delivered());
}
