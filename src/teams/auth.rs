//! Is this activity really from the Bot Framework, for us?
//!
//! Every `POST /api/messages` carries `Authorization: Bearer <JWT>`. We check
//! what the Bot Framework's protocol asks (docs/dev/teams-notes.md §2b), in
//! two steps so the HTTP layer can refuse a request before parsing its body:
//!
//! 1. [`Authenticator::verify_token`]: RS256 signature by a key from the
//!    OpenID metadata's key set, issuer `https://api.botframework.com`,
//!    audience our app id, `exp`/`nbf` within five minutes of skew against
//!    the injected clock (not the system clock `jsonwebtoken` would read).
//! 2. [`Authenticator::check_activity`]: the token's `serviceurl` claim
//!    equals the activity's `serviceUrl`, the channel is `msteams`, the key is
//!    endorsed for it, and the `serviceUrl` host is one we will send our
//!    connector token to.
//!
//! The newer SDKs skip the `serviceurl` and endorsement checks; we do not. No
//! error carries the token, and none is logged here: the caller logs the
//! error's reason.

use super::jwt_crypto;
use super::openid::{KeyError, OpenIdKeys};
use super::service_url::{AllowedServiceHosts, ServiceUrl, ServiceUrlError};
use super::settings::{BotCredentials, EntraId};
use crate::clock::SharedClock;
use chrono::Duration;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;
use std::sync::Arc;
use thiserror::Error;

/// The issuer of tokens the Bot Framework sends to bots (public cloud).
pub const BOT_FRAMEWORK_ISSUER: &str = "https://api.botframework.com";
/// Clock skew allowed on `exp` and `nbf`: the industry's five minutes, as the
/// Bot Framework documents and its SDKs use.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);
/// The only channel we serve.
pub const TEAMS_CHANNEL: &str = "msteams";

/// Why an activity was refused. Every variant but [`AuthError::KeysUnavailable`]
/// is the caller's fault (HTTP 401); that one is ours or Microsoft's (503).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("no Authorization header")]
    MissingToken,
    #[error("the Authorization header is not `Bearer <token>`")]
    NotBearer,
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token is not signed with RS256")]
    WrongAlgorithm,
    #[error("the token names no signing key (kid)")]
    MissingKeyId,
    #[error("the token's signing key is not one of the Bot Framework's")]
    UnknownKey,
    #[error("the token's signature is not valid")]
    BadSignature,
    #[error("the token was not issued by the Bot Framework")]
    WrongIssuer,
    #[error("the token is not meant for this bot (audience)")]
    WrongAudience,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token's serviceurl claim does not match the activity's serviceUrl")]
    ServiceUrlMismatch,
    #[error("the activity's channel is not msteams")]
    WrongChannel,
    #[error("the token's signing key is not endorsed for the activity's channel")]
    ChannelNotEndorsed,
    #[error(transparent)]
    ServiceUrl(#[from] ServiceUrlError),
    #[error("the Bot Framework's signing keys could not be fetched")]
    KeysUnavailable,
}

impl AuthError {
    /// True when the request may be fine and we could not check it: answer
    /// 503 so the Bot Framework retries, rather than 401.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::KeysUnavailable)
    }
}

/// A token that passed step 1; only [`Authenticator::check_activity`] reads it.
#[derive(Debug)]
pub struct VerifiedToken {
    service_url: Option<String>,
    endorsements: Vec<String>,
}

/// Validates incoming activities for one bot. Cheap to share (`Arc`).
pub struct Authenticator {
    keys: OpenIdKeys,
    app_id: EntraId,
    hosts: AllowedServiceHosts,
    clock: SharedClock,
}

/// The claims we read. Numbers must be numbers: a string `exp` fails to
/// parse and the token is refused, rather than read as zero.
#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    aud: Option<Audience>,
    exp: i64,
    nbf: Option<i64>,
    serviceurl: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    fn contains(&self, app_id: &EntraId) -> bool {
        let is_us = |a: &String| a.eq_ignore_ascii_case(app_id.as_str());
        match self {
            Self::One(a) => is_us(a),
            Self::Many(all) => all.iter().any(is_us),
        }
    }
}

impl Authenticator {
    pub fn new(
        http: reqwest::Client,
        credentials: &BotCredentials,
        hosts: AllowedServiceHosts,
        clock: SharedClock,
    ) -> Arc<Self> {
        // jsonwebtoken fixes its crypto provider on first use: ours first.
        jwt_crypto::install();
        Arc::new(Self {
            keys: OpenIdKeys::new(http, credentials.openid_metadata_url.clone(), clock.clone()),
            app_id: credentials.app_id.clone(),
            hosts,
            clock,
        })
    }

    /// Both steps, for callers that already have the activity's
    /// `serviceUrl` and `channelId`.
    pub async fn authenticate(
        &self,
        authorization: Option<&str>,
        service_url: &str,
        channel_id: &str,
    ) -> Result<ServiceUrl, AuthError> {
        let token = self.verify_token(authorization).await?;
        self.check_activity(token, service_url, channel_id)
    }

    /// Step 1: the `Authorization` header's token, before the body is read.
    pub async fn verify_token(
        &self,
        authorization: Option<&str>,
    ) -> Result<VerifiedToken, AuthError> {
        let header = authorization.ok_or(AuthError::MissingToken)?;
        // Exactly two parts, scheme spelled as the Bot Framework does.
        let token = match header.split_once(' ') {
            Some(("Bearer", token)) if !token.is_empty() && !token.contains(' ') => token,
            _ => return Err(AuthError::NotBearer),
        };
        let jwt_header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Malformed)?;
        if jwt_header.alg != Algorithm::RS256 {
            return Err(AuthError::WrongAlgorithm);
        }
        let kid = jwt_header.kid.ok_or(AuthError::MissingKeyId)?;
        let key = self.keys.key(&kid).await.map_err(|e| match e {
            KeyError::Unknown => AuthError::UnknownKey,
            KeyError::Unavailable(_) => AuthError::KeysUnavailable,
        })?;

        // Signature and algorithm only; every claim is checked below, with
        // our clock and our error for each.
        let mut validation = Validation::new(Algorithm::RS256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        let claims = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature
                | ErrorKind::InvalidRsaKey(_)
                | ErrorKind::InvalidKeyFormat => AuthError::BadSignature,
                ErrorKind::InvalidAlgorithm => AuthError::WrongAlgorithm,
                _ => AuthError::Malformed,
            })?
            .claims;

        if claims.iss.as_deref() != Some(BOT_FRAMEWORK_ISSUER) {
            return Err(AuthError::WrongIssuer);
        }
        if !claims.aud.is_some_and(|aud| aud.contains(&self.app_id)) {
            return Err(AuthError::WrongAudience);
        }
        let now = self.clock.now().timestamp();
        let skew = CLOCK_SKEW.num_seconds();
        if claims.exp.saturating_add(skew) <= now {
            return Err(AuthError::Expired);
        }
        if claims.nbf.is_some_and(|nbf| nbf.saturating_sub(skew) > now) {
            return Err(AuthError::NotYetValid);
        }
        Ok(VerifiedToken {
            service_url: claims.serviceurl,
            endorsements: key.endorsements.clone(),
        })
    }

    /// Step 2: the activity against its verified token. Returns the
    /// `serviceUrl` as one we may send our connector token to.
    pub fn check_activity(
        &self,
        token: VerifiedToken,
        service_url: &str,
        channel_id: &str,
    ) -> Result<ServiceUrl, AuthError> {
        if token.service_url.as_deref() != Some(service_url) {
            return Err(AuthError::ServiceUrlMismatch);
        }
        if channel_id != TEAMS_CHANNEL {
            return Err(AuthError::WrongChannel);
        }
        // An empty list endorses every channel (the protocol's rule); a
        // non-empty one must name ours.
        if !token.endorsements.is_empty() && !token.endorsements.iter().any(|c| c == channel_id) {
            return Err(AuthError::ChannelNotEndorsed);
        }
        Ok(self.hosts.check(service_url)?)
    }
}
