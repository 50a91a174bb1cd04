//! The Bot Framework's signing keys: OpenID metadata, then its `jwks_uri`,
//! cached.
//!
//! Microsoft rotates keys and asks bots to refetch "at least once every 24
//! hours"; the SDKs also refetch when a token names a key id they have not
//! seen. A key id is whatever a caller writes in a token header, so that
//! refetch is rate-limited (once per [`UNKNOWN_KEY_REFETCH`]) and
//! single-flight: a flood of invented key ids costs Microsoft one request
//! per five minutes, and valid requests keep being served from the cache
//! meanwhile. All times come from the injected clock.

use crate::clock::SharedClock;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::DecodingKey;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use thiserror::Error;
use url::Url;

/// The whole set is refetched when it is this old.
pub const MAX_KEY_AGE: Duration = Duration::hours(24);
/// An unknown key id refetches the set at most this often.
pub const UNKNOWN_KEY_REFETCH: Duration = Duration::minutes(5);
/// After a failed fetch, the next try waits at least this long.
pub const RETRY_AFTER_FAILURE: Duration = Duration::seconds(10);

/// A public key from the set, with the channels it is endorsed for.
#[derive(Debug)]
pub struct SigningKey {
    pub(crate) key: DecodingKey,
    /// Channel ids (`msteams`, …) this key may sign for; empty means any.
    pub endorsements: Vec<String>,
}

/// Why no key could be given.
#[derive(Debug, Error)]
pub enum KeyError {
    /// The set was fetched (or may not be fetched again yet) and has no key
    /// with this id.
    #[error("no Bot Framework signing key has the token's key id")]
    Unknown,
    /// The keys could not be fetched: Microsoft's side or the network.
    #[error("the Bot Framework's signing keys could not be fetched: {0}")]
    Unavailable(#[from] FetchError),
}

/// What went wrong fetching the metadata or the key set. Names which
/// document, never a token; URLs are left out (a configured URL may carry
/// credentials).
#[derive(Debug, Error)]
pub enum FetchError {
    #[error("{document}: {source}")]
    Http {
        document: &'static str,
        source: reqwest::Error,
    },
    #[error("{document}: HTTP {status}")]
    Status {
        document: &'static str,
        status: reqwest::StatusCode,
    },
    #[error("the OpenID metadata's jwks_uri is not an https URL")]
    BadJwksUri,
    #[error("the key set has no usable RSA key")]
    NoKeys,
    #[error("the last fetch failed; the next try is due in a few seconds")]
    Backoff,
}

#[derive(Deserialize)]
struct Metadata {
    jwks_uri: String,
}

#[derive(Deserialize)]
struct KeySet {
    keys: Vec<Jwk>,
}

/// One JWK as the Bot Framework publishes it. `jsonwebtoken::jwk::Jwk` would
/// drop `endorsements`, which we need.
#[derive(Deserialize)]
struct Jwk {
    kid: Option<String>,
    kty: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    n: Option<String>,
    e: Option<String>,
    #[serde(default)]
    endorsements: Vec<String>,
}

#[derive(Default)]
struct Cache {
    keys: HashMap<String, Arc<SigningKey>>,
    loaded_at: Option<DateTime<Utc>>,
    last_attempt: Option<DateTime<Utc>>,
    last_failed: bool,
    /// When a fresh set was last refetched because of an unknown key id.
    last_unknown_refetch: Option<DateTime<Utc>>,
}

/// Why a fetch is about to happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// No set yet, or a day old.
    Load,
    /// The set is fresh but lacks the key id asked for.
    UnknownKey,
}

impl Cache {
    fn stale(&self, now: DateTime<Utc>) -> bool {
        self.loaded_at.is_none_or(|at| now - at >= MAX_KEY_AGE)
    }

    /// Whether a fetch may start now, and why; `None` while a limit holds.
    fn may_fetch(&self, now: DateTime<Utc>) -> Option<Reason> {
        if self.last_failed
            && self
                .last_attempt
                .is_some_and(|at| now - at < RETRY_AFTER_FAILURE)
        {
            return None;
        }
        if self.stale(now) {
            return Some(Reason::Load);
        }
        self.last_unknown_refetch
            .is_none_or(|at| now - at >= UNKNOWN_KEY_REFETCH)
            .then_some(Reason::UnknownKey)
    }
}

/// The cached key set, shared by all requests.
pub struct OpenIdKeys {
    http: reqwest::Client,
    metadata_url: Url,
    clock: SharedClock,
    cache: RwLock<Cache>,
    /// Held for the whole fetch: concurrent misses wait for one fetch.
    fetching: tokio::sync::Mutex<()>,
}

impl OpenIdKeys {
    pub fn new(http: reqwest::Client, metadata_url: Url, clock: SharedClock) -> Self {
        Self {
            http,
            metadata_url,
            clock,
            cache: RwLock::new(Cache::default()),
            fetching: tokio::sync::Mutex::new(()),
        }
    }

    /// The key with id `kid`, fetching the set if it is stale or lacks `kid`
    /// (within the limits above).
    pub async fn key(&self, kid: &str) -> Result<Arc<SigningKey>, KeyError> {
        if let Some(key) = self.fresh(kid) {
            return Ok(key);
        }
        let _flight = self.fetching.lock().await;
        // Whoever held the lock before us may have fetched what we need.
        if let Some(key) = self.fresh(kid) {
            return Ok(key);
        }
        let now = self.clock.now();
        let (reason, known, loaded) = {
            let cache = self.read();
            let loaded = cache.loaded_at.is_some();
            (cache.may_fetch(now), cache.keys.get(kid).cloned(), loaded)
        };
        let Some(reason) = reason else {
            // A stale key is still better than refusing everyone while the
            // failure backoff runs.
            return match (known, loaded) {
                (Some(key), _) => Ok(key),
                (None, true) => Err(KeyError::Unknown),
                (None, false) => Err(KeyError::Unavailable(FetchError::Backoff)),
            };
        };
        if reason == Reason::UnknownKey {
            // Counted whether or not the fetch works: the limit is on us.
            self.write().last_unknown_refetch = Some(now);
        }
        match self.fetch().await {
            Ok(keys) => {
                tracing::info!(keys = keys.len(), "fetched the Bot Framework signing keys");
                let mut cache = self.write();
                cache.keys = keys;
                cache.loaded_at = Some(now);
                cache.last_attempt = Some(now);
                cache.last_failed = false;
                cache.keys.get(kid).cloned().ok_or(KeyError::Unknown)
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not fetch the Bot Framework signing keys");
                let mut cache = self.write();
                cache.last_attempt = Some(now);
                cache.last_failed = true;
                match cache.keys.get(kid) {
                    Some(key) => Ok(key.clone()),
                    None => Err(KeyError::Unavailable(e)),
                }
            }
        }
    }

    fn fresh(&self, kid: &str) -> Option<Arc<SigningKey>> {
        let cache = self.read();
        if cache.stale(self.clock.now()) {
            return None;
        }
        cache.keys.get(kid).cloned()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        // A panic while holding the lock leaves a cache that is still
        // consistent (each write replaces whole fields).
        self.cache.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Cache> {
        self.cache.write().unwrap_or_else(|p| p.into_inner())
    }

    async fn fetch(&self) -> Result<HashMap<String, Arc<SigningKey>>, FetchError> {
        let metadata: Metadata = self
            .get_json("OpenID metadata", self.metadata_url.clone())
            .await?;
        let jwks_uri = Url::parse(&metadata.jwks_uri).map_err(|_| FetchError::BadJwksUri)?;
        let secure = jwks_uri.scheme() == "https"
            || (jwks_uri.scheme() == "http"
                && self.metadata_url.scheme() == "http"
                && jwks_uri.host_str() == self.metadata_url.host_str());
        if !secure {
            // Plain http only where the metadata itself is a local fake.
            return Err(FetchError::BadJwksUri);
        }
        let set: KeySet = self.get_json("key set", jwks_uri).await?;
        let keys: HashMap<_, _> = set
            .keys
            .into_iter()
            .filter_map(|jwk| {
                let usable = jwk.kty.as_deref() == Some("RSA")
                    && jwk.usage.as_deref().is_none_or(|u| u == "sig");
                if !usable {
                    return None;
                }
                let key =
                    DecodingKey::from_rsa_components(jwk.n.as_deref()?, jwk.e.as_deref()?).ok()?;
                let signing = SigningKey {
                    key,
                    endorsements: jwk.endorsements,
                };
                Some((jwk.kid?, Arc::new(signing)))
            })
            .collect();
        if keys.is_empty() {
            return Err(FetchError::NoKeys);
        }
        Ok(keys)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        document: &'static str,
        url: Url,
    ) -> Result<T, FetchError> {
        let http = |source: reqwest::Error| FetchError::Http {
            document,
            source: source.without_url(),
        };
        let response = self.http.get(url).send().await.map_err(http)?;
        let status = response.status();
        if !status.is_success() {
            return Err(FetchError::Status { document, status });
        }
        response.json().await.map_err(http)
    }
}
