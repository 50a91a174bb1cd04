//! Slack request signing (v0): HMAC-SHA256 over `v0:{timestamp}:{raw body}`
//! with the app's signing secret, compared in constant time, within five
//! minutes of now. Checked on the raw bytes before anything is parsed.
//!
//! A valid request stays valid for those five minutes, so a copy sent again
//! would pass the check: [`replay_key`] names a request for the replay
//! memory (`store::replays`), which the HTTP layer consults after the check.

use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How far a request's timestamp may be from now (Slack's own rule).
pub const MAX_AGE_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("missing X-Slack-Request-Timestamp or X-Slack-Signature")]
    Missing,
    #[error("malformed timestamp or signature header")]
    Malformed,
    #[error("request timestamp outside the 5-minute window")]
    Stale,
    #[error("signature does not match")]
    Mismatch,
    #[error("no signing secret is configured (Socket Mode only)")]
    NoSecret,
}

/// Computes the `v0=` signature Slack would send.
pub fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// What the replay memory keeps of a verified request: the SHA-256 of its
/// signature header (hex). The signature covers the timestamp and the whole
/// body, so two different requests never share it; the hash keeps the
/// stored value from being a usable signature.
pub fn replay_key(signature: &str) -> String {
    hex::encode(Sha256::digest(signature.trim().as_bytes()))
}

/// Until when a request signed at `timestamp` could pass [`verify`] (and so
/// must be remembered): the end of its five-minute window.
pub fn replay_expiry(timestamp: &str) -> Option<DateTime<Utc>> {
    let ts: i64 = timestamp.trim().parse().ok()?;
    DateTime::from_timestamp(ts.checked_add(MAX_AGE_SECS + 1)?, 0)
}

/// Checks one request. `timestamp` and `signature` are the raw header values.
pub fn verify(
    secret: &SecretString,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), VerifyError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(VerifyError::Missing);
    };
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::Malformed)?;
    if (now.timestamp() - ts).abs() > MAX_AGE_SECS {
        return Err(VerifyError::Stale);
    }
    let given = signature
        .strip_prefix("v0=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(VerifyError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    let expected = mac.finalize().into_bytes();
    if expected.as_slice().ct_eq(&given).into() {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[derive(serde::Deserialize)]
    struct Vector {
        signing_secret: String,
        #[serde(rename = "x_slack_request_timestamp")]
        timestamp: String,
        body: String,
        #[serde(rename = "x_slack_signature")]
        signature: String,
    }

    fn vector() -> Vector {
        serde_json::from_str(include_str!(
            "../../tests/fixtures/slack/commands/signing_test_vector.json"
        ))
        .expect("fixture parses")
    }

    fn at(ts: &str, offset: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(ts.parse::<i64>().unwrap() + offset, 0)
            .unwrap()
    }

    #[test]
    fn slacks_published_signing_vector_verifies() {
        let v = vector();
        let secret = SecretString::from(v.signing_secret.clone());
        assert_eq!(
            sign(&v.signing_secret, &v.timestamp, v.body.as_bytes()),
            v.signature
        );
        assert_eq!(
            verify(
                &secret,
                Some(&v.timestamp),
                Some(&v.signature),
                v.body.as_bytes(),
                at(&v.timestamp, 10)
            ),
            Ok(())
        );
    }

    #[test]
    fn a_changed_body_or_secret_fails() {
        let v = vector();
        let now = at(&v.timestamp, 0);
        let secret = SecretString::from(v.signing_secret.clone());
        let tampered = format!("{}x", v.body);
        assert_eq!(
            verify(
                &secret,
                Some(&v.timestamp),
                Some(&v.signature),
                tampered.as_bytes(),
                now
            ),
            Err(VerifyError::Mismatch)
        );
        let other = SecretString::from("another-secret".to_owned());
        assert_eq!(
            verify(
                &other,
                Some(&v.timestamp),
                Some(&v.signature),
                v.body.as_bytes(),
                now
            ),
            Err(VerifyError::Mismatch)
        );
    }

    #[test]
    fn timestamps_more_than_five_minutes_away_fail_either_way() {
        let v = vector();
        let secret = SecretString::from(v.signing_secret.clone());
        for offset in [301, -301, 100_000] {
            assert_eq!(
                verify(
                    &secret,
                    Some(&v.timestamp),
                    Some(&v.signature),
                    v.body.as_bytes(),
                    at(&v.timestamp, offset)
                ),
                Err(VerifyError::Stale),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn a_replay_key_is_the_signatures_sha256_and_outlives_the_window() {
        let v = vector();
        let key = replay_key(&v.signature);
        assert_eq!(key.len(), 64);
        assert_ne!(key, replay_key(&format!("{}0", v.signature)));
        assert!(!key.contains(v.signature.trim_start_matches("v0=")));
        let until = replay_expiry(&v.timestamp).unwrap();
        assert_eq!(until, at(&v.timestamp, MAX_AGE_SECS + 1));
        let secret = SecretString::from(v.signing_secret.clone());
        let body = v.body.as_bytes();
        // Valid up to the expiry, refused as stale from then on.
        let before = at(&v.timestamp, MAX_AGE_SECS);
        assert!(
            verify(
                &secret,
                Some(&v.timestamp),
                Some(&v.signature),
                body,
                before
            )
            .is_ok()
        );
        assert_eq!(
            verify(&secret, Some(&v.timestamp), Some(&v.signature), body, until),
            Err(VerifyError::Stale)
        );
    }

    #[test]
    fn missing_or_malformed_headers_fail() {
        let v = vector();
        let now = at(&v.timestamp, 0);
        let secret = SecretString::from(v.signing_secret.clone());
        let body = v.body.as_bytes();
        assert_eq!(
            verify(&secret, None, Some(&v.signature), body, now),
            Err(VerifyError::Missing)
        );
        assert_eq!(
            verify(&secret, Some(&v.timestamp), None, body, now),
            Err(VerifyError::Missing)
        );
        assert_eq!(
            verify(&secret, Some("soon"), Some(&v.signature), body, now),
            Err(VerifyError::Malformed)
        );
        assert_eq!(
            verify(&secret, Some(&v.timestamp), Some("v1=abc"), body, now),
            Err(VerifyError::Malformed)
        );
        assert_eq!(
            verify(&secret, Some(&v.timestamp), Some("v0=zz"), body, now),
            Err(VerifyError::Malformed)
        );
        assert_eq!(
            verify(&secret, Some(&v.timestamp), Some("v0=abcd"), body, now),
            Err(VerifyError::Mismatch)
        );
    }
}
