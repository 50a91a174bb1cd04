//! Test keys, token signing, and the Teams parts wired to a fake identity
//! platform the way `serve` will wire them: through `TeamsSettings::from_env`.

use crate::fake_identity::FakeIdentity;
use alignbot::clock::ManualClock;
use alignbot::teams::auth::Authenticator;
use alignbot::teams::settings::{TeamsAuth, TeamsSettings};
use alignbot::teams::token::ConnectorTokens;
use alignbot::teams::{http_client, jwt_crypto};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeZone, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use ring::signature::{RsaKeyPair, RsaPublicKeyComponents};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

pub const APP_ID: &str = "8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f";
pub const TENANT_ID: &str = "11111111-2222-4333-8444-555555555555";
pub const PASSWORD: &str = "test-client-secret~do-not-log";
pub const ISSUER: &str = "https://api.botframework.com";

/// A test-only RSA key (tests/fixtures/teams/README.md) and the key id the
/// fake publishes it under.
pub struct TestKey {
    pub kid: &'static str,
    der: &'static [u8],
}

pub const KEY_1: TestKey = TestKey {
    kid: "test-key-1",
    der: include_bytes!("../fixtures/teams/test-only-rsa-key-1.pk8.der"),
};
pub const KEY_2: TestKey = TestKey {
    kid: "test-key-2",
    der: include_bytes!("../fixtures/teams/test-only-rsa-key-2.pk8.der"),
};

impl TestKey {
    /// The public half as the Bot Framework publishes it.
    pub fn jwk(&self, endorsements: &[&str]) -> Value {
        let pair = RsaKeyPair::from_pkcs8(self.der).unwrap();
        let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
        json!({
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": URL_SAFE_NO_PAD.encode(&public.n),
            "e": URL_SAFE_NO_PAD.encode(&public.e),
            "endorsements": endorsements,
        })
    }

    /// An RS256 token over `claims`, its header naming `kid`.
    pub fn sign(&self, kid: &str, claims: &Value) -> String {
        jwt_crypto::install();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, claims, &EncodingKey::from_rsa_der(self.der)).unwrap()
    }

    /// Signed with this key under its own key id.
    pub fn token(&self, claims: &Value) -> String {
        self.sign(self.kid, claims)
    }
}

pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Everything traced in this test binary, at every level.
static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

/// A `tracing` writer into [`LOGS`].
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber for the whole binary, once. Global
/// rather than per test: tests run on many threads, and `tracing` caches
/// per call site whether anyone listens, so a thread-local subscriber can
/// miss events another thread's test registered first. Every test starts
/// with [`Teams::start`], which calls this before any Teams code runs.
fn capture_logs() -> Arc<Mutex<Vec<u8>>> {
    LOGS.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || Captured(writer.clone()))
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber");
        buffer
    })
    .clone()
}

/// What every test in this binary has traced so far.
pub fn logs() -> String {
    String::from_utf8_lossy(&capture_logs().lock().unwrap()).into_owned()
}

/// The Teams parts against one fake, on a manual clock.
pub struct Teams {
    pub fake: FakeIdentity,
    pub clock: ManualClock,
    pub auth: Arc<Authenticator>,
    pub tokens: Arc<ConnectorTokens>,
    /// The `serviceUrl` activities name: the fake itself, on an allowed host.
    pub service_url: String,
}

impl Teams {
    /// Key 1 published, endorsed for `msteams`.
    pub async fn start() -> Self {
        capture_logs();
        let fake = FakeIdentity::start().await;
        fake.set_keys(vec![KEY_1.jwk(&["msteams"])]);
        let clock = ManualClock::new(start_time());
        let openid = format!("{}/openid", fake.base());
        let token_url = format!("{}/token", fake.base());
        let env = [
            ("MICROSOFT_APP_ID", APP_ID),
            ("MICROSOFT_APP_PASSWORD", PASSWORD),
            ("MICROSOFT_APP_TENANT_ID", TENANT_ID),
            ("BOTFRAMEWORK_OPENID_METADATA_URL", openid.as_str()),
            ("BOTFRAMEWORK_TOKEN_URL", token_url.as_str()),
            ("BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS", "127.0.0.1"),
        ];
        let settings = TeamsSettings::from_env(|name| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
        .expect("the test settings are valid")
        .expect("Teams is on");
        let TeamsAuth::Credentials(credentials) = &settings.auth else {
            panic!("expected credentials");
        };
        let http = http_client::build().expect("the HTTP client builds");
        let shared = Arc::new(clock.clone());
        let auth = Authenticator::new(
            http.clone(),
            credentials,
            settings.allowed_service_hosts.clone(),
            shared.clone(),
        );
        let tokens = ConnectorTokens::new(
            http,
            credentials,
            settings.allowed_service_hosts.clone(),
            shared,
        );
        let service_url = format!("{}/connector/", fake.base());
        Self {
            fake,
            clock,
            auth,
            tokens,
            service_url,
        }
    }

    /// Claims the Bot Framework would send us now: valid for an hour.
    pub fn claims(&self) -> Value {
        let now = self.clock.now_secs();
        json!({
            "iss": ISSUER,
            "aud": APP_ID,
            "iat": now - 10,
            "nbf": now - 10,
            "exp": now + 3600,
            "serviceurl": self.service_url,
        })
    }

    /// `claims()` with `changes` merged in (`null` removes a claim).
    pub fn claims_with(&self, changes: Value) -> Value {
        let mut claims = self.claims();
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                claims.as_object_mut().unwrap().remove(k);
            } else {
                claims[k] = v.clone();
            }
        }
        claims
    }
}

/// Seconds since the epoch on a manual clock.
pub trait NowSecs {
    fn now_secs(&self) -> i64;
}

impl NowSecs for ManualClock {
    fn now_secs(&self) -> i64 {
        use alignbot::clock::Clock;
        self.now().timestamp()
    }
}

/// Installs the capturing subscriber (for harnesses that start the app).
pub fn capture() {
    capture_logs();
}
