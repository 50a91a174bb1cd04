//! The organization's priorities: executives (and admins) publish them to
//! the staff channel with the progress per pillar; team priorities link to
//! them; the leaders' nudge shows them first; the leadership digest says
//! which no team took up.

use crate::helpers::*;
use alignbot::app::jobs::{self, Job, Trigger};
use alignbot::scheduler::schedule::Month;

const EXEC: &str = "U0EXEC";
const STAFF: &str = "C0STAFF";
const LEAD: &str = "U0LEAD1";

/// The base config with a staff channel, an executive, and ICU (led by
/// the leader of Nursing too).
fn config() -> String {
    CONFIG.replace(
        "admins = [\"U0ADMIN\"]",
        "admins = [\"U0ADMIN\"]\nstaff_channel = \"C0STAFF\"\nexecutives = [\"U0EXEC\"]",
    ) + "\n[[teams]]\nkey = \"icu\"\nname = \"Intensive care\"\nchannel = \"C0ICU\"\nleaders = [\"U0LEAD1\"]\n"
}

fn month(app: &TestApp) -> Month {
    use alignbot::clock::Clock;
    Month::containing(app.clock.now(), chrono_tz::America::New_York)
}

#[tokio::test]
async fn executives_publish_the_organizations_priorities_to_all_staff_with_progress_per_pillar() {
    let app = spawn_app_at(config().trim_start(), start_time()).await;
    // Some progress to report: a goal on track, a check-in and a moment.
    app.post_command(
        "/goal",
        "add Cut waits pillar:patient-care start:45min target:30min team:nursing",
        LEAD,
    )
    .await;
    app.post_command("/goal", "update 1 40min on-track", LEAD)
        .await;
    app.settle().await;

    let refused = app
        .post_command("/priorities", "org publish Safe staffing", NURSE)
        .await;
    assert!(
        refused
            .text()
            .contains("Admins and the organization's executives"),
        "{}",
        refused.body
    );
    let by_leader = app
        .post_command("/priorities", "org publish Safe staffing", LEAD)
        .await;
    assert!(
        by_leader.text().contains("executives"),
        "{}",
        by_leader.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM org_priorities").await, 0);

    let before = app.fake.calls_to("chat.postMessage").len();
    let published = app
        .post_command(
            "/priorities",
            "org publish Safe staffing <!channel> *this winter*; Flu vaccination drive",
            EXEC,
        )
        .await;
    assert!(
        published
            .text()
            .contains("Published the organization's priorities for November 2026"),
        "{}",
        published.body
    );
    let posts = app.sent("chat.postMessage", before + 1).await;
    let post = &posts[before];
    assert_eq!(post.body["channel"], STAFF);
    let blocks = post.body["blocks"].as_array().unwrap();
    assert!(
        blocks.iter().any(|b| b["text"]["type"] == "plain_text"
            && b["text"]["text"]
                == "1. Safe staffing <!channel> *this winter*\n2. Flu vaccination drive"),
        "the executives' words as written, never a mention: {}",
        post.body
    );
    let text = post.body.to_string();
    assert!(
        text.contains("*Patient care*: 1 goal on track · 0 at risk · 1 check-in · 0 moments"),
        "{text}"
    );
    assert!(text.contains("1: no team yet"), "{text}");

    let shown = app.post_command("/priorities", "org show", NURSE).await;
    assert!(
        shown.text().contains("Flu vaccination drive"),
        "{}",
        shown.body
    );

    // A second publication updates the post in place.
    app.advance(1);
    app.post_command(
        "/priorities",
        "org publish Safe staffing; Flu vaccination drive; Fewer falls",
        "U0ADMIN",
    )
    .await;
    let update = &app.sent("chat.update", 1).await[0];
    assert!(
        update.body.to_string().contains("3. Fewer falls"),
        "{}",
        update.body
    );
    assert_eq!(app.scalar("SELECT COUNT(*) FROM org_priorities").await, 1);
}

#[tokio::test]
async fn team_priorities_link_to_the_organizations_which_lead_the_nudge_and_the_digest() {
    let app = spawn_app_at(config().trim_start(), start_time()).await;

    // Before the organization published, `org:` links to nothing.
    let early = app
        .post_command("/priorities", "publish team:nursing Hire org:1", LEAD)
        .await;
    assert!(early.text().contains("not published yet"), "{}", early.body);
    assert_eq!(app.scalar("SELECT COUNT(*) FROM priorities").await, 0);

    app.post_command(
        "/priorities",
        "org publish Safe staffing; Flu vaccination drive",
        EXEC,
    )
    .await;
    app.settle().await;

    // The leader's nudge shows the organization's priorities first.
    let before = app.fake.calls_to("chat.postMessage").len();
    jobs::run(&app.ctx, Job::PrioritiesNudge, month(&app), Trigger::Manual)
        .await
        .unwrap();
    let posts = app.sent("chat.postMessage", before + 1).await;
    let dm = posts[before].body.to_string();
    let org = dm.find("The organization's priorities").expect("org first");
    let team = dm.find("Publish Nursing").expect("team section");
    assert!(
        org < team && dm.contains("2. Flu vaccination drive"),
        "{dm}"
    );

    let wrong = app
        .post_command("/priorities", "publish team:nursing Hire org:3", LEAD)
        .await;
    assert!(
        wrong.text().contains("use `org:1` to `org:2`"),
        "{}",
        wrong.body
    );
    let linked = app
        .post_command(
            "/priorities",
            "publish team:nursing Hire 2 nurses org:1; Rota fix",
            LEAD,
        )
        .await;
    assert!(
        linked.text().contains("Published Nursing"),
        "{}",
        linked.body
    );
    assert_eq!(
        app.scalar(
            "SELECT COUNT(*) FROM priority_items WHERE org_item = 1 AND text = 'Hire 2 nurses'"
        )
        .await,
        1
    );
    // The nudge's update waits for the leader's DM lane.
    app.drain().await;
    app.advance(1);
    app.settle().await;

    // The form offers the organization's priorities, with the link kept.
    app.post_interaction(&button(
        LEAD,
        "priorities_open",
        "nursing",
        On::Message(&app.fake.hook_url("n")),
    ))
    .await;
    app.drain().await;
    let open = app.fake.calls_to("views.open");
    let view = open.last().expect("the form").body["view"].to_string();
    assert!(
        view.contains("priority_org_1") && view.contains("1. Safe staffing"),
        "{view}"
    );

    // The digest says which of the organization's priorities no team took up.
    let before = app.fake.calls_to("chat.postMessage").len();
    jobs::run(&app.ctx, Job::MonthlyDigest, month(&app), Trigger::Manual)
        .await
        .unwrap();
    app.drain().await;
    let posts = app.fake.calls_to("chat.postMessage");
    let digest = posts[before..]
        .iter()
        .find(|c| c.body["channel"] == LEADERS)
        .expect("leadership digest")
        .body
        .to_string();
    assert!(
        digest.contains("no team has taken up 2. Flu vaccination drive")
            && digest.contains("Taken up: 1. Safe staffing (Nursing)"),
        "{digest}"
    );
}

#[tokio::test]
async fn the_executives_are_asked_for_next_months_priorities_first() {
    let config = config() + "\n[schedule]\norg_priorities = \"last working day 09:00\"\n";
    let app = spawn_app_at(config.trim_start(), start_time()).await;
    let sched = alignbot::scheduler::schedules(&app.settings());
    assert!(
        sched
            .iter()
            .any(|(job, _)| job.name() == "org-priorities-nudge"),
        "the schedule entry adds the job"
    );
    let before = app.fake.calls_to("chat.postMessage").len();
    let run = jobs::run(
        &app.ctx,
        Job::OrgPrioritiesNudge,
        month(&app),
        Trigger::Manual,
    )
    .await
    .unwrap();
    assert_eq!(run.enqueued, 1, "{run}");
    let posts = app.sent("chat.postMessage", before + 1).await;
    assert_eq!(posts[before].body["channel"], EXEC);
    assert!(
        posts[before]
            .body
            .to_string()
            .contains("priorities for December 2026"),
        "{}",
        posts[before].body
    );
    // After the ask, what they publish is next month's.
    let published = app
        .post_command("/priorities", "org publish Winter readiness", EXEC)
        .await;
    assert!(
        published.text().contains("priorities for December 2026"),
        "{}",
        published.body
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM org_priorities WHERE period = '2026-12'")
            .await,
        1
    );
}
