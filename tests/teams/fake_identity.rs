//! A fake Microsoft identity platform on a random local port: the Bot
//! Framework's OpenID metadata, its key set (JWKS, with `endorsements`), and
//! the client-credentials token endpoint. Any other path stands in for a Bot
//! Connector (`{serviceUrl}/v3/conversations/…`): it records every call
//! (method, decoded path, JSON body, whether it carried our token), answers
//! with ids as the real one does, and fails on demand (429 with
//! Retry-After, 5xx, 403). Everything it serves is switchable and every
//! request is counted.

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
    connector_calls: Mutex<Vec<ConnectorCall>>,
    /// Answers for the next connector calls, in order, instead of success.
    connector_failures: Mutex<std::collections::VecDeque<(StatusCode, Option<u64>)>>,
    next_id: AtomicUsize,
}

/// One call to the fake Bot Connector.
#[derive(Debug, Clone)]
pub struct ConnectorCall {
    pub method: String,
    /// Percent-decoded, without the `/connector` service URL prefix.
    pub path: String,
    pub body: Value,
    pub authorization: Option<String>,
    /// The status the fake answered.
    pub status: u16,
}

impl ConnectorCall {
    /// Every Adaptive Card in the call's body.
    pub fn cards(&self) -> Vec<Value> {
        let activity = self.body.get("activity").unwrap_or(&self.body);
        activity
            .get("attachments")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(|x| x.get("content").cloned()).collect())
            .unwrap_or_default()
    }

    /// All text of the call's cards, joined (for "does it say …").
    pub fn text(&self) -> String {
        let mut out = String::new();
        for card in self.cards() {
            collect_text(&card, &mut out);
        }
        out
    }
}

fn collect_text(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                if (k == "text" || k == "title")
                    && let Some(s) = v.as_str()
                {
                    out.push_str(s);
                    out.push('\n');
                }
                collect_text(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_text(i, out)),
        _ => {}
    }
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

    /// Every call the fake Bot Connector received.
    pub fn connector_calls(&self) -> Vec<ConnectorCall> {
        self.0.connector_calls.lock().unwrap().clone()
    }

    /// The calls it answered with success.
    pub fn delivered(&self) -> Vec<ConnectorCall> {
        self.connector_calls()
            .into_iter()
            .filter(|c| c.status < 300)
            .collect()
    }

    /// The next connector call is answered `status` (with `Retry-After`).
    pub fn fail_connector(&self, status: StatusCode, retry_after: Option<u64>) {
        self.0
            .connector_failures
            .lock()
            .unwrap()
            .push_back((status, retry_after));
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
    body: String,
) -> Response {
    let auth = headers.contains_key("authorization");
    s.other_calls
        .lock()
        .unwrap()
        .push(format!("{method} {uri} authorization={auth}"));
    let path = percent_encoding::percent_decode_str(uri.path())
        .decode_utf8_lossy()
        .trim_start_matches("/connector")
        .to_owned();
    let failure = s.connector_failures.lock().unwrap().pop_front();
    let status = failure.map_or(StatusCode::OK, |(status, _)| status);
    s.connector_calls.lock().unwrap().push(ConnectorCall {
        method: method.to_string(),
        path: path.clone(),
        body: serde_json::from_str(&body).unwrap_or(Value::Null),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        status: status.as_u16(),
    });
    if let Some((status, retry_after)) = failure {
        let mut response = (
            status,
            axum::Json(json!({"error": {"code": "Failure", "message": "failed on demand"}})),
        )
            .into_response();
        if let Some(after) = retry_after {
            response
                .headers_mut()
                .insert("retry-after", after.to_string().parse().unwrap());
        }
        return response;
    }
    let n = s.next_id.fetch_add(1, Ordering::SeqCst) + 1;
    if method == Method::POST && path == "/v3/conversations" {
        let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        return if request["isGroup"] == json!(true) {
            let channel = request["channelData"]["channel"]["id"]
                .as_str()
                .unwrap_or("19:x");
            (
                StatusCode::CREATED,
                axum::Json(
                    json!({"id": format!("{channel};messageid={n}"), "activityId": n.to_string()}),
                ),
            )
                .into_response()
        } else {
            let member = request["members"][0]["id"].as_str().unwrap_or("x");
            (
                StatusCode::CREATED,
                axum::Json(json!({"id": format!("a:created-{member}")})),
            )
                .into_response()
        };
    }
    axum::Json(json!({ "id": n.to_string() })).into_response()
}
