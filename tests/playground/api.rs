//! The playground through the bot: page API requests become signed Slack
//! requests to the real handlers, and the bot's Web API calls land in the
//! local workspace.

use crate::page::PageApi;
use crate::support::*;
use serde_json::{Value, json};
use slack_morphism::prelude::*;
use std::time::Duration;

fn moment_values(story: &str) -> Value {
    json!({
        "story": {"story": {"type": "plain_text_input", "value": story}},
        "pillar": {"pillar": {"type": "static_select", "selected_option": null}},
        "recognized": {"recognized": {"type": "multi_users_select", "selected_users": []}},
        "audience": {"audience": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "Everyone"}, "value": "channel"}}},
    })
}

#[tokio::test]
async fn a_moment_shared_with_the_command_is_posted_in_moments_exactly_as_written() {
    let tp = spawn().await;
    let story = "We did it <!here> *not bold* & <b>kept</b> :tada: for <@U0LEE>";
    let a = tp
        .page_command(NOA, NURSING, &format!("/moment {story}"))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["ok"], true, "{}", a.body);
    assert_eq!(a.body["response"]["response_type"], "ephemeral");

    // The bot's answer is shown to Noa only.
    let mine = tp.messages(NURSING, NOA).await;
    assert!(
        mine.iter()
            .any(|m| m["ephemeral_for"] == NOA && all_text(m).contains("Thank you")),
        "{mine:#?}"
    );
    let theirs = tp.messages(NURSING, ADMIN).await;
    assert!(
        !theirs.iter().any(|m| all_text(m).contains("Thank you")),
        "{theirs:#?}"
    );

    // The post reached #moments through chat.postMessage, story untouched.
    let posts = tp
        .wait_messages(MOMENTS, ADMIN, "the new moment", |ms| ms.len() == 4)
        .await;
    let post = posts.last().unwrap();
    assert_eq!(post["bot"], true);
    let exact = post["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["text"]["type"] == "plain_text" && b["text"]["text"] == story);
    assert!(exact, "the story is not shown exactly as written: {post:#}");
    tp.stop().await;
}

#[tokio::test]
async fn an_unknown_command_is_refused_like_slack_does() {
    let tp = spawn().await;
    let a = tp.page_command(NOA, NURSING, "/nope hello").await;
    assert_eq!(a.body["ok"], false);
    assert!(
        a.body["error"].as_str().unwrap().contains("/nope"),
        "{}",
        a.body
    );
    tp.stop().await;
}

#[tokio::test]
async fn the_moment_modal_opens_shows_errors_under_the_story_then_posts() {
    let tp = spawn().await;
    let a = tp.page_command(NOA, NURSING, "/moment").await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    assert_eq!(a.body["response"], Value::Null);
    let views = tp.wait_views(NOA, 1).await;
    let view = &views[0];
    assert_eq!(view["view"]["callback_id"], "moment_share");
    let id = view["id"].as_str().unwrap();
    // Nobody else sees it.
    tp.wait_views(ADMIN, 0).await;

    let a = tp
        .page_post(
            "/playground/api/submit",
            json!({"as": NOA, "view_id": id, "values": moment_values("")}),
        )
        .await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    assert_eq!(a.body["response_action"], "errors");
    assert!(a.body["errors"]["story"].is_string(), "{}", a.body);
    let still = tp.wait_views(NOA, 1).await;
    assert_eq!(still[0]["errors"], a.body["errors"]);

    let story = "Sam stayed late to teach a new nurse the night routine.";
    let a = tp
        .page_post(
            "/playground/api/submit",
            json!({"as": NOA, "view_id": id, "values": moment_values(story)}),
        )
        .await;
    // The form closes, like Slack's; the thanks come in Noa's DM.
    assert_eq!(a.body["response_action"], "clear", "{}", a.body);
    tp.wait_views(NOA, 0).await;
    tp.wait_messages(&format!("D{NOA}"), NOA, "the thanks", |ms| {
        ms.iter().any(|m| all_text(m).contains("Thank you"))
    })
    .await;
    let posts = tp
        .wait_messages(MOMENTS, NOA, "the submitted moment", |ms| {
            ms.iter().any(|m| all_text(m).contains(story))
        })
        .await;
    assert_eq!(posts.len(), 4);
    tp.stop().await;
}

#[tokio::test]
async fn run_job_now_sends_a_nudge_whose_button_opens_the_modal_and_can_run_again() {
    let tp = spawn().await;
    let a = tp
        .page_post("/playground/api/job", json!({"job": "moments-nudge"}))
        .await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    assert!(a.body["enqueued"].as_u64().unwrap() >= 1, "{}", a.body);
    assert_eq!(a.body["delivered"], true);

    // Noa has not shared this month: the nudge is in her DM with the bot.
    let dm = format!("D{NOA}");
    let messages = tp
        .wait_messages(&dm, NOA, "the nudge", |ms| !ms.is_empty())
        .await;
    let nudge = &messages[0];
    let (block_id, button) =
        find_action(&nudge["blocks"], "home_share").expect("a Share button in the nudge");
    // A DM is private.
    let other = tp
        .get(&format!("/playground/api/messages?channel={dm}&as={ADMIN}"))
        .await;
    assert_eq!(other.status, 404);

    let a = tp
        .page_post(
            "/playground/api/action",
            json!({
                "as": NOA,
                "container": {"type": "message", "channel": dm, "ts": nudge["ts"]},
                "action": {"type": "button", "action_id": "home_share", "block_id": block_id, "value": button["value"], "text": button["text"]},
            }),
        )
        .await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    let views = tp.wait_views(NOA, 1).await;
    assert_eq!(views[0]["view"]["callback_id"], "moment_share");

    // Again: the playground re-runs the month's job (its claim released).
    let a = tp
        .page_post("/playground/api/job", json!({"job": "moments-nudge"}))
        .await;
    assert!(a.body["enqueued"].as_u64().unwrap() >= 1, "{}", a.body);
    tp.wait_messages(&dm, NOA, "a second nudge", |ms| ms.len() == 2)
        .await;
    assert_eq!(
        tp.scalar("SELECT COUNT(*) FROM job_runs WHERE job = 'moments-nudge'")
            .await,
        1
    );

    let a = tp
        .page_post("/playground/api/job", json!({"job": "nope"}))
        .await;
    assert_eq!(a.status, 404);
    tp.stop().await;
}

#[tokio::test]
async fn the_digest_job_posts_to_moments_and_leadership() {
    let tp = spawn().await;
    let leaders_before = tp.messages("C0LEADERS", LEE).await.len();
    let a = tp
        .page_post("/playground/api/job", json!({"job": "monthly-digest"}))
        .await;
    assert_eq!(a.body["enqueued"], 2, "{}", a.body);
    let leaders = tp.messages("C0LEADERS", LEE).await;
    assert_eq!(leaders.len(), leaders_before + 1, "{leaders:#?}");
    let moments = tp.messages(MOMENTS, LEE).await;
    assert_eq!(moments.len(), 4, "three moments and the digest");
    tp.stop().await;
}

#[tokio::test]
async fn a_reaction_reaches_the_bot_and_is_counted() {
    let tp = spawn().await;
    let posts = tp.messages(MOMENTS, ADMIN).await;
    let ts = posts[0]["ts"].as_str().unwrap().to_owned();
    let react =
        |add: bool| json!({"as": ADMIN, "channel": MOMENTS, "ts": ts, "name": "tada", "add": add});
    let a = tp.page_post("/playground/api/reaction", react(true)).await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    assert_eq!(a.body["message"]["reactions"][0]["users"], json!([ADMIN]));
    assert_eq!(
        tp.scalar("SELECT COUNT(*) FROM moment_reactions").await,
        1,
        "reaction_added reached the bot"
    );
    // The same reaction again changes nothing, as in Slack.
    tp.page_post("/playground/api/reaction", react(true)).await;
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM moment_reactions").await, 1);
    tp.page_post("/playground/api/reaction", react(false)).await;
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM moment_reactions").await, 0);
    let a = tp
        .page_post(
            "/playground/api/reaction",
            json!({"as": ADMIN, "channel": MOMENTS, "ts": ts, "name": "<script>", "add": true}),
        )
        .await;
    assert_eq!(a.status, 400);
    tp.stop().await;
}

#[tokio::test]
async fn opening_the_home_tab_publishes_it_through_the_bot() {
    let tp = spawn().await;
    // Seeding Lee's goals already published it once.
    let before = tp.get(&format!("/playground/api/home?as={LEE}")).await;
    let a = tp
        .page_post("/playground/api/home", json!({"as": LEE}))
        .await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let home = loop {
        let a = tp.get(&format!("/playground/api/home?as={LEE}")).await;
        if a.body["view"].is_object() && a.body["view"]["hash"] != before.body["view"]["hash"] {
            break a.body["view"].clone();
        }
        assert!(tokio::time::Instant::now() < deadline, "no Home tab");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert_eq!(home["kind"], "home");
    assert_eq!(home["view"]["type"], "home");
    assert_eq!(home["user"], LEE);
    tp.stop().await;
}

#[tokio::test]
async fn the_web_api_answers_the_bots_client_like_slack() {
    let tp = spawn().await;
    let client = alignbot::slack::client::build_client(&tp.pg.api_url()).unwrap();
    let token = SlackApiToken::new(tp.pg.bot_token().to_owned().into());
    let session = client.open_session(&token);

    let info = session
        .users_info(&SlackApiUsersInfoRequest::new("U0PRIYA".into()))
        .await
        .expect("users.info");
    assert_eq!(info.user.tz.as_deref(), Some("Europe/Lisbon"));
    assert_eq!(info.user.real_name.as_deref(), Some("Priya Nair"));

    let opened = session
        .conversations_open(
            &SlackApiConversationsOpenRequest::new().with_users(vec!["U0NOA".into()]),
        )
        .await
        .expect("conversations.open");
    assert_eq!(opened.channel.id.to_string(), "DU0NOA");

    let eph = session
        .chat_post_ephemeral(&SlackApiChatPostEphemeralRequest::new(
            "C0NURSING".into(),
            "U0NOA".into(),
            SlackMessageContent::new().with_text("psst".into()),
        ))
        .await;
    assert!(eph.is_ok(), "{eph:?}");
    let psst = |ms: Vec<Value>| ms.iter().any(|m| m["text"] == "psst");
    assert!(psst(tp.messages(NURSING, NOA).await));
    assert!(!psst(tp.messages(NURSING, LEE).await));

    let missing = session
        .chat_post_message(&SlackApiChatPostMessageRequest::new(
            "C0NOWHERE".into(),
            SlackMessageContent::new().with_text("x".into()),
        ))
        .await;
    assert!(
        matches!(&missing, Err(slack_morphism::errors::SlackClientError::ApiError(e)) if e.code == "channel_not_found"),
        "{missing:?}"
    );

    let used = session
        .views_open(&SlackApiViewsOpenRequest::new(
            "1.2.not-a-trigger".into(),
            SlackView::Modal(SlackModalView::new("x".into(), vec![])),
        ))
        .await;
    assert!(used.is_err(), "an unknown trigger opens nothing");

    // Without the bot's token, nothing is answered.
    let r = tp
        .http
        .get(format!("{}/users.info?user=U0NOA", tp.pg.api_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["content-type"],
        "application/json; charset=utf-8"
    );
    let body: Value = serde_json::from_str(&r.text().await.unwrap()).unwrap();
    assert_eq!(body, json!({"ok": false, "error": "not_authed"}));
    tp.stop().await;
}

#[tokio::test]
async fn slack_endpoints_still_refuse_unsigned_requests_in_the_playground() {
    let tp = spawn().await;
    for path in ["/slack/commands", "/slack/interactions", "/slack/events"] {
        let r = tp
            .http
            .post(format!("{}{path}", tp.address))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("command=%2Fmoment&text=hi&user_id=U0NOA")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{path}");
    }
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM moments").await, 3);
    tp.stop().await;
}

#[tokio::test]
async fn the_page_and_its_files_are_served_from_the_binary() {
    let tp = spawn().await;
    let r = tp.http.get(&tp.address).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "text/html; charset=utf-8");
    let html = r.text().await.unwrap();
    assert!(html.contains("/playground/static/app.js"), "{html}");
    let r = tp
        .http
        .get(format!("{}/playground/static/app.js", tp.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let r = tp
        .http
        .get(format!("{}/playground/static/..%2FCargo.toml", tp.address))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);

    let state = tp.get("/playground/api/state").await.body;
    assert_eq!(state["default_person"], ADMIN);
    assert_eq!(
        state["people"].as_array().unwrap().len(),
        9,
        "eight people and the executive"
    );
    let commands: Vec<&str> = state["slash_commands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["/moment", "/goal", "/priorities", "/align"]);
    assert_eq!(state["shortcuts"].as_array().unwrap().len(), 4);
    // Every job `jobs list` shows, the reminders and team update too.
    assert_eq!(state["jobs"].as_array().unwrap().len(), 10);
    assert!(
        state["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j == "org-priorities-nudge")
    );
    tp.stop().await;
}

#[tokio::test]
async fn the_stream_shows_each_person_what_they_may_see() {
    let tp = spawn().await;
    let mut stream = tp
        .http
        .get(format!("{}/playground/api/stream?as={ADMIN}", tp.address))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let story = "Jo calmed a scared child with a paper-crane lesson.";
    let a = tp
        .page_command(NOA, NURSING, &format!("/moment {story}"))
        .await;
    assert_eq!(a.body["ok"], true);
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !seen.contains(story) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("the post arrives on the stream")
            .unwrap()
            .expect("the stream stays open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: message"), "{seen}");
    // Noa's ephemeral "thank you" went to her only.
    assert!(!seen.contains("Thank you"), "{seen}");
    tp.stop().await;
}

#[tokio::test]
async fn a_restarted_playground_keeps_its_messages_and_does_not_seed_twice() {
    let tp = spawn().await;
    tp.page_command(NOA, NURSING, "/moment One more story for the wall.")
        .await;
    tp.wait_messages(MOMENTS, NOA, "the new post", |ms| ms.len() == 4)
        .await;
    let dir = tp.stop().await;
    let tp = spawn_in(dir).await;
    assert_eq!(tp.messages(MOMENTS, NOA).await.len(), 4);
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM moments").await, 4);
    tp.stop().await;
}

#[tokio::test]
async fn shortcuts_open_the_moment_form_prefilled_from_the_message() {
    let tp = spawn().await;
    let a = tp
        .page_post(
            "/playground/api/shortcut",
            json!({"as": NOA, "callback_id": "share_moment"}),
        )
        .await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    let views = tp.wait_views(NOA, 1).await;
    assert_eq!(views[0]["view"]["callback_id"], "moment_share");
    tp.page_post(
        "/playground/api/close",
        json!({"as": NOA, "view_id": views[0]["id"]}),
    )
    .await;
    tp.wait_views(NOA, 0).await;

    // Lee's message, shared as a moment by Noa: the story is prefilled
    // and Lee is recognized.
    let text = "Night shift covered two extra beds without a single complaint.";
    let a = tp
        .page_post(
            "/playground/api/message",
            json!({"as": LEE, "channel": NURSING, "text": text}),
        )
        .await;
    let ts = a.body["message"]["ts"].as_str().unwrap().to_owned();
    let a = tp
        .page_post(
            "/playground/api/shortcut",
            json!({"as": NOA, "callback_id": "share_as_moment", "channel": NURSING, "ts": ts}),
        )
        .await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    let views = tp.wait_views(NOA, 1).await;
    let form = views[0]["view"].to_string();
    assert!(form.contains(text), "{form}");
    assert!(form.contains(LEE), "{form}");
    tp.stop().await;
}

#[tokio::test]
async fn reset_empties_the_demo_and_seeds_it_again() {
    let tp = spawn().await;
    tp.page_command(NOA, NURSING, "/moment A story that the reset forgets.")
        .await;
    tp.page_post("/playground/api/job", json!({"job": "moments-nudge"}))
        .await;
    tp.wait_messages(MOMENTS, NOA, "the new post", |ms| ms.len() == 4)
        .await;
    let goals = tp.scalar("SELECT COUNT(*) FROM goals").await;

    let a = tp.page_post("/playground/api/reset", json!({})).await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM moments").await, 3);
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM goals").await, goals);
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM job_runs").await, 0);
    assert_eq!(tp.scalar("SELECT MIN(id) FROM goals").await, 1);
    let posts = tp.messages(MOMENTS, NOA).await;
    assert_eq!(posts.len(), 3, "{posts:#?}");
    assert!(!all_text(&json!(posts)).contains("the reset forgets"));
    assert!(tp.messages(&format!("D{NOA}"), NOA).await.is_empty());
    // And it still works afterwards.
    let a = tp
        .page_post("/playground/api/job", json!({"job": "moments-nudge"}))
        .await;
    assert!(a.body["enqueued"].as_u64().unwrap() >= 1, "{}", a.body);
    tp.stop().await;
}

#[tokio::test]
async fn a_held_story_is_posted_from_its_button_and_the_answer_replaced_in_place() {
    let tp = spawn().await;
    let a = tp
        .page_command(NOA, NURSING, "/moment We sang for the lady in bed 7.")
        .await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    let mine = tp.messages(NURSING, NOA).await;
    let held = mine
        .iter()
        .find(|m| m["ephemeral_for"] == NOA)
        .expect("the question is shown to Noa");
    let (block_id, button) =
        find_action(&held["blocks"], "draft_post").expect("a Post as written button");
    let a = tp
        .page_post(
            "/playground/api/action",
            json!({
                "as": NOA,
                "container": {"type": "message", "channel": NURSING, "ts": held["ts"]},
                "action": {"type": "button", "action_id": "draft_post", "block_id": block_id, "value": button["value"]},
            }),
        )
        .await;
    assert_eq!(a.body["ok"], true, "{}", a.body);
    // The bot answers through the response URL with replace_original.
    let ts = held["ts"].clone();
    tp.wait_messages(NURSING, NOA, "the replaced answer", |ms| {
        ms.iter().any(|m| {
            m["ts"] == ts && m["edited"] == true && all_text(m).contains("Posted as written")
        })
    })
    .await;
    tp.wait_messages(MOMENTS, NOA, "the post", |ms| {
        ms.iter().any(|m| all_text(m).contains("bed 7"))
    })
    .await;
    tp.stop().await;
}

/// A request to the playground with `host` as its `Host` header.
async fn with_host(tp: &TestPlayground, method: &str, path: &str, host: &str) -> Answer {
    let url = format!("{}{path}", tp.address);
    let request = match method {
        "GET" => tp.http.get(url),
        _ => tp
            .http
            .post(url)
            .header("content-type", "application/json")
            .header(
                alignbot::playground::guard::TOKEN_HEADER,
                tp.pg.page_token(),
            )
            .body(json!({"as": NOA, "channel": NURSING, "text": "/moment A rebinding page wrote this story."}).to_string()),
    };
    crate::page::read(request.header("host", host).send().await.unwrap()).await
}

#[tokio::test]
async fn only_the_playgrounds_own_host_is_answered_so_dns_rebinding_gets_nothing() {
    let tp = spawn().await;
    let port = tp.address.rsplit(':').next().unwrap().to_owned();
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1.nip.io:{port}"),
        "127.0.0.1:1".to_owned(),
    ] {
        for path in ["/", "/playground/api/state", "/playground/static/app.js"] {
            let a = with_host(&tp, "GET", path, &host).await;
            assert_eq!(a.status, 403, "{host}{path}: {}", a.body);
            assert!(
                a.body["error"]
                    .as_str()
                    .unwrap()
                    .contains("answers only to"),
                "{}",
                a.body
            );
        }
        // Even with the token, a command through another name does nothing.
        let a = with_host(&tp, "POST", "/playground/api/command", &host).await;
        assert_eq!(a.status, 403, "{}", a.body);
    }
    for host in [format!("localhost:{port}"), format!("[::1]:{port}")] {
        let a = with_host(&tp, "GET", "/playground/api/state", &host).await;
        assert_eq!(a.status, 200, "{host}: {}", a.body);
    }
    tp.settle().await;
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM moments").await, 3);
    tp.stop().await;
}

#[tokio::test]
async fn a_change_needs_the_pages_token_or_its_own_origin_and_a_cross_site_post_does_nothing() {
    let tp = spawn().await;
    tp.page_post("/playground/api/job", json!({"job": "moments-nudge"}))
        .await;
    let before = tp.scalar("SELECT COUNT(*) FROM job_runs").await;
    let post = |origin: Option<&str>, token: Option<&str>, path: &str| {
        let mut r = tp
            .http
            .post(format!("{}{path}", tp.address))
            .header("content-type", "application/json");
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        if let Some(t) = token {
            r = r.header(alignbot::playground::guard::TOKEN_HEADER, t);
        }
        r.body(json!({"as": NOA, "channel": NURSING, "text": "/moment Forged by another site, never stored."}).to_string())
    };
    let token = tp.pg.page_token().to_owned();
    for (origin, token, why) in [
        (None, None, "X-Playground-Token"),
        (None, Some("guessed"), "X-Playground-Token"),
        (Some("https://evil.example"), None, "another site"),
        (
            Some("https://evil.example"),
            Some(token.as_str()),
            "another site",
        ),
        (Some("null"), None, "another site"),
    ] {
        for path in [
            "/playground/api/command",
            "/playground/api/reset",
            "/playground/api/time",
        ] {
            let a = crate::page::read(post(origin, token, path).send().await.unwrap()).await;
            assert_eq!(a.status, 403, "{origin:?} {token:?} {path}: {}", a.body);
            let error = a.body["error"].as_str().unwrap().to_lowercase();
            assert!(error.contains(&why.to_lowercase()), "{error}");
        }
    }
    // A client that sends neither (the harness's plain `post` and
    // `command`) is refused too.
    let a = tp.post("/playground/api/reset", json!({})).await;
    assert_eq!(a.status, 403, "{}", a.body);
    let a = tp
        .command(NOA, NURSING, "/moment Sent without the page's token.")
        .await;
    assert_eq!(a.status, 403, "{}", a.body);
    // Nothing changed: no moment, the demo not reset, no job run.
    tp.settle().await;
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM moments").await, 3);
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM job_runs").await, before);

    // The page itself, from its own origin, may.
    let own = tp.address.clone();
    let a = crate::page::read(
        post(Some(&own), None, "/playground/api/command")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.body);
    tp.settle().await;
    assert_eq!(tp.scalar("SELECT COUNT(*) FROM moments").await, 4);
    tp.stop().await;
}

#[tokio::test]
async fn the_page_carries_a_token_made_for_this_run() {
    let tp = spawn().await;
    let html = tp.http.get(&tp.address).send().await.unwrap();
    assert_eq!(html.headers()["cache-control"], "no-store");
    assert_eq!(html.headers()["x-frame-options"], "DENY");
    let html = html.text().await.unwrap();
    let token = tp.pg.page_token().to_owned();
    assert_eq!(token.len(), 64);
    assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
    assert!(
        html.contains(&format!(
            r#"<meta name="playground-token" content="{token}">"#
        )),
        "{html}"
    );
    // Another run has another token, and another signing secret.
    let other = spawn().await;
    assert_ne!(other.pg.page_token(), token);
    assert_ne!(other.pg.bot_token(), tp.pg.bot_token());
    other.stop().await;
    tp.stop().await;
}

#[test]
fn the_playground_warns_when_it_listens_beyond_loopback() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_alignbot"))
        .args(["playground", "--listen", "0.0.0.0:0"])
        .current_dir(dir.path())
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let stderr = BufReader::new(child.stderr.take().unwrap());
    // The warning comes before the playground serves. Read on a thread, so
    // a playground that never warns fails the test instead of hanging it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let found = stderr
            .lines()
            .map_while(Result::ok)
            .find(|l| l.contains("warning:"));
        let _ = tx.send(found);
    });
    let warning = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .ok()
        .flatten();
    child.kill().unwrap();
    child.wait().unwrap();
    let warning = warning.expect("a warning on stderr");
    assert!(warning.contains("not loopback"), "{warning}");
    assert!(warning.contains("act as anyone"), "{warning}");
}

#[tokio::test]
async fn the_guard_learns_the_demo_colleagues_names_through_users_info_and_lets_them_be_thanked() {
    use alignbot::domain::privacy;
    let tp = spawn().await;
    let story = "Priya Nair and Sam Patel stayed late to settle the new admissions.";
    assert!(
        !privacy::scan(story).is_empty(),
        "strangers' names are found"
    );
    // The names pass runs in the background at start (users.info on the
    // playground's own Web API): wait, bounded, until it has finished.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !privacy::scan_with(story, &tp.pg.ctx.known_people()).is_empty() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the demo people's names were never learned"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let a = tp
        .page_command(NOA, NURSING, &format!("/moment {story}"))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let mine = tp.messages(NURSING, NOA).await;
    assert!(
        mine.iter()
            .any(|m| m["ephemeral_for"] == NOA && all_text(m).contains("Thank you")),
        "{mine:#?}"
    );
    tp.stop().await;
}
