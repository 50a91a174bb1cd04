//! Outgoing: the bot's client-credentials token from the fake identity
//! platform, cached by the manual clock, and never sent to a host outside
//! the allow-list.

use crate::support::{APP_ID, PASSWORD, Teams};
use alignbot::teams::service_url::ServiceUrlError;
use alignbot::teams::token::{BOT_FRAMEWORK_SCOPE, OutboundError, TokenError};
use axum::http::StatusCode;
use chrono::Duration;
use futures_util::future::join_all;
use serde_json::json;

fn header(token: &alignbot::teams::token::BearerToken) -> String {
    token.authorization().to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_token_is_asked_for_with_client_credentials_and_cached() {
    let t = Teams::start().await;
    let first = t.tokens.token().await.unwrap();
    let second = t.tokens.token().await.unwrap();

    assert_eq!(header(&first), "Bearer fake-connector-token-1");
    assert_eq!(header(&second), "Bearer fake-connector-token-1");
    let requests = t.fake.token_requests();
    assert_eq!(requests.len(), 1, "the second call used the cache");
    let mut form = requests[0].clone();
    form.sort();
    let expected = [
        ("client_id", APP_ID),
        ("client_secret", PASSWORD),
        ("grant_type", "client_credentials"),
        ("scope", BOT_FRAMEWORK_SCOPE),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    assert_eq!(form, expected);
}

#[tokio::test]
async fn the_token_is_replaced_five_minutes_before_it_expires() {
    let t = Teams::start().await;
    t.tokens.token().await.unwrap();

    t.clock.advance(Duration::seconds(3600 - 301));
    assert_eq!(
        header(&t.tokens.token().await.unwrap()),
        "Bearer fake-connector-token-1"
    );
    assert_eq!(t.fake.token_requests().len(), 1);

    t.clock.advance(Duration::seconds(1));
    assert_eq!(
        header(&t.tokens.token().await.unwrap()),
        "Bearer fake-connector-token-2"
    );
    assert_eq!(t.fake.token_requests().len(), 2);
}

#[tokio::test]
async fn a_short_lived_token_is_used_for_half_its_life() {
    let t = Teams::start().await;
    t.fake.set_expires_in(120);
    t.tokens.token().await.unwrap();
    t.clock.advance(Duration::seconds(59));
    t.tokens.token().await.unwrap();
    assert_eq!(t.fake.token_requests().len(), 1);
    t.clock.advance(Duration::seconds(1));
    t.tokens.token().await.unwrap();
    assert_eq!(t.fake.token_requests().len(), 2);
}

#[tokio::test]
async fn concurrent_callers_share_one_token_request() {
    let t = Teams::start().await;
    // join_all polls every call before the answer arrives.
    let tokens = join_all((0..10).map(|_| t.tokens.token())).await;
    assert!(tokens.iter().all(Result::is_ok));
    assert_eq!(t.fake.token_requests().len(), 1);
}

#[tokio::test]
async fn an_invalidated_token_is_fetched_again() {
    let t = Teams::start().await;
    t.tokens.token().await.unwrap();
    t.tokens.invalidate().await;
    assert_eq!(
        header(&t.tokens.token().await.unwrap()),
        "Bearer fake-connector-token-2"
    );
}

#[tokio::test]
async fn refused_credentials_are_reported_by_code_without_the_secret() {
    let t = Teams::start().await;
    t.fake.fail_token(Some((
        StatusCode::UNAUTHORIZED,
        json!({
            "error": "invalid_client",
            "error_description": format!(
                "AADSTS7000215: Invalid client secret provided: {PASSWORD}. Trace ID: 1"
            ),
        }),
    )));
    let err = t.tokens.token().await.unwrap_err();
    let TokenError::Rejected { code } = &err else {
        panic!("expected a rejection, got {err:?}");
    };
    assert_eq!(code, "HTTP 401 invalid_client AADSTS7000215");
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(PASSWORD), "{shown}");
    assert!(shown.contains("MICROSOFT_APP_PASSWORD"), "{shown}");

    t.fake
        .fail_token(Some((StatusCode::SERVICE_UNAVAILABLE, json!({}))));
    assert!(matches!(
        t.tokens.token().await,
        Err(TokenError::Unavailable(_))
    ));
    t.fake.fail_token(None);
    t.tokens
        .token()
        .await
        .expect("works again once the platform does");
}

#[tokio::test]
async fn a_service_url_outside_the_allow_list_gets_no_token_and_no_call() {
    let t = Teams::start().await;
    // The fake answers on every path, under either name; only 127.0.0.1 is allowed.
    let elsewhere = t.service_url.replace("127.0.0.1", "localhost");

    let err = t.tokens.authorize(&elsewhere).await.unwrap_err();
    assert!(
        matches!(
            &err,
            OutboundError::ServiceUrl(ServiceUrlError::HostNotAllowed(h)) if h == "localhost"
        ),
        "{err:?}"
    );
    // `authorize` returned, so everything it would have sent has been sent.
    assert!(
        t.fake.token_requests().is_empty(),
        "no token was even fetched"
    );
    assert!(t.fake.other_calls().is_empty());

    let allowed = t.tokens.authorize(&t.service_url).await.unwrap();
    assert_eq!(allowed.service_url.to_string(), t.service_url);
    assert_eq!(header(&allowed.token), "Bearer fake-connector-token-1");
}

#[tokio::test]
async fn the_token_is_redacted_in_debug_output_and_marked_sensitive() {
    let t = Teams::start().await;
    let token = t.tokens.token().await.unwrap();
    assert!(!format!("{token:?}").contains("fake-connector-token"));
    assert!(token.authorization().is_sensitive());
}
