//! Incoming: an activity's `Authorization: Bearer` JWT is checked against the
//! fake identity platform's keys, with the manual clock as "now".

use crate::support::{APP_ID, KEY_1, KEY_2, Teams, bearer};
use alignbot::teams::auth::AuthError;
use alignbot::teams::service_url::ServiceUrlError;
use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use futures_util::future::join_all;
use serde_json::json;

/// Checks one token for an activity from `msteams` at the setup's serviceUrl.
async fn check(t: &Teams, authorization: Option<&str>) -> Result<(), AuthError> {
    t.auth
        .authenticate(authorization, &t.service_url, "msteams")
        .await
        .map(|_| ())
}

async fn check_token(t: &Teams, token: &str) -> Result<(), AuthError> {
    check(t, Some(&bearer(token))).await
}

#[tokio::test]
async fn a_valid_token_is_accepted_and_the_keys_are_fetched_once() {
    let t = Teams::start().await;
    let token = KEY_1.token(&t.claims());

    let service_url = t
        .auth
        .authenticate(Some(&bearer(&token)), &t.service_url, "msteams")
        .await
        .expect("a token the Bot Framework would send is accepted");
    assert_eq!(service_url.to_string(), t.service_url);
    check_token(&t, &token).await.unwrap();

    assert_eq!(t.fake.metadata_gets(), 1);
    assert_eq!(
        t.fake.key_set_gets(),
        1,
        "the second request used the cache"
    );
}

#[tokio::test]
async fn a_request_without_a_bearer_jwt_is_refused_before_any_key_is_fetched() {
    let t = Teams::start().await;
    let valid = KEY_1.token(&t.claims());
    let cases: Vec<(Option<String>, AuthError)> = vec![
        (None, AuthError::MissingToken),
        (Some(format!("Basic {valid}")), AuthError::NotBearer),
        (Some(format!("bearer {valid}")), AuthError::NotBearer),
        (Some("Bearer".into()), AuthError::NotBearer),
        (Some(format!("Bearer {valid} extra")), AuthError::NotBearer),
        (Some("Bearer not.a.jwt".into()), AuthError::Malformed),
        (Some("Bearer garbage".into()), AuthError::Malformed),
    ];
    for (header, expected) in cases {
        assert_eq!(
            check(&t, header.as_deref()).await,
            Err(expected),
            "{header:?}"
        );
    }
    assert_eq!(t.fake.metadata_gets(), 0);
    assert_eq!(t.fake.key_set_gets(), 0);
}

#[tokio::test]
async fn a_token_signed_by_another_key_under_a_published_key_id_is_refused() {
    let t = Teams::start().await;
    let forged = KEY_2.sign(KEY_1.kid, &t.claims());
    assert_eq!(check_token(&t, &forged).await, Err(AuthError::BadSignature));
}

#[tokio::test]
async fn a_token_whose_claims_were_changed_after_signing_is_refused() {
    let t = Teams::start().await;
    let token = KEY_1.token(&t.claims());
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let other = t.claims_with(json!({ "aud": "00000000-0000-0000-0000-000000000000" }));
    parts[1] = URL_SAFE_NO_PAD.encode(other.to_string());
    let tampered = KEY_1.token(&other);
    // The payload of another (valid) token under this token's signature.
    let spliced = format!(
        "{}.{}.{}",
        parts[0],
        tampered.split('.').nth(1).unwrap(),
        parts[2]
    );
    assert_eq!(
        check_token(&t, &spliced).await,
        Err(AuthError::BadSignature)
    );
    parts[2] = URL_SAFE_NO_PAD.encode([0u8; 256]);
    assert_eq!(
        check_token(&t, &parts.join(".")).await,
        Err(AuthError::BadSignature)
    );
}

#[tokio::test]
async fn only_rs256_with_a_key_id_is_accepted() {
    let t = Teams::start().await;
    let payload = URL_SAFE_NO_PAD.encode(t.claims().to_string());
    let unsigned = |header: serde_json::Value| {
        format!(
            "{}.{payload}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(b"sig")
        )
    };
    assert_eq!(
        check_token(&t, &unsigned(json!({"alg": "HS256", "kid": KEY_1.kid}))).await,
        Err(AuthError::WrongAlgorithm)
    );
    assert_eq!(
        check_token(&t, &unsigned(json!({"alg": "RS384", "kid": KEY_1.kid}))).await,
        Err(AuthError::WrongAlgorithm)
    );
    assert_eq!(
        check_token(&t, &unsigned(json!({"alg": "none", "kid": KEY_1.kid}))).await,
        Err(AuthError::Malformed),
        "`none` is not even an algorithm jsonwebtoken can name"
    );
    assert_eq!(
        check_token(&t, &unsigned(json!({"alg": "RS256"}))).await,
        Err(AuthError::MissingKeyId)
    );
    assert_eq!(t.fake.key_set_gets(), 0);
}

#[tokio::test]
async fn expiry_allows_five_minutes_of_skew_by_the_injected_clock() {
    let t = Teams::start().await;
    let now = t.claims()["iat"].as_i64().unwrap() + 10;
    let token = KEY_1.token(&t.claims_with(json!({ "exp": now + 60 })));

    t.clock.advance(Duration::seconds(60 + 299));
    check_token(&t, &token)
        .await
        .expect("within five minutes after exp, still accepted");
    t.clock.advance(Duration::seconds(1));
    assert_eq!(check_token(&t, &token).await, Err(AuthError::Expired));
}

#[tokio::test]
async fn a_token_not_valid_yet_is_refused_beyond_the_skew() {
    let t = Teams::start().await;
    let now = t.claims()["iat"].as_i64().unwrap() + 10;
    let early = KEY_1.token(&t.claims_with(json!({ "nbf": now + 301 })));
    assert_eq!(check_token(&t, &early).await, Err(AuthError::NotYetValid));
    let almost = KEY_1.token(&t.claims_with(json!({ "nbf": now + 299 })));
    check_token(&t, &almost).await.expect("within the skew");
}

#[tokio::test]
async fn each_wrong_claim_is_refused_with_its_own_error() {
    let t = Teams::start().await;
    let cases = [
        (
            json!({ "aud": "00000000-0000-0000-0000-000000000000" }),
            AuthError::WrongAudience,
        ),
        (
            json!({ "aud": ["https://api.botframework.com"] }),
            AuthError::WrongAudience,
        ),
        (json!({ "aud": null }), AuthError::WrongAudience),
        (
            json!({ "iss": "https://sts.windows.net/x/" }),
            AuthError::WrongIssuer,
        ),
        (json!({ "iss": null }), AuthError::WrongIssuer),
        (
            json!({ "serviceurl": "https://smba.trafficmanager.net/teams/" }),
            AuthError::ServiceUrlMismatch,
        ),
        (json!({ "serviceurl": null }), AuthError::ServiceUrlMismatch),
        (json!({ "exp": null }), AuthError::Malformed),
        (json!({ "exp": "4102444800" }), AuthError::Malformed),
    ];
    for (changes, expected) in cases {
        let token = KEY_1.token(&t.claims_with(changes.clone()));
        assert_eq!(check_token(&t, &token).await, Err(expected), "{changes}");
    }
    let many = KEY_1.token(&t.claims_with(json!({ "aud": ["someone-else", APP_ID] })));
    check_token(&t, &many)
        .await
        .expect("an audience list naming us is fine");
}

#[tokio::test]
async fn the_channel_must_be_msteams_and_endorsed_by_the_key() {
    let t = Teams::start().await;
    let token = KEY_1.token(&t.claims());
    assert_eq!(
        t.auth
            .authenticate(Some(&bearer(&token)), &t.service_url, "webchat")
            .await
            .map(|_| ()),
        Err(AuthError::WrongChannel)
    );

    let t = Teams::start().await;
    t.fake.set_keys(vec![KEY_1.jwk(&["webchat", "skype"])]);
    assert_eq!(
        check_token(&t, &KEY_1.token(&t.claims())).await,
        Err(AuthError::ChannelNotEndorsed)
    );

    let t = Teams::start().await;
    t.fake.set_keys(vec![KEY_1.jwk(&[])]);
    check_token(&t, &KEY_1.token(&t.claims()))
        .await
        .expect("a key without endorsements may sign for any channel");
}

#[tokio::test]
async fn a_service_url_on_a_host_outside_the_allow_list_is_refused() {
    let t = Teams::start().await;
    // The same fake, named by a host that is not on the list.
    let elsewhere = t.service_url.replace("127.0.0.1", "localhost");
    let token = KEY_1.token(&t.claims_with(json!({ "serviceurl": elsewhere })));
    assert_eq!(
        t.auth
            .authenticate(Some(&bearer(&token)), &elsewhere, "msteams")
            .await
            .map(|_| ()),
        Err(AuthError::ServiceUrl(ServiceUrlError::HostNotAllowed(
            "localhost".into()
        )))
    );
}

#[tokio::test]
async fn an_unknown_key_id_refetches_the_keys_once_then_waits_five_minutes() {
    let t = Teams::start().await;
    check_token(&t, &KEY_1.token(&t.claims())).await.unwrap();
    assert_eq!(t.fake.key_set_gets(), 1);

    // Not published: one refetch, then refused.
    let stranger = KEY_2.token(&t.claims());
    assert_eq!(check_token(&t, &stranger).await, Err(AuthError::UnknownKey));
    assert_eq!(t.fake.key_set_gets(), 2, "one refetch for the unknown kid");

    // A flood of invented key ids costs nothing more.
    for i in 0..20 {
        let invented = KEY_2.sign(&format!("invented-{i}"), &t.claims());
        assert_eq!(check_token(&t, &invented).await, Err(AuthError::UnknownKey));
    }
    assert_eq!(t.fake.key_set_gets(), 2);
    check_token(&t, &KEY_1.token(&t.claims()))
        .await
        .expect("known keys keep working meanwhile");

    // Microsoft rotates to key 2; five minutes later its kid is fetched.
    t.fake
        .set_keys(vec![KEY_1.jwk(&["msteams"]), KEY_2.jwk(&["msteams"])]);
    t.clock.advance(Duration::seconds(299));
    assert_eq!(
        check_token(&t, &KEY_2.token(&t.claims())).await,
        Err(AuthError::UnknownKey)
    );
    assert_eq!(t.fake.key_set_gets(), 2);
    t.clock.advance(Duration::seconds(1));
    check_token(&t, &KEY_2.token(&t.claims()))
        .await
        .expect("the rotated key is found after one refetch");
    assert_eq!(t.fake.key_set_gets(), 3);
}

#[tokio::test]
async fn concurrent_requests_with_a_new_key_id_share_one_refetch() {
    let t = Teams::start().await;
    check_token(&t, &KEY_1.token(&t.claims())).await.unwrap();
    t.fake.set_keys(vec![KEY_2.jwk(&["msteams"])]);
    t.clock.advance(Duration::minutes(5));

    let token = KEY_2.token(&t.claims());
    // join_all polls every check before any answer arrives, so without
    // single-flight each would start its own fetch.
    let results = join_all((0..10).map(|_| check_token(&t, &token))).await;
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(t.fake.key_set_gets(), 2);
}

#[tokio::test]
async fn the_key_set_is_refetched_after_a_day() {
    let t = Teams::start().await;
    check_token(&t, &KEY_1.token(&t.claims())).await.unwrap();
    t.clock.advance(Duration::hours(24));
    check_token(&t, &KEY_1.token(&t.claims())).await.unwrap();
    assert_eq!(t.fake.key_set_gets(), 2);
}

#[tokio::test]
async fn unreachable_keys_are_a_server_side_failure_not_a_bad_token() {
    let t = Teams::start().await;
    t.fake
        .fail_metadata(Some(StatusCode::INTERNAL_SERVER_ERROR));
    let err = check_token(&t, &KEY_1.token(&t.claims()))
        .await
        .unwrap_err();
    assert_eq!(err, AuthError::KeysUnavailable);
    assert!(err.is_unavailable());

    // Retried after a short backoff, not on every request.
    check_token(&t, &KEY_1.token(&t.claims()))
        .await
        .unwrap_err();
    assert_eq!(t.fake.metadata_gets(), 1);
    t.fake.fail_metadata(None);
    t.clock.advance(Duration::seconds(10));
    check_token(&t, &KEY_1.token(&t.claims())).await.unwrap();
    assert_eq!(t.fake.metadata_gets(), 2);
}

#[tokio::test]
async fn no_error_message_repeats_the_token() {
    let t = Teams::start().await;
    let token = KEY_2.sign(KEY_1.kid, &t.claims());
    let err = check_token(&t, &token).await.unwrap_err();
    let shown = format!("{err} {err:?}");
    for part in token.split('.') {
        assert!(!shown.contains(part), "{shown}");
    }
}

#[tokio::test]
async fn a_day_old_key_set_keeps_serving_while_microsoft_is_down() {
    let t = Teams::start().await;
    check_token(&t, &KEY_1.token(&t.claims())).await.unwrap();
    t.fake.fail_metadata(Some(StatusCode::SERVICE_UNAVAILABLE));
    t.clock.advance(Duration::hours(25));
    check_token(&t, &KEY_1.token(&t.claims()))
        .await
        .expect("the known key is still used when the refetch fails");
    check_token(&t, &KEY_1.token(&t.claims())).await.unwrap();
    assert_eq!(
        t.fake.metadata_gets(),
        2,
        "one failed refetch, then backoff"
    );
}
