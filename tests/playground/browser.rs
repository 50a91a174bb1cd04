//! The playground page in a real headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven through chromedriver: what a newcomer does
//! first, end to end through the page, the bot and the local workspace.
//!
//! They need Chromium and chromedriver, so they are `#[ignore]`d: `cargo
//! test` on a machine with only the Rust toolchain reports them as ignored,
//! never as passed. `.ci/run` installs Debian's `chromium` and
//! `chromium-driver` and runs them with `-- --include-ignored`; by hand:
//! `cargo test --test playground -- --ignored`.
//!
//! With `ALIGNBOT_SCREENSHOTS=<dir>` the main screens are saved there as
//! PNGs (the README's pictures: `ALIGNBOT_SCREENSHOTS=docs/screenshots`).

use crate::support::*;
use crate::webdriver::{Driver, Session};
use std::path::PathBuf;
use tempfile::TempDir;

/// One browser at a time: the CI machines have two cores.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Browser {
    session: Session,
    _driver: Driver,
    _profile: TempDir,
    tp: TestPlayground,
}

/// A playground and a Chromium showing it.
async fn open() -> Browser {
    let tp = spawn().await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().unwrap();
    let session = driver.session(profile.path()).await;
    session.goto(&format!("{}/", tp.address)).await;
    // The page has loaded the workspace once the channels are listed.
    session.testid(&format!("channel-{MOMENTS}")).await;
    Browser {
        session,
        _driver: driver,
        _profile: profile,
        tp,
    }
}

impl Browser {
    async fn close(self) {
        self.session.close().await;
        self.tp.stop().await;
    }

    async fn click_testid(&self, id: &str) {
        let e = self.session.testid(id).await;
        self.session.click(&e).await;
    }

    /// Types `text` in the composer and presses Send.
    async fn send(&self, text: &str) {
        // A notice from the step before (who you now are) can lie over Send.
        self.session
            .script(
                "document.querySelectorAll('[data-testid=\"toast\"]').forEach(t => t.remove())",
                vec![],
            )
            .await;
        let composer = self.session.testid("composer").await;
        self.session.click(&composer).await;
        self.session.type_into(&composer, text).await;
        self.click_testid("composer-send").await;
    }

    /// Switches to `person`, whose name the switcher then shows.
    async fn act_as(&self, person: &str, name: &str) {
        self.click_testid("person-switcher").await;
        self.click_testid(&format!("person-{person}")).await;
        self.session
            .wait_for("[data-testid=\"person-switcher\"]", name)
            .await;
    }

    async fn run_job(&self, job: &str) {
        self.click_testid("job-menu").await;
        self.click_testid(&format!("job-{job}")).await;
        self.session
            .wait_for("[data-testid=\"toast\"]", &format!("Ran {job}"))
            .await;
    }

    async fn screenshot(&self, name: &str) {
        let Ok(dir) = std::env::var("ALIGNBOT_SCREENSHOTS") else {
            return;
        };
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
        std::fs::create_dir_all(&dir).unwrap();
        // Notices would cover the picture; let focus rings settle.
        self.session
            .script(
                "document.querySelectorAll('[data-testid=\"toast\"]').forEach(t => t.remove())",
                vec![],
            )
            .await;
        self.session.settle_animations().await;
        std::fs::write(dir.join(name), self.session.screenshot().await).unwrap();
    }
}

const MESSAGE: &str = "[data-testid=\"message\"]";
const MODAL: &str = "[data-testid=\"modal\"]";

#[tokio::test]
#[ignore = "needs chromium and chromedriver"]
async fn a_moment_shared_with_the_command_shows_in_moments_and_takes_a_reaction() {
    let _one = ONE_BROWSER.lock().await;
    let b = open().await;
    b.click_testid(&format!("channel-{NURSING}")).await;
    let story = "Noa <b>stayed</b> & sang *happy birthday* to a patient.";
    b.send(&format!("/moment {story}")).await;
    // The bot's answer, only visible to the author.
    b.session.wait_for(MESSAGE, "Thank you").await;
    b.click_testid(&format!("channel-{MOMENTS}")).await;
    let post = b.session.wait_for(MESSAGE, story).await;
    let shown = b.session.text(&post).await;
    assert!(shown.contains("Mission moment"), "{shown}");

    // A reaction on the post reaches the bot as reaction_added.
    let add = b
        .session
        .find_within(&post, "[data-testid=\"add-reaction\"]")
        .await;
    b.session
        .click(add.first().expect("a reaction button"))
        .await;
    b.click_testid("emoji-tada").await;
    b.session
        .wait_for("[data-testid=\"reaction-tada\"]", "1")
        .await;
    b.tp.eventually(
        "SELECT COUNT(*) FROM moment_reactions",
        |n| n == 1,
        "the reaction never reached the bot",
    )
    .await;
    b.screenshot("moments.png").await;
    b.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver"]
async fn the_moment_modal_shows_the_bots_errors_under_its_fields_then_posts() {
    let _one = ONE_BROWSER.lock().await;
    let b = open().await;
    b.click_testid(&format!("channel-{NURSING}")).await;
    b.send("/moment").await;
    b.session.wait_for(MODAL, "Share").await;
    // Empty: Slack's own client refuses it before anything is sent.
    b.click_testid("modal-submit").await;
    b.session
        .wait_for("[data-testid=\"input-error-story\"]", "required")
        .await;

    // A bed number: the bot's privacy guard updates the form with a
    // question, and refuses it again unanswered with an error under it.
    let input = b.session.testid("input-story").await;
    b.session
        .type_into(
            &input,
            "We sat with the lady in bed 7 until her son arrived.",
        )
        .await;
    b.click_testid("modal-submit").await;
    b.session.testid("input-privacy_ack").await;
    b.click_testid("modal-submit").await;
    b.session
        .wait_for("[data-testid=\"input-error-privacy_ack\"]", "tick this box")
        .await;
    b.screenshot("modal-error.png").await;

    let story = "Sam taught the night shift a calmer way to start IVs.";
    let input = b.session.testid("input-story").await;
    b.session.clear(&input).await;
    b.session.type_into(&input, story).await;
    b.click_testid("modal-submit").await;
    // The form closes on its own; the thanks go to the DM (whose arrival
    // redraws the sidebar: wait for it before clicking there).
    b.session.wait_gone(MODAL).await;
    b.session
        .wait_for("[data-testid=\"channel-dm\"].unread", "")
        .await;
    b.click_testid(&format!("channel-{MOMENTS}")).await;
    b.session.wait_for(MESSAGE, story).await;
    assert_eq!(
        b.tp.scalar("SELECT COUNT(*) FROM moments WHERE story LIKE '%bed 7%'")
            .await,
        0,
        "nothing with the bed number was stored"
    );
    b.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver"]
async fn a_nudge_from_run_job_now_opens_the_modal_and_the_home_tab_shows_goals() {
    let _one = ONE_BROWSER.lock().await;
    let b = open().await;
    b.act_as(NOA, "Noa Levi").await;
    b.run_job("moments-nudge").await;
    b.click_testid("channel-dm").await;
    b.session
        .wait_for(MESSAGE, "Do you have a mission moment")
        .await;
    b.screenshot("dm-nudge.png").await;
    let share = b
        .session
        .wait_for(
            "[data-testid=\"message\"] [data-testid=\"block-action-home_share\"]",
            "Share",
        )
        .await;
    b.session.click(&share).await;
    b.session.wait_for(MODAL, "Share").await;
    let story = "Jo stayed an hour past shift to explain a scan to a frightened father.";
    let input = b.session.testid("input-story").await;
    b.session.type_into(&input, story).await;
    b.click_testid("modal-submit").await;
    // The form closes on its own; the thanks go to the DM.
    b.session.wait_gone(MODAL).await;
    assert_eq!(
        b.tp.scalar("SELECT COUNT(*) FROM moments WHERE author = 'U0NOA'")
            .await,
        1
    );

    // The Home tab: Lee's goals, priorities and the latest moments.
    b.act_as(LEE, "Lee Chen").await;
    b.click_testid("channel-dm").await;
    b.click_testid("tab-home").await;
    let home = b
        .session
        .wait_for("[data-testid=\"home\"]", "Your goals")
        .await;
    let shown = b.session.text(&home).await;
    assert!(shown.contains("Cut wait for pain medication"), "{shown}");
    b.screenshot("home.png").await;
    b.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver"]
async fn the_block_kit_renderer_passes_its_self_test_in_the_browser() {
    let _one = ONE_BROWSER.lock().await;
    let b = open().await;
    b.session
        .goto(&format!("{}/playground/static/selftest.html", b.tp.address))
        .await;
    let summary = b
        .session
        .wait_for("[data-testid=\"selftest-summary\"]", "passed")
        .await;
    let text = b.session.text(&summary).await;
    let failed = b
        .session
        .script(
            "return document.querySelector('[data-testid=\"selftest-summary\"]').dataset.failed",
            vec![],
        )
        .await;
    assert_eq!(failed, "0", "{text}");
    b.close().await;
}

/// The date a named jump would land on now, from the page's own state.
async fn jump_date(b: &Browser, id: &str) -> String {
    let state = b.tp.get("/playground/api/state").await.body;
    state["jumps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == id)
        .unwrap_or_else(|| panic!("the time control offers {id}"))["date"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Clicks "Jump to ▾", then `id`, and waits for the top bar's date.
async fn jump(b: &Browser, id: &str) -> alignbot::scheduler::schedule::Month {
    let date = jump_date(b, id).await;
    b.click_testid("time-menu").await;
    b.click_testid(&format!("jump-{id}")).await;
    b.session
        .wait_for(
            &format!("[data-testid=\"sim-date\"][data-date=\"{date}\"]"),
            "",
        )
        .await;
    alignbot::scheduler::schedule::Month::parse(&date[..7]).unwrap()
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver"]
async fn the_time_control_lives_into_next_month_and_each_person_finds_their_nudges() {
    let _one = ONE_BROWSER.lock().await;
    let b = open().await;
    b.act_as(LEE, "Lee Chen").await;
    b.click_testid("channel-dm").await;

    // Next month's 1st: the leader is asked for the month's priorities.
    let month = jump(&b, "next-month").await;
    b.session
        .wait_for(MESSAGE, &format!("priorities for {}", month.label()))
        .await;

    // The next working day passes the 2nd: the draft of the team's progress
    // update over the month that ended, with the goals' latest notes.
    jump(&b, "next-working-day").await;
    let draft = b.session.wait_for(MESSAGE, "Add a sentence and post").await;
    let text = b.session.text(&draft).await;
    assert!(
        text.contains(&format!("progress in {}", month.prev().label())),
        "{text}"
    );
    assert!(text.contains("Cut wait for pain medication"), "{text}");
    b.screenshot("team-update-draft.png").await;

    // The 25th passes the 15th: a member is invited to share a moment.
    b.act_as(NOA, "Noa Levi").await;
    b.click_testid("channel-dm").await;
    jump(&b, "25th").await;
    b.session
        .wait_for(MESSAGE, "Do you have a mission moment?")
        .await;
    b.screenshot("time-control.png").await;
    b.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver"]
async fn an_executive_publishes_the_organizations_priorities_to_all_staff() {
    let _one = ONE_BROWSER.lock().await;
    let b = open().await;
    b.act_as("U0DANA", "Dana Brooks").await;
    b.click_testid("channel-C0STAFF").await;
    b.send(
        "/priorities org publish Safe staffing on every night shift; \
         Flu vaccination drive before January; Fewer falls on the wards",
    )
    .await;
    // The post in #all-staff: the items as typed, numbered, with who
    // published them and the progress per pillar.
    let post = b
        .session
        .wait_for(MESSAGE, "Flu vaccination drive before January")
        .await;
    let text = b.session.text(&post).await;
    assert!(text.contains("priorities for"), "{text}");
    assert!(
        text.contains("1. Safe staffing on every night shift"),
        "{text}"
    );
    assert!(text.contains("3. Fewer falls on the wards"), "{text}");
    assert!(text.contains("Published by"), "{text}");
    b.tp.eventually(
        "SELECT COUNT(*) FROM org_priorities WHERE channel = 'C0STAFF'",
        |n| n == 1,
        "the post never reached the staff channel",
    )
    .await;
    b.screenshot("org-priorities.png").await;
    b.close().await;
}
