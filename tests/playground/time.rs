//! The time control: "Jump to" moves the playground's clock, the scheduled
//! jobs that fire on the way run as `serve` would run them, once per
//! (job, month), and people find what they were sent in their DMs.

use crate::page::PageApi;
use crate::support::*;
use alignbot::scheduler::schedule::Month;
use serde_json::Value;

const MAX: &str = "U0MAX";

/// The runs a jump reports for `job`.
fn runs<'a>(answer: &'a Value, job: &str) -> Vec<&'a Value> {
    answer["fired"]
        .as_array()
        .expect("a jump lists what fired")
        .iter()
        .filter(|f| f["job"] == job)
        .collect()
}

/// The priorities nudges `who` has in their DM.
async fn nudges(tp: &TestPlayground, who: &str, month: &Month) -> usize {
    let wanted = format!("priorities for {}", month.label());
    tp.messages(&format!("D{who}"), who)
        .await
        .iter()
        .filter(|m| m["text"].as_str().is_some_and(|t| t.ends_with(&wanted)))
        .count()
}

#[tokio::test]
async fn jumping_to_next_months_first_nudges_the_leaders_once_and_shows_the_new_date() {
    let tp = spawn().await;
    let before = tp.get("/playground/api/state").await.body;
    let today = before["now"]["date"].as_str().unwrap().to_owned();
    let first = before["jumps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["id"] == "next-month")
        .expect("next month's 1st is offered")["date"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(first > today && first.ends_with("-01"), "{first}");
    let month = Month::parse(&first[..7]).unwrap();

    let a = tp.jump("next-month").await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["delivered"], true, "{}", a.body);
    assert_eq!(a.body["now"]["date"], first.as_str());
    let nudge = runs(&a.body, "priorities-nudge");
    let this_month: Vec<_> = nudge
        .iter()
        .filter(|r| r["period"] == month.key().as_str())
        .collect();
    assert_eq!(this_month.len(), 1, "{}", a.body);
    assert_eq!(this_month[0]["ran"], true, "{}", a.body);
    // Both leaders were nudged, Max in Chicago too, each once.
    for leader in [LEE, MAX] {
        assert_eq!(nudges(&tp, leader, &month).await, 1, "{leader}");
    }
    // A member leads nothing.
    assert_eq!(nudges(&tp, NOA, &month).await, 0);
    // The answer says who received something.
    let received: Vec<&str> = a.body["received"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["person"].as_str().unwrap())
        .collect();
    assert!(
        received.contains(&LEE) && received.contains(&MAX),
        "{}",
        a.body
    );
    assert!(
        a.body["summary"].as_str().unwrap().contains("Lee Chen"),
        "{}",
        a.body
    );
    // The page shows the new date.
    let state = tp.get("/playground/api/state").await.body;
    assert_eq!(state["now"]["date"], first.as_str());
    assert!(
        state["now"]["label"]
            .as_str()
            .unwrap()
            .contains(&month.label()[..3]),
        "{}",
        state["now"]
    );

    // Later in the same month: the nudge does not fire again.
    let a = tp.jump("next-working-day").await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(
        runs(&a.body, "priorities-nudge")
            .iter()
            .all(|r| r["period"] != month.key().as_str() || r["ran"] == false),
        "{}",
        a.body
    );
    tp.settle().await;
    for leader in [LEE, MAX] {
        assert_eq!(nudges(&tp, leader, &month).await, 1, "{leader}");
    }
    let key = month.key();
    let claimed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM job_runs WHERE job = 'priorities-nudge' AND period = ?",
    )
    .bind(&key)
    .fetch_one(tp.pg.ctx.store.reads())
    .await
    .unwrap();
    assert_eq!(claimed, 1);
    tp.stop().await;
}

#[tokio::test]
async fn time_only_moves_forward_even_through_a_reset() {
    let tp = spawn().await;
    let today = tp.get("/playground/api/state").await.body["now"]["date"]
        .as_str()
        .unwrap()
        .to_owned();
    for (to, why) in [
        ("2001-01-01", "only moves forward"),
        ("yesterday", "YYYY-MM-DD"),
        ("2999-01-01", "at most 400 days"),
    ] {
        let a = tp.jump(to).await;
        assert_eq!(a.status, 400, "{to}: {}", a.body);
        assert!(
            a.body["error"].as_str().unwrap().contains(why),
            "{}",
            a.body
        );
    }
    assert_eq!(
        tp.get("/playground/api/state").await.body["now"]["date"],
        today.as_str()
    );
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM job_runs").await, 0);

    let a = tp.jump("year-end").await;
    assert_eq!(a.status, 200, "{}", a.body);
    let year_end = a.body["now"]["date"].as_str().unwrap().to_owned();
    assert!(year_end.ends_with("-12-31"), "{year_end}");
    // A reset seeds the demo again on the day the playground is at.
    let a = tp
        .page_post("/playground/api/reset", serde_json::json!({}))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    tp.settle().await;
    assert_eq!(
        tp.get("/playground/api/state").await.body["now"]["date"],
        year_end.as_str()
    );
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM moments").await, 3);
    tp.stop().await;
}

#[tokio::test]
async fn a_restarted_playground_is_still_on_the_day_it_was_moved_to() {
    let tp = spawn().await;
    let a = tp.jump("next-month").await;
    let date = a.body["now"]["date"].as_str().unwrap().to_owned();
    let dir = tp.stop().await;
    let tp = spawn_in(dir).await;
    assert_eq!(
        tp.get("/playground/api/state").await.body["now"]["date"],
        date.as_str()
    );
    tp.stop().await;
}
