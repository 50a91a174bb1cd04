//! A scheduled nudge waits for the job's hour in each person's own time
//! zone, and that wait lives in the database (the outbox row's
//! `next_attempt_at`, the job's local time in its payload, the person's zone
//! in `person_tz`), not in the process that fired the job. So when that
//! process dies, another replica sends each waiting nudge when it is due:
//! not before, and once.
//!
//! The binary runs on the real clock and offers no way to move it, and the
//! wait is hours (no time zone is a few seconds from UTC). The test makes
//! those hours pass for the waiting rows instead: it moves both their
//! `next_attempt_at` and the job's local time in their payload back by the
//! time still to wait, which is what the hours passing amounts to for them.

use super::*;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::Value;

/// Hours behind the org's zone (UTC): these people's 10:00 comes later.
const BEHIND: &str = "America/New_York";
/// The pharmacy team works there; everyone else in UTC.
const PHARMACY: [&str; 3] = ["U0LEAD2", "U0PHARM1", "U0PHARM2"];
/// Not in any team, so never nudged: the control moments' author.
const ADMIN: &str = "U0ADMIN";

/// A waiting moments nudge, as its outbox row says.
#[derive(Debug)]
struct Waiting {
    id: i64,
    person: String,
    local_at: String,
    next_attempt_at: i64,
    claimed_by: Option<String>,
    payload: Value,
}

async fn waiting(cluster: &Cluster) -> Vec<Waiting> {
    let rows: Vec<(i64, String, i64, Option<String>)> = sqlx::query_as(
        "SELECT id, payload, next_attempt_at, claimed_by FROM outbox \
         WHERE status = 'pending' AND payload LIKE '%\"kind\":\"moments_nudge\"%' ORDER BY id",
    )
    .fetch_all(&cluster.db)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(id, payload, next_attempt_at, claimed_by)| {
            let payload: Value = serde_json::from_str(&payload).unwrap();
            Waiting {
                id,
                person: payload["person"].as_str().unwrap().to_owned(),
                local_at: payload["local_at"].as_str().unwrap_or_default().to_owned(),
                next_attempt_at,
                claimed_by,
                payload,
            }
        })
        .collect()
}

/// The instant wall-clock `local_at` ("2026-11-27T20:32") is in `tz`.
fn instant_in(tz: &str, local_at: &str) -> DateTime<Utc> {
    let zone: chrono_tz::Tz = tz.parse().unwrap();
    let local = NaiveDateTime::parse_from_str(local_at, "%Y-%m-%dT%H:%M").unwrap();
    zone.from_local_datetime(&local)
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

/// The moments nudges posted so far.
fn nudges(cluster: &Cluster) -> Vec<Call> {
    cluster
        .fake
        .calls_to("chat.postMessage")
        .into_iter()
        .filter(is_moments_nudge)
        .collect()
}

/// Waits until replica `n` has posted control story `story_n` to the
/// moments channel: proof that it ran a delivery round after the story
/// was stored (a round reads every pending row, waiting ones included).
async fn control_posted(cluster: &Cluster, n: usize, story_n: usize) {
    wait_for(
        Duration::from_secs(20),
        "the control moment's post",
        || async {
            cluster
                .fake
                .posts_to(MOMENTS)
                .iter()
                // Late in a month the catch-up posts a digest there too.
                .any(|p| p.body.to_string().contains(&story(story_n)) && sender(p) == n)
                .then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL server binaries (initdb, pg_ctl); .ci/run installs them"]
async fn nudges_waiting_for_a_persons_hour_survive_the_replica_that_fired_them() {
    // The moments nudge fires a few seconds from now, in the org's zone
    // (UTC): at that minute's wall-clock time in each person's own zone.
    let fire = Utc::now() + chrono::Duration::seconds(10);
    let cron = fire.format("%S %M %H %d %m *").to_string();
    // The month's digest is due from the 1st: the replica catches it up at
    // start, whatever the date (its posts are not nudges).
    let cluster = Cluster::new(&format!(
        "moments_nudge = \"{cron}\"\nmonthly_digest = \"0 0 0 1 * *\""
    ))
    .await;
    for person in PHARMACY {
        cluster.fake.set_time_zone(person, BEHIND);
    }
    let mut first = cluster.serve_one(0, true, &[]);
    assert!(
        Utc::now() < fire,
        "the replica must be up before the fire time"
    );

    // It fires: people in UTC are nudged at once; the pharmacy's nudges
    // wait, unclaimed, for 10:00-ish in New York, hours from now.
    let local_at = fire.format("%Y-%m-%dT%H:%M").to_string();
    let due = instant_in(BEHIND, &local_at);
    let rows = wait_for(
        Duration::from_secs(40),
        "the fire: UTC people nudged, the others waiting",
        || async {
            let rows = waiting(&cluster).await;
            let waiting_unclaimed = rows.len() == PHARMACY.len()
                && rows
                    .iter()
                    .all(|r| r.next_attempt_at == due.timestamp_millis() && r.claimed_by.is_none());
            let nudged = nudges(&cluster).len() == PEOPLE.len() - PHARMACY.len();
            (waiting_unclaimed && nudged).then_some(rows)
        },
    )
    .await;
    assert!(due > Utc::now() + chrono::Duration::hours(3), "{due}");
    let mut people: Vec<&str> = rows.iter().map(|r| r.person.as_str()).collect();
    people.sort_unstable();
    let mut pharmacy = PHARMACY.to_vec();
    pharmacy.sort_unstable();
    assert_eq!(people, pharmacy, "{rows:#?}");
    assert!(rows.iter().all(|r| r.local_at == local_at), "{rows:#?}");
    let zones: i64 = cluster
        .count("SELECT COUNT(*) FROM person_tz WHERE tz = 'America/New_York'")
        .await;
    assert_eq!(zones, 3, "the zones learned are in the database");
    assert!(
        nudges(&cluster)
            .iter()
            .all(|n| sender(n) == 0 && !PHARMACY.contains(&n.channel())),
        "only UTC people nudged so far, by the replica that fired"
    );

    first.kill();
    let killed_at = now_ms();

    // A replica that never saw the fire takes over; it is not told of the
    // waiting rows, it finds them. A control moment (by someone who is
    // never nudged) proves it ran a round after they were there; the
    // waiting nudges were not sent in it.
    let second = cluster.serve_one(1, true, &[]);
    assert!(share_as(second.port, ADMIN, 900).await);
    control_posted(&cluster, 1, 900).await;
    assert!(
        nudges(&cluster)
            .iter()
            .all(|n| !PHARMACY.contains(&n.channel())),
        "a waiting nudge went out early"
    );
    let still: Vec<(i64, i64)> = waiting(&cluster)
        .await
        .iter()
        .map(|r| (r.id, r.next_attempt_at))
        .collect();
    assert_eq!(
        still,
        rows.iter()
            .map(|r| (r.id, r.next_attempt_at))
            .collect::<Vec<_>>()
    );

    // The hours pass (see the module doc): each row becomes due a moment
    // from now, at the current minute in New York.
    let send_from = now_ms() + 2_000;
    let zone: chrono_tz::Tz = BEHIND.parse().unwrap();
    let local_now = Utc::now()
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    for row in &rows {
        let mut payload = row.payload.clone();
        payload["local_at"] = serde_json::json!(local_now);
        sqlx::query("UPDATE outbox SET next_attempt_at = $1, payload = $2 WHERE id = $3")
            .bind(send_from)
            .bind(payload.to_string())
            .bind(row.id)
            .execute(&cluster.db)
            .await
            .unwrap();
    }
    // The replica sleeps until the next due row it knew of (hours away):
    // on the real clock it would wake then. A second control moment wakes
    // it now, and its round finds the rows due in two seconds.
    assert!(share_as(second.port, ADMIN, 901).await);
    control_posted(&cluster, 1, 901).await;
    wait_for(
        Duration::from_secs(20),
        "the waiting nudges to be sent",
        || async { (cluster.pending().await == 0).then_some(()) },
    )
    .await;

    // Everyone was nudged exactly once; the pharmacy by the survivor, once
    // due and not before, from the zone it read in the database.
    assert_each_person_nudged_once(&cluster.fake.calls_to("chat.postMessage"));
    assert_eq!(digests(&cluster), 1, "the digest caught up at start");
    for nudge in nudges(&cluster)
        .iter()
        .filter(|n| PHARMACY.contains(&n.channel()))
    {
        assert_eq!(sender(nudge), 1, "{nudge:?}");
        assert!(
            nudge.at_ms >= send_from,
            "sent at {}, before it was due at {send_from}",
            nudge.at_ms
        );
    }
    let asked: Vec<Call> = cluster
        .fake
        .calls_to("users.info")
        .into_iter()
        .filter(|c| sender(c) == 1 && PHARMACY.contains(&c.body["user"].as_str().unwrap_or("")))
        .collect();
    assert!(
        asked.is_empty(),
        "the survivor asked Slack again: {asked:?}"
    );
    eprintln!(
        "local hours test: {} nudges were to wait {} min; the survivor sent them {} ms after the kill",
        rows.len(),
        (due - Utc::now()).num_minutes(),
        now_ms() - killed_at
    );
}
