//! What a message says is decided in the app (`app::compose`), against the
//! current state, before any platform sees it: the Slack adapter is only
//! handed the result.

use crate::helpers::{MOMENTS, NURSE, spawn_app};
use alignbot::app::compose::{Composed, Message, compose};
use alignbot::app::outgoing::Outgoing;
use alignbot::app::people::{PlatformPeople, ZoneLookupError};
use alignbot::domain::ids::NudgeId;
use alignbot::domain::{ChannelId, MomentId, PersonId};
use futures_util::future::BoxFuture;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A platform whose people live in one zone (or whose look-up fails), and
/// which counts how often it was asked.
struct Zones {
    zone: Result<Option<&'static str>, ZoneLookupError>,
    asked: AtomicUsize,
}

impl Zones {
    fn new(zone: Result<Option<&'static str>, ZoneLookupError>) -> Self {
        Self {
            zone,
            asked: AtomicUsize::new(0),
        }
    }
}

impl PlatformPeople for Zones {
    fn time_zone<'a>(
        &'a self,
        _person: &'a PersonId,
    ) -> BoxFuture<'a, Result<Option<String>, ZoneLookupError>> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        let answer = self.zone.clone().map(|z| z.map(str::to_owned));
        Box::pin(async move { answer })
    }
}

fn nudge_at(local_at: &str) -> Outgoing {
    Outgoing::MomentsNudge {
        nudge: NudgeId(999_999),
        person: PersonId::parse(NURSE).unwrap(),
        local_at: Some(local_at.to_owned()),
    }
}

#[tokio::test]
async fn a_posted_moment_composes_to_an_update_of_its_recorded_post_and_never_to_a_second_post() {
    let app = spawn_app().await;
    let story = "<!channel> Mrs. *B* said <https://x.test|thanks> & smiled";
    app.post_command("/moment", story, NURSE).await;
    app.settle().await;
    let post = app.fake.calls_to("chat.postMessage");
    assert_eq!(post.len(), 1);
    let id = MomentId(app.scalar("SELECT MAX(id) FROM moments").await);
    let channel = ChannelId::parse(MOMENTS).unwrap();
    let people = Zones::new(Ok(None));

    let again = Outgoing::PostMoment {
        moment: id,
        channel: channel.clone(),
    };
    let composed = compose(&app.ctx, &people, &again).await.unwrap();
    assert!(
        matches!(composed, Composed::Skip("moment was already posted")),
        "{composed:?}"
    );

    let recorded: String = sqlx::query_scalar("SELECT ts FROM moments WHERE id = $1")
        .bind(id.0)
        .fetch_one(app.ctx.store.reads())
        .await
        .unwrap();
    let update = Outgoing::UpdateMoment {
        moment: id,
        channel,
    };
    match compose(&app.ctx, &people, &update).await.unwrap() {
        Composed::Update {
            at,
            message: Message::Moment(m),
        } => {
            assert_eq!(
                (at.channel.as_str(), at.ts.as_str()),
                (MOMENTS, recorded.as_str())
            );
            assert_eq!(
                m.moment.story, story,
                "the view model holds the story as written"
            );
        }
        other => panic!("expected an update of the recorded post, got {other:?}"),
    }
    assert_eq!(
        people.asked.load(Ordering::SeqCst),
        0,
        "no nudge, no look-up"
    );
}

#[tokio::test]
async fn a_nudge_waits_for_the_jobs_hour_in_the_persons_own_zone_learned_once() {
    let app = spawn_app().await;
    let people = Zones::new(Ok(Some("Asia/Tokyo")));
    // The clock starts at 2026-11-16T15:00Z; 09:00 the next day in Tokyo is
    // 2026-11-17T00:00Z, nine hours ahead.
    let message = nudge_at("2026-11-17T09:00");
    for _ in 0..2 {
        match compose(&app.ctx, &people, &message).await.unwrap() {
            Composed::Defer(at, _) => {
                assert_eq!(
                    at,
                    "2026-11-17T00:00:00Z"
                        .parse::<chrono::DateTime<chrono::Utc>>()
                        .unwrap()
                )
            }
            other => panic!("expected to wait for Tokyo's 09:00, got {other:?}"),
        }
    }
    assert_eq!(
        people.asked.load(Ordering::SeqCst),
        1,
        "the zone is cached after the first look-up"
    );
    assert_eq!(
        app.scalar("SELECT COUNT(*) FROM person_tz WHERE tz = 'Asia/Tokyo'")
            .await,
        1
    );
}

#[tokio::test]
async fn a_zone_the_platform_cannot_give_never_holds_a_nudge_back() {
    let app = spawn_app().await;
    for failing in [
        Zones::new(Err(ZoneLookupError::Failed("user_not_found".into()))),
        Zones::new(Ok(Some("Not/AZone"))),
    ] {
        let composed = compose(&app.ctx, &failing, &nudge_at("2026-11-17T09:00"))
            .await
            .unwrap();
        // Not deferred: composed at once (this nudge has no row, so nothing
        // is left to send).
        assert!(matches!(composed, Composed::Skip(_)), "{composed:?}");
    }
    assert_eq!(app.scalar("SELECT COUNT(*) FROM person_tz").await, 0);
}

#[tokio::test]
async fn a_rate_limited_zone_look_up_slows_delivery_down_instead_of_guessing() {
    let app = spawn_app().await;
    let limited = Zones::new(Err(ZoneLookupError::RateLimited(Some(
        std::time::Duration::from_secs(7),
    ))));
    let err = compose(&app.ctx, &limited, &nudge_at("2026-11-17T09:00"))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        alignbot::app::compose::ComposeError::RateLimited(Some(std::time::Duration::from_secs(7)))
    );
}
