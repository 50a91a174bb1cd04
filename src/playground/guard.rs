//! Who may talk to the playground. Anyone who reaches it can act as the
//! admin, so it must not be reachable by a web page on another site: a
//! page there could POST to it cross-site, or point its own DNS name at
//! 127.0.0.1 (DNS rebinding) and then read and drive the playground as if
//! it were that site.
//!
//! Two checks keep it local:
//! - every request must name the playground itself in `Host` (a loopback
//!   name with the bound port, or the exact `--listen` address when that is
//!   not loopback), which a rebinding page cannot do;
//! - every state-changing page request (`POST /playground/api/*`) must carry
//!   the page's per-run token (`X-Playground-Token`, embedded in the page
//!   the playground serves) or an `Origin` of the playground itself, which a
//!   cross-site form or fetch cannot do.
//!
//! A refused request is answered 403 with a sentence saying why, before
//! any handler runs, so nothing changes.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use subtle::ConstantTimeEq;

/// The header the page sends its token in.
pub const TOKEN_HEADER: &str = "x-playground-token";

/// The page API's paths; requests there that change something need the
/// token or a same-origin `Origin`.
const PAGE_API: &str = "/playground/api/";

/// The accepted `Host` values and the page's token for one run.
#[derive(Debug)]
pub struct Guard {
    hosts: Vec<String>,
    token: String,
}

impl Guard {
    /// Accepts the loopback names with `bound`'s port and, when `bound` is
    /// not a loopback address, `bound` itself.
    pub fn new(bound: SocketAddr, token: String) -> Self {
        let port = bound.port();
        let mut hosts: Vec<String> = ["127.0.0.1", "localhost", "[::1]"]
            .iter()
            .map(|h| format!("{h}:{port}"))
            .collect();
        if !bound.ip().is_loopback() {
            hosts.push(bound.to_string());
        }
        if port == 80 {
            // Browsers leave the default port out of `Host` and `Origin`.
            let bare: Vec<String> = hosts
                .iter()
                .filter_map(|h| h.strip_suffix(":80").map(str::to_owned))
                .collect();
            hosts.extend(bare);
        }
        Self { hosts, token }
    }

    /// The per-run token the page sends with every change.
    pub fn token(&self) -> &str {
        &self.token
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    fn origin_allowed(&self, origin: &str) -> bool {
        origin
            .strip_prefix("http://")
            .is_some_and(|host| self.host_allowed(host))
    }

    fn token_given(&self, headers: &HeaderMap) -> bool {
        headers
            .get(TOKEN_HEADER)
            .is_some_and(|v| v.as_bytes().ct_eq(self.token.as_bytes()).into())
    }

    /// Why a request is refused, or `None` when it may go on.
    pub fn refusal(&self, method: &Method, path: &str, headers: &HeaderMap) -> Option<String> {
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !self.host_allowed(host) {
            return Some(format!(
                "the playground answers only to {} (this request named the host {:?}); \
                 open it at http://{}/",
                self.hosts.join(", "),
                host.chars().take(100).collect::<String>(),
                self.hosts[0],
            ));
        }
        let changes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !changes || !path.starts_with(PAGE_API) {
            return None;
        }
        let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
        if let Some(origin) = origin
            && !self.origin_allowed(origin)
        {
            return Some(
                "a request from another site cannot change the playground: use the playground's own page"
                    .to_owned(),
            );
        }
        if self.token_given(headers) || origin.is_some() {
            return None;
        }
        Some(format!(
            "a change to the playground needs the page's token in the {TOKEN_HEADER} header, \
             or an Origin header of the playground itself (e.g. Origin: http://{})",
            self.hosts[0]
        ))
    }
}

/// The middleware: refuses with 403 before any handler runs.
pub async fn check(
    State(guard): State<Arc<Guard>>,
    request: Request<Body>,
    next: Next,
) -> Response {
    match guard.refusal(request.method(), request.uri().path(), request.headers()) {
        None => next.run(request).await,
        Some(why) => {
            tracing::warn!(method = %request.method(), path = %request.uri().path(), "playground request refused: {why}");
            (
                StatusCode::FORBIDDEN,
                axum::Json(json!({"ok": false, "error": why})),
            )
                .into_response()
        }
    }
}

/// The warning `alignbot playground` prints when `--listen` is not
/// loopback: anyone who can reach the address can act as anyone, admins
/// included.
pub fn exposure_warning(bound: SocketAddr) -> Option<String> {
    (!bound.ip().is_loopback()).then(|| {
        format!(
            "warning: the playground listens on {bound}, which is not loopback. Anyone who can reach \
             this address can act as anyone in the demo organization, admins included, and reset \
             it. Use --listen 127.0.0.1:{} unless you mean to share it on a trusted network.",
            bound.port()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn guard(bound: &str) -> Guard {
        Guard::new(bound.parse().unwrap(), "t0ken".into())
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn only_loopback_hosts_with_the_bound_port_are_answered() {
        let g = guard("127.0.0.1:3000");
        for ok in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST:3000",
            "[::1]:3000",
        ] {
            assert_eq!(
                g.refusal(&Method::GET, "/", &headers(&[("host", ok)])),
                None,
                "{ok}"
            );
        }
        for bad in [
            "evil.example:3000",
            "127.0.0.1:3001",
            "localhost",
            "127.0.0.1.nip.io:3000",
            "0.0.0.0:3000",
        ] {
            let why = g
                .refusal(&Method::GET, "/", &headers(&[("host", bad)]))
                .expect(bad);
            assert!(why.contains("answers only to"), "{why}");
        }
        assert!(g.refusal(&Method::GET, "/", &HeaderMap::new()).is_some());
    }

    #[test]
    fn a_non_loopback_listener_also_answers_to_its_own_address_and_warns() {
        let g = guard("0.0.0.0:3000");
        let h = headers(&[("host", "0.0.0.0:3000")]);
        assert_eq!(g.refusal(&Method::GET, "/", &h), None);
        assert!(
            g.refusal(&Method::GET, "/", &headers(&[("host", "192.168.1.9:3000")]))
                .is_some()
        );
        let warning = exposure_warning("0.0.0.0:3000".parse().unwrap()).unwrap();
        assert!(warning.contains("not loopback"), "{warning}");
        assert_eq!(exposure_warning("127.0.0.1:3000".parse().unwrap()), None);
        assert_eq!(exposure_warning("[::1]:3000".parse().unwrap()), None);
    }

    #[test]
    fn changes_need_the_token_or_a_same_origin_and_never_a_foreign_origin() {
        let g = guard("127.0.0.1:3000");
        let path = "/playground/api/reset";
        let host = ("host", "127.0.0.1:3000");
        assert!(
            g.refusal(&Method::POST, path, &headers(&[host]))
                .unwrap()
                .contains(TOKEN_HEADER)
        );
        assert!(
            g.refusal(
                &Method::POST,
                path,
                &headers(&[host, (TOKEN_HEADER, "nope")])
            )
            .is_some()
        );
        assert_eq!(
            g.refusal(
                &Method::POST,
                path,
                &headers(&[host, (TOKEN_HEADER, "t0ken")])
            ),
            None
        );
        assert_eq!(
            g.refusal(
                &Method::POST,
                path,
                &headers(&[host, ("origin", "http://localhost:3000")])
            ),
            None
        );
        for foreign in ["https://evil.example", "null", "http://127.0.0.1:3001"] {
            let h = headers(&[host, ("origin", foreign), (TOKEN_HEADER, "t0ken")]);
            assert!(g.refusal(&Method::POST, path, &h).is_some(), "{foreign}");
        }
        // Reads and the bot's own Web API calls need no token.
        assert_eq!(g.refusal(&Method::GET, path, &headers(&[host])), None);
        assert_eq!(
            g.refusal(
                &Method::POST,
                "/playground/slack/api/chat.postMessage",
                &headers(&[host])
            ),
            None
        );
    }
}
