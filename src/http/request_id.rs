//! Request ids: one per request, in every log line of the request and in
//! the answer's `X-Request-Id`, so an operator can follow one request from
//! the reverse proxy's log to ours.
//!
//! A proxy's id is kept when it looks like an id (at most
//! [`MAX_LEN`] characters of letters, digits and `-_.:`); anything else
//! (too long, spaces, control or other characters that could forge log
//! fields or lines) is replaced with a fresh one, so the header can never
//! inject text into our logs.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

/// Long enough for a UUID, a W3C trace id or a proxy's composite id.
pub const MAX_LEN: usize = 128;

/// The request's id, for handlers that want it (it is also on the span).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// Whether a proxy's id may be used as is.
pub fn is_sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// 128 random bits as 32 hex digits: unique enough to find one request.
fn generate() -> String {
    format!("{:032x}", fastrand::u128(..))
}

/// Takes or makes the id, opens the request's span with it, and echoes it.
/// Slack's handlers add team, user and kind to the span once the body is
/// verified (see `super::record_request`).
pub async fn layer(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane(v))
        .map(str::to_owned)
        .unwrap_or_else(generate);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        team = tracing::field::Empty,
        user = tracing::field::Empty,
        kind = tracing::field::Empty,
        status = tracing::field::Empty,
    );
    let header = HeaderValue::from_str(&id).expect("a sane or generated id is a valid header");
    req.headers_mut().insert(HEADER, header.clone());
    req.extensions_mut().insert(RequestId(id));
    async move {
        let mut response = next.run(req).await;
        tracing::Span::current().record("status", response.status().as_u16());
        tracing::debug!("answered");
        response.headers_mut().insert(HEADER, header);
        response
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_that_look_like_ids_are_kept_and_others_are_not() {
        for kept in [
            "3f2a9c1e-7b4d-4e8a-9f1c-2d3e4f5a6b7c",
            "01J9ZK3X7Q2M8V4N6P0R5T1W3Y",
            "req_42.edge:7",
        ] {
            assert!(is_sane(kept), "{kept}");
        }
        let long = "a".repeat(MAX_LEN + 1);
        for replaced in [
            "",
            "a b",
            "id\"level\":\"error",
            "<script>",
            "ü",
            long.as_str(),
        ] {
            assert!(!is_sane(replaced), "{replaced}");
        }
    }

    #[test]
    fn generated_ids_are_sane_and_differ() {
        let (a, b) = (generate(), generate());
        assert!(is_sane(&a) && a.len() == 32, "{a}");
        assert_ne!(a, b);
    }
}
