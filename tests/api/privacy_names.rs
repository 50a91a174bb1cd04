//! The privacy guard knows colleagues by name: names learned from Slack
//! (`users.info`, in the background pass) let a story thank colleagues by
//! full name, while a patient's name, age, unit and condition still hold a
//! story back. Before a colleague's names are learned, their full name is a
//! stranger's: the story is held for its author to confirm.

use crate::fake_slack::Scripted;
use crate::helpers::*;
use alignbot::app::people::{self, NamesLearned, NamesPass};
use alignbot::slack::client::{SlackTransport, build_client};
use secrecy::SecretString;

const MARIA: &str = "Maria Gonzalez, 82, on 4 West smiled for the first time since her stroke when Priya brought her granddaughter's drawing.";
const COLLEAGUES: &str =
    "Siobhan Murphy and Tomasz Nowak stayed late so the night shift could start on time.";
const LEAD: &str = "U0LEAD1";

/// Slack (the fake) names two of the org's people.
fn name_colleagues(app: &TestApp) {
    app.fake.set_person(NURSE2, "Siobhan Murphy", "Siobhan");
    app.fake.set_person(LEAD, "Tomasz Nowak", "Tomek");
}

/// Runs the background pass once, now, through the real Slack client.
async fn learn_names(app: &TestApp) -> NamesLearned {
    let client = build_client(&app.fake.api_url()).unwrap();
    let slack = SlackTransport::new(client, &SecretString::from("xoxb-test-token"));
    let pass = NamesPass {
        pace: std::time::Duration::ZERO,
        ..NamesPass::default()
    };
    people::learn_names(&app.ctx, &slack, pass).await.unwrap()
}

/// Shares `story` with /moment as a nurse; the ephemeral reply's text.
async fn share(app: &TestApp, story: &str) -> String {
    let reply = app.post_command("/moment", story, NURSE).await;
    assert_eq!(reply.status, 200);
    reply.text()
}

#[tokio::test]
async fn a_patients_name_age_unit_and_condition_hold_the_story_and_nothing_is_posted() {
    let app = spawn_app().await;
    name_colleagues(&app);
    learn_names(&app).await;

    let text = share(&app, MARIA).await;

    assert!(text.contains("haven't posted"), "{text}");
    for excerpt in ["Maria Gonzalez", "82", "4 West", "stroke"] {
        assert!(
            text.contains(&format!("“{excerpt}")),
            "{excerpt} named in {text}"
        );
    }
    for kind in [
        "a person's name",
        "an age",
        "a place",
        "a health condition next to a person",
    ] {
        assert!(text.contains(kind), "{kind} in {text}");
    }
    assert_eq!(app.settle().await.sent, 0);
    assert!(app.fake.calls_to("chat.postMessage").is_empty());
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM moments WHERE status = 'shared'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_story_naming_two_colleagues_by_full_name_is_posted() {
    let app = spawn_app().await;
    name_colleagues(&app);
    let done = learn_names(&app).await;
    // The org's four people (admin, leader, two nurses), each asked once.
    assert_eq!((done.learned, done.remaining), (4, 0));
    assert_eq!(app.fake.calls_to("users.info").len(), 4);

    let text = share(&app, COLLEAGUES).await;

    assert!(text.contains("Thank you"), "{text}");
    let post = &app.sent("chat.postMessage", 1).await[0];
    assert_eq!(post.body["channel"], MOMENTS);
    assert!(blocks_text(&post.body).contains(COLLEAGUES));
}

#[tokio::test]
async fn before_their_names_are_learned_colleagues_are_strangers_and_after_the_pass_they_are_not() {
    let app = spawn_app().await;
    name_colleagues(&app);

    let text = share(&app, COLLEAGUES).await;
    assert!(text.contains("haven't posted"), "{text}");
    assert!(text.contains("Siobhan Murphy"), "{text}");
    assert_eq!(app.settle().await.sent, 0);
    assert!(app.fake.calls_to("chat.postMessage").is_empty());

    learn_names(&app).await;
    let text = share(&app, COLLEAGUES).await;

    assert!(text.contains("Thank you"), "{text}");
    let post = &app.sent("chat.postMessage", 1).await[0];
    assert!(blocks_text(&post.body).contains(COLLEAGUES));
    // Names are cached: the next pass, within the week, asks Slack nothing.
    let again = learn_names(&app).await;
    assert_eq!((again.learned, again.remaining), (0, 0));
    assert_eq!(app.fake.calls_to("users.info").len(), 4);
}

#[tokio::test]
async fn a_rate_limit_stops_the_pass_and_the_next_pass_goes_on() {
    let app = spawn_app().await;
    name_colleagues(&app);
    app.fake
        .script("users.info", [Scripted::RateLimited { retry_after: 30 }]);

    let first = learn_names(&app).await;
    assert!(first.rate_limited);
    assert_eq!((first.learned, first.remaining), (0, 4));
    assert_eq!(app.fake.calls_to("users.info").len(), 1);

    let second = learn_names(&app).await;
    assert!(!second.rate_limited);
    assert_eq!((second.learned, second.remaining), (4, 0));
    let text = share(&app, COLLEAGUES).await;
    assert!(text.contains("Thank you"), "{text}");
}

#[tokio::test]
async fn a_profile_change_event_teaches_the_guard_a_colleagues_new_name_at_once() {
    let app = spawn_app().await;
    name_colleagues(&app);
    learn_names(&app).await;
    let renamed =
        "Siobhan Byrne and Tomasz Nowak stayed late so the night shift could start on time.";
    assert!(share(&app, renamed).await.contains("haven't posted"));

    let event = serde_json::json!({
        "token": "verification_token", "team_id": "T0TEAM", "api_app_id": "A0APP",
        "type": "event_callback", "event_id": "Ev0NAME", "event_time": 1,
        "event": {"type": "user_change", "event_ts": "1.2", "cache_ts": 1,
            "user": {"id": NURSE2, "team_id": "T0TEAM", "name": "siobhan",
                "real_name": "Siobhan Byrne", "tz": "Europe/Dublin",
                "profile": {"real_name": "Siobhan Byrne", "display_name": "Siobhan"}}}
    });
    assert_eq!(app.post_event(&event).await.status, 200);

    assert!(share(&app, renamed).await.contains("Thank you"));
    let post = &app.sent("chat.postMessage", 1).await[0];
    assert!(blocks_text(&post.body).contains(renamed));
}

#[tokio::test]
async fn the_instance_running_the_scheduler_learns_the_orgs_names_at_start() {
    use alignbot::domain::privacy;
    // The fake names everyone as its fixture does: Egon Spengler.
    let story = "Egon Spengler stayed late so the night shift could start on time.";
    assert!(
        !privacy::scan(story).is_empty(),
        "a stranger's name is found"
    );

    let app = spawn_app_at("[server]\nscheduler = true\n", start_time()).await;

    // The housekeeping's first pass learns names in the background, paced
    // (about two seconds for the org's four people: admin, leader, two
    // nurses): a bounded wait until all four are stored. (A catch-up nudge
    // may learn one of them first, through its own time-zone look-up.)
    app.eventually(
        "SELECT COUNT(*) FROM person_names",
        |n| n == 4,
        "the start-up pass learning four people's names",
    )
    .await;
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    // The guard's colleagues are rebuilt as each write lands or the pass
    // ends: bounded too.
    while !privacy::scan_with(story, &app.ctx.known_people()).is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the guard never learned the names"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
