//! A fake Microsoft identity platform on a random local port: the Bot
//! Framework's OpenID metadata, its key set (JWKS, with `endorsements`), and
//! the client-credentials token endpoint. Any other path stands in for a Bot
//! Connector and is only recorded, so a test can prove nothing was sent.
//! Everything it serves is switchable and every request is counted.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One request to the token endpoint, as form fields.
pub type TokenRequest = Vec<(String, String)>;

#[derive(Default)]
struct Inner {
    base: String,
    keys: Mutex<Vec<Value>>,
    metadata_failure: Mutex<Option<StatusCode>>,
    metadata_gets: AtomicUsize,
    key_set_gets: AtomicUsize,
    token_requests: Mutex<Vec<TokenRequest>>,
    token_failure: Mutex<Option<(StatusCode, Value)>>,
    expires_in: AtomicI64,
    other_calls: Mutex<Vec<String>>,
}

#[derive(Clone)]
pub struct FakeIdentity(Arc<Inner>);

impl FakeIdentity {
    /// Starts the fake; it lives until the test's runtime ends.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let inner = Arc::new(Inner {
            base,
            expires_in: AtomicI64::new(3600),
            ..Inner::default()
        });
        let app = Router::new()
            .route("/openid", get(metadata))
            .route("/keys", get(key_set))
            .route("/token", post(token))
            .fallback(other)
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self(inner)
    }

    /// `http://127.0.0.1:<port>`
    pub fn base(&self) -> &str {
        &self.0.base
    }

    pub fn set_keys(&self, keys: Vec<Value>) {
        *self.0.keys.lock().unwrap() = keys;
    }

    pub fn fail_metadata(&self, status: Option<StatusCode>) {
        *self.0.metadata_failure.lock().unwrap() = status;
    }

    pub fn key_set_gets(&self) -> usize {
        self.0.key_set_gets.load(Ordering::SeqCst)
    }

    pub fn metadata_gets(&self) -> usize {
        self.0.metadata_gets.load(Ordering::SeqCst)
    }

    pub fn set_expires_in(&self, seconds: i64) {
        self.0.expires_in.store(seconds, Ordering::SeqCst);
    }

    pub fn fail_token(&self, failure: Option<(StatusCode, Value)>) {
        *self.0.token_failure.lock().unwrap() = failure;
    }

    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.0.token_requests.lock().unwrap().clone()
    }

    /// Requests to any path the fake does not serve (a stand-in connector).
    pub fn other_calls(&self) -> Vec<String> {
        self.0.other_calls.lock().unwrap().clone()
    }
}

async fn metadata(State(s): State<Arc<Inner>>) -> Response {
    s.metadata_gets.fetch_add(1, Ordering::SeqCst);
    if let Some(status) = *s.metadata_failure.lock().unwrap() {
        return status.into_response();
    }
    axum::Json(json!({
        "issuer": "https://api.botframework.com",
        "authorization_endpoint": "https://invalid.botframework.com",
        "jwks_uri": format!("{}/keys", s.base),
        "id_token_signing_alg_values_supported": ["RS256"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
    }))
    .into_response()
}

async fn key_set(State(s): State<Arc<Inner>>) -> Response {
    s.key_set_gets.fetch_add(1, Ordering::SeqCst);
    let keys = s.keys.lock().unwrap().clone();
    axum::Json(json!({ "keys": keys })).into_response()
}

async fn token(State(s): State<Arc<Inner>>, body: String) -> Response {
    let form: TokenRequest = serde_urlencoded::from_str(&body).unwrap();
    let n = {
        let mut requests = s.token_requests.lock().unwrap();
        requests.push(form);
        requests.len()
    };
    if let Some((status, body)) = s.token_failure.lock().unwrap().clone() {
        return (status, axum::Json(body)).into_response();
    }
    let expires_in = s.expires_in.load(Ordering::SeqCst);
    axum::Json(json!({
        "token_type": "Bearer",
        "expires_in": expires_in,
        "ext_expires_in": expires_in,
        "access_token": format!("fake-connector-token-{n}"),
    }))
    .into_response()
}

async fn other(
    State(s): State<Arc<Inner>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let auth = headers.contains_key("authorization");
    s.other_calls
        .lock()
        .unwrap()
        .push(format!("{method} {uri} authorization={auth}"));
    axum::Json(json!({ "id": "1" })).into_response()
}
