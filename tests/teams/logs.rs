//! Nothing secret reaches the logs: the client secret, the connector token
//! and incoming JWTs are absent from everything Teams code traces, at every
//! level, through a success and each kind of failure.

use crate::support::{KEY_1, KEY_2, PASSWORD, Teams, bearer, logs};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn secrets_and_tokens_are_never_logged() {
    let t = Teams::start().await;
    let good = KEY_1.token(&t.claims());
    let forged = KEY_2.sign(KEY_1.kid, &t.claims());
    t.auth
        .authenticate(Some(&bearer(&good)), &t.service_url, "msteams")
        .await
        .unwrap();
    t.auth
        .authenticate(Some(&bearer(&forged)), &t.service_url, "msteams")
        .await
        .unwrap_err();
    let connector = t.tokens.token().await.unwrap();
    t.tokens.invalidate().await;
    t.fake.fail_token(Some((
        StatusCode::UNAUTHORIZED,
        json!({
            "error": "invalid_client",
            "error_description": format!("AADSTS7000215: bad secret {PASSWORD}"),
        }),
    )));
    t.tokens.token().await.unwrap_err();

    // Everything this binary's tests logged so far, this one's included.
    let logs = logs();
    // The capture works: the events we expect are there.
    assert!(
        logs.contains("fetched the Bot Framework signing keys"),
        "{logs}"
    );
    assert!(logs.contains("fetched a Bot Connector token"), "{logs}");
    assert!(logs.contains("AADSTS7000215"), "{logs}");
    // And what must never be there is not.
    let header = connector.authorization();
    let connector_token = header.to_str().unwrap().trim_start_matches("Bearer ");
    assert!(!logs.contains(PASSWORD), "the client secret was logged");
    assert!(
        !logs.contains(connector_token),
        "the connector token was logged"
    );
    for jwt in [&good, &forged] {
        let signature = jwt.rsplit('.').next().unwrap();
        assert!(!logs.contains(signature), "an incoming JWT was logged");
    }
}
