//! The app end to end through `POST /api/messages`: refused tokens touch
//! nothing; commands, dialogs and card buttons reach the same services as
//! Slack's; what the bot says goes through the outbox to the fake Bot
//! Connector, proactively to people who only installed the app.

use crate::app::{
    ADMIN, LEAD, MOMENTS, NURSE, NURSE2, NURSING, TeamsApp, spawn, spawn_without_auth,
};
use crate::cards::assert_valid_cards;
use crate::support::{KEY_1, KEY_2, bearer};
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::clock::Clock;
use alignbot::scheduler::schedule::Month;
use axum::http::StatusCode;
use serde_json::{Value, json};

async fn nothing_stored_or_sent(app: &TeamsApp) {
    assert_eq!(app.count("teams_conversations").await, 0);
    assert_eq!(app.count("teams_seen_activities").await, 0);
    assert_eq!(app.count("outbox").await, 0);
    assert_eq!(app.count("moments").await, 0);
    app.drain().await;
    assert!(app.fake.connector_calls().is_empty(), "nothing was sent");
    assert!(
        app.fake.token_requests().is_empty(),
        "no connector token was even asked for"
    );
}

#[tokio::test]
async fn bad_missing_expired_and_wrong_audience_tokens_are_refused_and_touch_nothing() {
    let app = spawn().await;
    let activity = app.typed(NURSE, "moment A patient thanked the night team.");
    let expired = KEY_1.token(&app.claims(json!({"exp": app.clock.now().timestamp() - 301})));
    let wrong_audience = KEY_1.token(&app.claims(json!({"aud": "another-app"})));
    let wrong_key = KEY_2.sign(KEY_1.kid, &app.claims(json!({})));
    let other_service = KEY_1.token(&app.claims(json!({"serviceurl": "https://evil.example/"})));
    let cases: Vec<(&str, Option<String>)> = vec![
        ("missing", None),
        ("not bearer", Some(format!("Basic {}", app.token()))),
        ("garbage", Some(bearer("not.a.jwt"))),
        ("expired", Some(bearer(&expired))),
        ("wrong audience", Some(bearer(&wrong_audience))),
        ("signed by another key", Some(bearer(&wrong_key))),
        ("another serviceUrl", Some(bearer(&other_service))),
    ];
    for (what, authorization) in cases {
        let answer = app.post_raw(&activity, authorization).await;
        assert_eq!(answer.status, 401, "{what}");
    }
    nothing_stored_or_sent(&app).await;
    // The same activity with a good token is accepted: the refusals above
    // were about the tokens.
    assert_eq!(
        app.post_raw(&activity, Some(bearer(&app.token())))
            .await
            .status,
        200
    );
    assert_eq!(app.count("moments").await, 1);
}

#[tokio::test]
pub(crate) async fn a_moment_by_command_is_posted_to_the_moments_channel_and_the_thanks_goes_to_the_1_1()
 {
    let app = spawn().await;
    app.post(&app.install(NURSE)).await;
    let story = "**Nora** [stayed](http://evil.example) late <at>Boss</at> @everyone {{DATE(x)}}";
    app.post(&app.in_channel(NURSE, MOMENTS, &format!("moment {story}")))
        .await;
    let counts = app.drain().await;
    assert_eq!((counts.pending, counts.failed), (0, 0), "{counts:?}");

    let posts = app.sent_to("/v3/conversations");
    assert_eq!(posts.len(), 1, "one new post in the moments channel");
    let post = &posts[0];
    assert_eq!(post.body["isGroup"], json!(true));
    assert_eq!(post.body["channelData"]["channel"]["id"], json!(MOMENTS));
    assert!(
        post.authorization
            .as_deref()
            .is_some_and(|a| a.starts_with("Bearer fake-connector-token-"))
    );
    // The story is a TextRun, byte for byte (but for the broken template braces).
    let runs = text_runs(&post.cards()[0]);
    assert!(
        runs.iter().any(|r| r == &story.replace("{{", "{\u{2060}{")),
        "the story as written: {runs:?}"
    );
    assert!(post.text().contains("Nora Nurse"), "the author by name");

    // The welcome and the thanks went to the person's 1:1, not the channel.
    let private = app.sent_to(&format!("/v3/conversations/a:personal-{NURSE}/activities"));
    assert_eq!(private.len(), 2, "welcome and thanks");
    assert!(private[0].text().contains("I'm alignbot"));
    assert!(
        private[1]
            .text()
            .contains("on its way to the moments channel")
    );
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
async fn a_moment_by_dialog_shows_inline_errors_then_posts_once() {
    let app = spawn().await;
    app.post(&app.install(NURSE)).await;
    let opened = app
        .post(&app.invoke(
            NURSE,
            "task/fetch",
            json!({"data": {"dialog": "share_moment"}}),
        ))
        .await;
    assert_eq!(opened.body["task"]["type"], json!("continue"));
    let form = opened.body["task"]["value"]["card"]["content"].clone();
    assert!(
        form.to_string().contains("\"id\":\"story\""),
        "a story field: {form}"
    );

    let empty = app
        .post(&app.invoke(
            NURSE,
            "task/submit",
            json!({"data": {"dialog": "share_moment", "story": "  ", "pillar": ""}}),
        ))
        .await;
    assert_eq!(
        empty.body["task"]["type"],
        json!("continue"),
        "the form again"
    );
    let again = empty.body["task"]["value"]["card"]["content"].to_string();
    assert!(again.contains("Attention"), "an inline error: {again}");
    assert_eq!(app.count("moments").await, 0, "nothing stored");

    let done = app
        .post(&app.invoke(NURSE, "task/submit", json!({"data": {"dialog": "share_moment", "story": "The ward sang for Mr. Lee's last day.", "pillar": "patient-care"}})))
        .await;
    // The privacy guard may hold a named patient: either way nothing is
    // posted without the author.
    if done.body["task"]["type"] == json!("continue") {
        let done = app
            .post(&app.invoke(NURSE, "task/submit", json!({"data": {"dialog": "share_moment", "story": "The whole ward sang on a patient's last day.", "pillar": "patient-care"}})))
            .await;
        assert_eq!(done.body["task"]["type"], json!("message"), "{}", done.body);
    }
    app.drain().await;
    let posts = app.sent_to("/v3/conversations");
    assert_eq!(posts.len(), 1, "posted once");
    assert!(posts[0].text().contains("Patient care"));
    assert_valid_cards(&app.fake.delivered());
    assert_valid_cards_in(&[form]);
}

#[tokio::test]
pub(crate) async fn a_check_in_from_the_nudge_cards_button_updates_the_nudge_in_place() {
    let app = spawn().await;
    app.post(&app.install(LEAD)).await;
    app.post(&app.typed(LEAD, "goal add Fewer falls pillar:patient-care target:100%"))
        .await;
    app.drain().await;
    let month = Month::containing(app.clock.now(), chrono_tz::America::New_York);
    jobs::run(&app.ctx, Job::ProgressNudge, month, Trigger::Manual)
        .await
        .unwrap();
    app.drain().await;

    let to_lead = format!("/v3/conversations/a:personal-{LEAD}/activities");
    let nudge = app
        .sent_to(&to_lead)
        .into_iter()
        .find(|c| c.text().contains("Time for your"))
        .expect("the nudge reached the lead's 1:1");
    let button = nudge.cards()[0]["actions"][0].clone();
    assert_eq!(button["type"], json!("Action.Submit"));
    assert_eq!(button["data"]["msteams"]["type"], json!("task/fetch"));

    // The button opens the dialog; submitting it records the check-in.
    let form = app
        .post(&app.invoke(LEAD, "task/fetch", json!({"data": button["data"]})))
        .await;
    assert_eq!(
        form.body["task"]["type"],
        json!("continue"),
        "{}",
        form.body
    );
    let mut data = button["data"].clone();
    data["dialog"] = json!("check_in");
    data["value"] = json!("abc");
    let bad = app
        .post(&app.invoke(LEAD, "task/submit", json!({"data": data})))
        .await;
    assert_eq!(
        bad.body["task"]["type"],
        json!("continue"),
        "a bad value is shown inline"
    );
    data["value"] = json!("40%");
    data["confidence"] = json!("at-risk");
    let done = app
        .post(&app.invoke(LEAD, "task/submit", json!({"data": data})))
        .await;
    assert_eq!(done.body["task"]["type"], json!("message"), "{}", done.body);
    assert!(done.body["task"]["value"].as_str().unwrap().contains("40%"));

    app.drain().await;
    let updates: Vec<_> = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.method == "PUT")
        .collect();
    assert_eq!(updates.len(), 1, "the nudge card was refreshed in place");
    assert!(
        updates[0]
            .path
            .starts_with(&format!("/v3/conversations/a:personal-{LEAD}/activities/"))
    );
    assert!(updates[0].text().contains("checked in"));
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
pub(crate) async fn a_proposal_is_approved_from_its_card_and_the_card_is_refreshed() {
    let app = spawn().await;
    app.post(&app.install(NURSE)).await;
    app.post(&app.install(LEAD)).await;
    app.post(&app.typed(NURSE, "goal propose Hourly rounding pillar:patient-care"))
        .await;
    app.drain().await;
    let posted = app.sent_to("/v3/conversations");
    assert_eq!(posted.len(), 1);
    assert_eq!(
        posted[0].body["channelData"]["channel"]["id"],
        json!(NURSING)
    );
    let approve = posted[0].cards()[0]["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == json!("Approve"))
        .cloned()
        .expect("an Approve button");
    // Approve opens a dialog (tests/teams/approve.rs covers adjusting).
    assert_eq!(approve["type"], json!("Action.Submit"));
    assert_eq!(approve["data"]["msteams"]["type"], json!("task/fetch"));

    // A member may not approve; the leader may.
    let refused = app
        .post(&app.invoke(NURSE2, "task/fetch", json!({"data": approve["data"]})))
        .await;
    assert_eq!(refused.body["task"]["type"], json!("message"));
    let opened = app
        .post(&app.invoke(LEAD, "task/fetch", json!({"data": approve["data"]})))
        .await;
    assert_eq!(opened.body["task"]["type"], json!("continue"));
    let form = opened.body["task"]["value"]["card"]["content"].clone();
    let submit = form["actions"][0]["data"].clone();
    let answer = app
        .post(&app.invoke(LEAD, "task/submit", json!({"data": submit})))
        .await;
    assert_eq!(
        answer.body["task"]["type"],
        json!("message"),
        "{}",
        answer.body
    );
    assert!(
        answer.body["task"]["value"]
            .as_str()
            .unwrap()
            .contains("Approved. It is now goal #"),
        "{}",
        answer.body
    );

    app.drain().await;
    let updates: Vec<_> = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.method == "PUT")
        .collect();
    assert!(
        !updates.is_empty(),
        "the posted card was updated for everyone"
    );
    assert!(updates.iter().all(|u| u.path.contains(NURSING)));
    assert!(
        updates
            .last()
            .unwrap()
            .text()
            .contains("Approved as goal #"),
        "refreshed: {}",
        updates.last().unwrap().text()
    );
    let decided = app
        .fake
        .delivered()
        .into_iter()
        .find(|c| c.text().contains("was approved by Lee Lead"))
        .expect("the decision in the proposal's thread");
    assert!(
        decided.path.contains(";messageid="),
        "a reply in the post's thread"
    );
    assert!(
        decided.text().contains("Owner: Nora Nurse"),
        "{}",
        decided.text()
    );
    assert_valid_cards(&app.fake.delivered());
    assert_valid_cards_in(&[form]);
}

#[tokio::test]
async fn priorities_are_published_to_the_team_channel() {
    let app = spawn().await;
    app.post(&app.install(LEAD)).await;
    app.post(&app.typed(
        LEAD,
        "priorities publish Safer handovers; Fill two night posts",
    ))
    .await;
    let counts = app.drain().await;
    assert_eq!(counts.failed, 0);
    let posted: Vec<_> = app
        .sent_to("/v3/conversations")
        .into_iter()
        .filter(|c| c.body["channelData"]["channel"]["id"] == json!(NURSING))
        .collect();
    assert_eq!(posted.len(), 1, "one post in the team's channel");
    let text = posted[0].text();
    assert!(
        text.contains("1. Safer handovers") && text.contains("2. Fill two night posts"),
        "{text}"
    );
    // A member cannot: the refusal goes to their 1:1 only.
    app.post(&app.install(NURSE)).await;
    app.post(&app.typed(NURSE, "priorities publish Nope")).await;
    app.drain().await;
    let refused = app.sent_to(&format!("/v3/conversations/a:personal-{NURSE}/activities"));
    assert!(
        refused.last().unwrap().text().contains("lead"),
        "the refusal, privately: {}",
        refused.last().unwrap().text()
    );
    assert_eq!(
        app.sent_to("/v3/conversations")
            .iter()
            .filter(|c| c.body["channelData"]["channel"]["id"] == json!(NURSING))
            .count(),
        1,
        "nothing more was posted to the team"
    );
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
pub(crate) async fn a_nudge_reaches_a_person_who_never_wrote_to_the_bot_through_a_new_1_1() {
    let app = spawn().await;
    // The app is added to the team: Teams names its members, no 1:1 yet.
    app.post(&app.team_install(ADMIN, NURSING, &[NURSE, NURSE2]))
        .await;
    let month = Month::containing(app.clock.now(), chrono_tz::America::New_York);
    jobs::run(&app.ctx, Job::MomentsNudge, month, Trigger::Manual)
        .await
        .unwrap();
    app.fake
        .fail_connector(StatusCode::TOO_MANY_REQUESTS, Some(7));
    app.drain().await;
    let created: Vec<_> = app
        .sent_to("/v3/conversations")
        .into_iter()
        .filter(|c| c.body["isGroup"] == json!(false))
        .collect();
    assert!(created.is_empty() || created.len() < 2, "throttled first");
    app.advance(8);
    let counts = app.drain().await;
    assert_eq!(counts.pending, 0, "{counts:?}");
    for nurse in [NURSE, NURSE2] {
        let member = format!("29:{nurse}");
        let creates: Vec<_> = app
            .sent_to("/v3/conversations")
            .into_iter()
            .filter(|c| c.body["members"][0]["id"] == json!(member))
            .collect();
        assert_eq!(creates.len(), 1, "one 1:1 created for {nurse}");
        assert_eq!(
            creates[0].body["tenantId"],
            json!(crate::support::TENANT_ID)
        );
        let nudges = app.sent_to(&format!("/v3/conversations/a:created-{member}/activities"));
        assert_eq!(nudges.len(), 1, "one nudge for {nurse}");
        assert!(nudges[0].text().contains("mission moment"));
    }
    let throttled = app
        .fake
        .connector_calls()
        .iter()
        .filter(|c| c.status == 429)
        .count();
    assert_eq!(throttled, 1);
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
pub(crate) async fn pending_activities_survive_a_restart_and_are_sent_once() {
    let app = spawn().await;
    app.post(&app.install(NURSE)).await;
    app.post(&app.typed(
        NURSE,
        "moment Our porter walked a lost visitor to the ward.",
    ))
    .await;
    app.fake
        .fail_connector(StatusCode::SERVICE_UNAVAILABLE, None);
    app.rounds().await;
    assert!(app.outbox().await.pending > 0, "a 503 left work pending");
    assert_eq!(app.fake.connector_calls()[0].status, 503);
    let app = app.restart().await;
    app.advance(3600);
    let counts = app.drain().await;
    assert_eq!((counts.pending, counts.failed), (0, 0), "{counts:?}");
    let posts = app.sent_to("/v3/conversations");
    assert_eq!(posts.len(), 1, "the moment was posted exactly once");
    let thanks: Vec<_> = app
        .sent_to(&format!("/v3/conversations/a:personal-{NURSE}/activities"))
        .into_iter()
        .filter(|c| c.text().contains("on its way"))
        .collect();
    assert_eq!(thanks.len(), 1, "the thanks was sent exactly once");
}

#[tokio::test]
pub(crate) async fn a_repeated_activity_is_handled_once() {
    let app = spawn().await;
    let activity = app.typed(NURSE, "moment The lab stayed open for us.");
    app.post(&activity).await;
    app.post(&activity).await;
    assert_eq!(app.count("moments").await, 1);
}

#[tokio::test]
pub(crate) async fn an_activity_is_remembered_for_an_hour_then_forgotten() {
    let app = spawn().await;
    let activity = app.typed(NURSE, "moment The pharmacy called back within the hour.");
    app.post(&activity).await;
    let housekeeper = alignbot::housekeeping::Housekeeper::new(
        app.ctx.clone(),
        alignbot::config::DataSettings::default(),
        None,
    );
    // Within the hour a retry is still a retry, and housekeeping keeps it.
    app.advance(3599);
    housekeeper.pass(false).await;
    assert_eq!(app.count("teams_seen_activities").await, 1);
    app.post(&activity).await;
    assert_eq!(app.count("moments").await, 1, "a retry within the hour");
    // Past it, the hourly pass forgets the id.
    app.advance(2);
    housekeeper.pass(false).await;
    assert_eq!(app.count("teams_seen_activities").await, 0);
    // An id remembered past its hour and not yet pruned is taken over in
    // place (one statement on the key): the activity counts as new.
    let later = app.typed(NURSE, "moment The night shift covered for a colleague.");
    app.post(&later).await;
    app.advance(3601);
    app.post(&later).await;
    assert_eq!(app.count("moments").await, 3);
    assert_eq!(app.count("teams_seen_activities").await, 1);
}

/// Every `TextRun`'s text in a card.
fn text_runs(card: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if m.get("type") == Some(&json!("TextRun"))
                    && let Some(t) = m.get("text").and_then(Value::as_str)
                {
                    out.push(t.to_owned());
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(card, &mut out);
    out
}

fn assert_valid_cards_in(cards: &[Value]) {
    crate::cards::assert_valid(cards);
}

#[tokio::test]
async fn a_person_mentioned_in_a_command_becomes_the_goals_owner() {
    let app = spawn().await;
    app.post(&app.install(NURSE)).await;
    let mut activity = app.in_channel(
        LEAD,
        NURSING,
        "goal add Fewer falls pillar:patient-care owner:<at>Nora Nurse</at>",
    );
    let mut entities = activity["entities"].as_array().unwrap().clone();
    entities.push(json!({"type": "mention", "text": "<at>Nora Nurse</at>",
                         "mentioned": {"id": format!("29:{NURSE}"), "name": "Nora Nurse"}}));
    activity["entities"] = json!(entities);
    app.post(&activity).await;
    let nurse = alignbot::domain::PersonId::parse(NURSE).unwrap();
    let year = alignbot::app::goals::year_or_current(&app.ctx, None).unwrap();
    let page = alignbot::app::goals::list(
        &app.ctx,
        alignbot::app::goals::GoalFilter::Owner(nurse),
        year,
        1,
    )
    .await
    .unwrap();
    assert_eq!(page.goals.len(), 1, "the mentioned nurse owns the goal");
    assert_eq!(page.goals[0].title, "Fewer falls");
}

#[tokio::test]
async fn one_blocked_person_does_not_stop_the_others_and_one_token_serves_every_send() {
    let app = spawn().await;
    app.post(&app.team_install(ADMIN, NURSING, &[NURSE, NURSE2]))
        .await;
    let month = Month::containing(app.clock.now(), chrono_tz::America::New_York);
    jobs::run(&app.ctx, Job::MomentsNudge, month, Trigger::Manual)
        .await
        .unwrap();
    // The first call (one person's 1:1) is refused: they blocked the bot.
    app.fake.fail_connector(StatusCode::FORBIDDEN, None);
    let counts = app.drain().await;
    // The blocked nurse's nudge, and the leader's: never installed, so unreachable.
    assert_eq!((counts.pending, counts.failed), (0, 2), "{counts:?}");
    let errors: Vec<(String,)> =
        sqlx::query_as("SELECT COALESCE(last_error, '') FROM outbox WHERE status = 'failed'")
            .fetch_all(app.ctx.store.reads())
            .await
            .unwrap();
    let errors: Vec<String> = errors.into_iter().map(|(e,)| e).collect();
    assert!(errors.iter().any(|e| e.contains("403")), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("has not installed alignbot")),
        "{errors:?}"
    );
    let nudged = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.text().contains("mission moment"))
        .count();
    assert_eq!(nudged, 1, "the other person got theirs");
    assert_eq!(
        app.fake.token_requests().len(),
        1,
        "one token for every send"
    );
}

#[tokio::test]
async fn after_an_uninstall_the_person_is_no_longer_reachable() {
    let app = spawn().await;
    app.post(&app.install(NURSE)).await;
    app.drain().await;
    let mut removed = app.install(NURSE);
    removed["action"] = json!("remove");
    app.post(&removed).await;
    assert_eq!(app.count("teams_conversations").await, 0);
}

#[tokio::test]
async fn without_auth_only_loopback_service_urls_are_answered_and_no_token_is_sent() {
    let app = spawn_without_auth().await;
    let mut remote = app.typed(NURSE, "help");
    remote["serviceUrl"] = json!("https://smba.trafficmanager.net/amer/");
    assert_eq!(app.post_raw(&remote, None).await.status, 401);
    assert_eq!(app.count("teams_conversations").await, 0);

    let local = app.typed(NURSE, "help");
    assert_eq!(app.post_raw(&local, None).await.status, 200);
    app.drain().await;
    let sent = app.fake.delivered();
    assert_eq!(sent.len(), 1, "the help answer");
    assert!(
        sent[0].authorization.is_none(),
        "no token without authentication"
    );
    assert!(app.fake.token_requests().is_empty());
}

#[tokio::test]
async fn the_senders_time_zone_and_name_are_learned_from_the_activity() {
    let app = spawn().await;
    let mut activity = app.typed(NURSE, "help");
    activity["entities"] = json!([{"type": "clientInfo", "locale": "en-US",
                                   "timezone": "America/Los_Angeles", "platform": "Web"}]);
    app.post(&activity).await;
    let tz: Option<String> = sqlx::query_scalar("SELECT tz FROM person_tz WHERE person_id = $1")
        .bind(NURSE)
        .fetch_optional(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(tz.as_deref(), Some("America/Los_Angeles"));
}

#[tokio::test]
async fn every_jobs_messages_reach_installed_people_and_channels_as_valid_cards() {
    let app = spawn().await;
    for person in [ADMIN, LEAD, NURSE, NURSE2] {
        app.post(&app.install(person)).await;
    }
    app.post(&app.typed(LEAD, "goal add Fewer falls pillar:patient-care target:100%"))
        .await;
    app.post(&app.in_channel(
        NURSE,
        MOMENTS,
        "moment The night team sang for a patient's birthday.",
    ))
    .await;
    app.drain().await;
    let before = app.fake.delivered().len();
    let month = Month::containing(app.clock.now(), chrono_tz::America::New_York);
    for job in [
        Job::PrioritiesNudge,
        Job::ProgressNudge,
        Job::MomentsNudge,
        Job::MonthlyDigest,
    ] {
        jobs::run(&app.ctx, job, month, Trigger::Manual)
            .await
            .unwrap();
    }
    let counts = app.drain().await;
    assert_eq!((counts.pending, counts.failed), (0, 0), "{counts:?}");
    let sent = app.fake.delivered()[before..].to_vec();
    let to = |person: &str| {
        sent.iter()
            .filter(|c| c.path == format!("/v3/conversations/a:personal-{person}/activities"))
            .map(|c| c.text())
            .collect::<Vec<_>>()
    };
    assert!(
        to(LEAD).iter().any(|t| t.contains("priorities")),
        "the leader's priorities nudge"
    );
    assert!(
        to(LEAD).iter().any(|t| t.contains("Time for your")),
        "the owner's check-in nudge"
    );
    assert!(
        to(NURSE2).iter().any(|t| t.contains("mission moment")),
        "the moments nudge (Nora already shared one)"
    );
    assert!(
        sent.iter().any(|c| c.text().contains("Mission moments of")),
        "the digest in the moments channel"
    );
    assert_valid_cards(&sent);
}

#[test]
fn the_playground_config_in_the_repository_is_valid() {
    let text = include_str!("../../deploy/teams/playground/alignbot.toml");
    let env = |name: &str| match name {
        "ALIGNBOT_TEAMS_NO_AUTH" => Some("1".to_owned()),
        "ALIGNBOT_LISTEN" => Some("127.0.0.1:3978".to_owned()),
        _ => None,
    };
    let settings = alignbot::config::Settings::from_toml(
        text,
        std::path::Path::new("deploy/teams/playground/alignbot.toml"),
        &env,
    )
    .expect("the Playground's config is valid");
    assert!(settings.microsoft_teams.is_some());
}

#[tokio::test]
async fn a_leader_publishes_priorities_from_the_nudge_cards_dialog() {
    let app = spawn().await;
    app.post(&app.install(LEAD)).await;
    let month = Month::containing(app.clock.now(), chrono_tz::America::New_York);
    jobs::run(&app.ctx, Job::PrioritiesNudge, month, Trigger::Manual)
        .await
        .unwrap();
    app.drain().await;
    let nudge = app
        .fake
        .delivered()
        .into_iter()
        .find(|c| c.text().contains("Time to publish"))
        .expect("the leader's priorities nudge");
    let button = nudge.cards()[0]["actions"][0].clone();
    assert_eq!(button["title"], json!("Publish Nursing's priorities"));

    let form = app
        .post(&app.invoke(LEAD, "task/fetch", json!({"data": button["data"]})))
        .await;
    assert_eq!(
        form.body["task"]["type"],
        json!("continue"),
        "{}",
        form.body
    );
    assert_valid_cards_in(&[form.body["task"]["value"]["card"]["content"].clone()]);
    let mut data = button["data"].clone();
    data["dialog"] = json!("publish_priorities");
    let empty = app
        .post(&app.invoke(LEAD, "task/submit", json!({"data": data.clone()})))
        .await;
    assert_eq!(
        empty.body["task"]["type"],
        json!("continue"),
        "no items: the form again"
    );
    data["item1"] = json!("Safer handovers");
    data["item3"] = json!("Fill two night posts");
    let done = app
        .post(&app.invoke(LEAD, "task/submit", json!({"data": data})))
        .await;
    assert_eq!(done.body["task"]["type"], json!("message"), "{}", done.body);

    app.drain().await;
    let post = app
        .sent_to("/v3/conversations")
        .into_iter()
        .find(|c| c.body["channelData"]["channel"]["id"] == json!(NURSING))
        .expect("posted to the team's channel");
    let text = post.text();
    assert!(
        text.contains("1. Safer handovers") && text.contains("2. Fill two night posts"),
        "{text}"
    );
    let refreshed = app
        .fake
        .delivered()
        .into_iter()
        .filter(|c| c.method == "PUT")
        .any(|c| c.text().contains("published. Thank you"));
    assert!(refreshed, "the nudge card now says it is done");
    assert_valid_cards(&app.fake.delivered());
}

#[tokio::test]
async fn a_reaction_on_a_moments_post_counts_once() {
    let app = spawn().await;
    app.post(&app.typed(NURSE, "moment The ward sang for a patient's last day."))
        .await;
    app.drain().await;
    assert_eq!(
        app.sent_to("/v3/conversations").len(),
        1,
        "the moment's post"
    );
    let thread = format!("{MOMENTS};messageid=");
    // Where the post landed, as the worker recorded it.
    let (channel, ts): (String, String) = sqlx::query_as("SELECT channel, ts FROM moments")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert!(channel.starts_with(&thread), "{channel}");
    let mut reaction = app.in_channel(NURSE2, MOMENTS, "");
    reaction["type"] = json!("messageReaction");
    reaction["conversation"]["id"] = json!(channel);
    reaction["replyToId"] = json!(ts);
    reaction["reactionsAdded"] = json!([{"type": "heart"}]);
    app.post(&reaction).await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM moment_reactions")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(n, 1, "the reaction counts (for the digest), as Slack's do");
    // The same reaction again (Teams' retry) counts once.
    app.post(&reaction).await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM moment_reactions")
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn refused_credentials_keep_messages_pending_instead_of_failing_them() {
    let app = spawn().await;
    app.post(&app.install(NURSE)).await;
    app.fake.fail_token(Some((
        StatusCode::UNAUTHORIZED,
        json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided."}),
    )));
    let counts = app.drain().await;
    assert_eq!(counts.failed, 0, "{counts:?}");
    assert!(
        counts.pending > 0,
        "the welcome waits for working credentials: {counts:?}"
    );
    assert!(
        app.fake.connector_calls().is_empty(),
        "nothing sent without a token"
    );
}
