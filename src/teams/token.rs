//! The bot's own token for the Bot Connector: OAuth 2.0 client credentials
//! from the Microsoft identity platform (`BOTFRAMEWORK_TOKEN_URL`).
//!
//! One token serves every outgoing call for about an hour, so it is cached
//! and refreshed [`REFRESH_BEFORE_EXPIRY`] before it expires (by the injected
//! clock). The cache's lock is held across the fetch: a burst of sends after
//! expiry waits for one request instead of making one each. The token and the
//! client secret are [`SecretString`]s; neither reaches a log or an error.
//!
//! [`ConnectorTokens::authorize`] is the only way to pair the token with a
//! destination, and it checks the destination's host first: a `serviceUrl`
//! outside `BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS` never sees our token.

use super::service_url::{AllowedServiceHosts, ServiceUrl, ServiceUrlError};
use super::settings::{BotCredentials, EntraId};
use crate::clock::SharedClock;
use chrono::{DateTime, Duration, Utc};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::sync::Arc;
use thiserror::Error;
use url::Url;

/// The scope of tokens for the Bot Connector.
pub const BOT_FRAMEWORK_SCOPE: &str = "https://api.botframework.com/.default";
/// How long before its expiry a token is replaced (as botbuilder does).
pub const REFRESH_BEFORE_EXPIRY: Duration = Duration::minutes(5);

/// A bearer token for the Bot Connector. `Debug` prints `[REDACTED]`.
#[derive(Debug, Clone)]
pub struct BearerToken(SecretString);

impl BearerToken {
    /// The `Authorization` header value, marked sensitive so that HTTP
    /// libraries leave it out of their own debug output.
    pub fn authorization(&self) -> HeaderValue {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.0.expose_secret()))
            // Checked when the token was received.
            .expect("a token that passed `usable` is a valid header value");
        value.set_sensitive(true);
        value
    }
}

/// A destination and the token to send there.
#[derive(Debug)]
pub struct Authorized {
    pub service_url: ServiceUrl,
    pub token: BearerToken,
}

/// Why no token could be had.
#[derive(Debug, Error)]
pub enum TokenError {
    /// The identity platform refused our credentials: an operator must fix
    /// them, so delivery pauses (DESIGN). `code` is the OAuth error and the
    /// `AADSTS` number only, never the description or the request.
    #[error(
        "the Microsoft identity platform refused the bot's credentials ({code}): check \
         MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD, MICROSOFT_APP_TENANT_ID and MICROSOFT_APP_TYPE"
    )]
    Rejected { code: String },
    /// Worth retrying later: network, timeout, 429 or 5xx.
    #[error("the Microsoft identity platform could not be reached: {0}")]
    Unavailable(String),
    /// A 2xx answer without a usable token.
    #[error("the Microsoft identity platform's answer held no usable token")]
    BadResponse,
}

/// Why a send was not authorized.
#[derive(Debug, Error)]
pub enum OutboundError {
    #[error(transparent)]
    ServiceUrl(#[from] ServiceUrlError),
    #[error(transparent)]
    Token(#[from] TokenError),
}

struct Cached {
    token: BearerToken,
    refresh_at: DateTime<Utc>,
}

/// The token cache for one bot. Cheap to share (`Arc`).
pub struct ConnectorTokens {
    http: reqwest::Client,
    token_url: Url,
    client_id: EntraId,
    secret: SecretString,
    hosts: AllowedServiceHosts,
    clock: SharedClock,
    cache: tokio::sync::Mutex<Option<Cached>>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    expires_in: Seconds,
}

/// `expires_in` is a number in v2 answers; some proxies and the v1 endpoint
/// send a string.
#[derive(Deserialize)]
#[serde(untagged)]
enum Seconds {
    Number(i64),
    Text(String),
}

#[derive(Deserialize)]
struct ErrorResponse {
    error: Option<String>,
    error_description: Option<String>,
}

impl ConnectorTokens {
    pub fn new(
        http: reqwest::Client,
        credentials: &BotCredentials,
        hosts: AllowedServiceHosts,
        clock: SharedClock,
    ) -> Arc<Self> {
        Arc::new(Self {
            http,
            token_url: credentials.token_url.clone(),
            client_id: credentials.app_id.clone(),
            secret: credentials.password.clone(),
            hosts,
            clock,
            cache: tokio::sync::Mutex::new(None),
        })
    }

    /// Checks `service_url` against the allow-list, then gets the token.
    /// The order matters: a refused host causes no token request either.
    pub async fn authorize(&self, service_url: &str) -> Result<Authorized, OutboundError> {
        let service_url = self.hosts.check(service_url)?;
        let token = self.token().await?;
        Ok(Authorized { service_url, token })
    }

    /// The cached token, or a fresh one if it is within
    /// [`REFRESH_BEFORE_EXPIRY`] of expiring.
    pub async fn token(&self) -> Result<BearerToken, TokenError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref()
            && self.clock.now() < cached.refresh_at
        {
            return Ok(cached.token.clone());
        }
        let fetched = self.fetch().await?;
        let token = fetched.token.clone();
        *cache = Some(fetched);
        Ok(token)
    }

    /// Forgets the cached token: the connector answered 401 with it.
    pub async fn invalidate(&self) {
        *self.cache.lock().await = None;
    }

    async fn fetch(&self) -> Result<Cached, TokenError> {
        let asked_at = self.clock.now();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.secret.expose_secret()),
            ("scope", BOT_FRAMEWORK_SCOPE),
        ];
        let response = self
            .http
            .post(self.token_url.clone())
            .form(&form)
            .send()
            .await
            .map_err(|e| TokenError::Unavailable(e.without_url().to_string()))?;
        let status = response.status();
        if status.is_success() {
            let body: TokenResponse = response.json().await.map_err(|_| TokenError::BadResponse)?;
            let lifetime = match body.expires_in {
                Seconds::Number(n) => n,
                Seconds::Text(t) => t.trim().parse().map_err(|_| TokenError::BadResponse)?,
            };
            if lifetime <= 0 || !usable(&body.access_token) {
                return Err(TokenError::BadResponse);
            }
            let lifetime = Duration::seconds(lifetime);
            // A short-lived token is still used for half its life.
            let margin = REFRESH_BEFORE_EXPIRY.min(lifetime / 2);
            tracing::info!(
                expires_in = lifetime.num_seconds(),
                "fetched a Bot Connector token"
            );
            return Ok(Cached {
                token: BearerToken(SecretString::from(body.access_token)),
                refresh_at: asked_at + lifetime - margin,
            });
        }
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            return Err(TokenError::Unavailable(format!("HTTP {status}")));
        }
        let body: ErrorResponse = response.json().await.unwrap_or(ErrorResponse {
            error: None,
            error_description: None,
        });
        let code = error_code(status, &body);
        tracing::error!(%code, "the identity platform refused the bot's credentials");
        Err(TokenError::Rejected { code })
    }
}

/// A token we can put in a header: visible ASCII, no spaces.
fn usable(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic())
}

/// `invalid_client AADSTS7000215` from an error answer: the OAuth error (a
/// word of `[a-z_]`) and the leading `AADSTS` number of the description.
/// Nothing else is kept, so no echoed input can reach a log.
fn error_code(status: reqwest::StatusCode, body: &ErrorResponse) -> String {
    let mut code = format!("HTTP {}", status.as_u16());
    if let Some(error) = body.error.as_deref()
        && !error.is_empty()
        && error.len() <= 64
        && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        code = format!("{code} {error}");
    }
    if let Some(description) = body.error_description.as_deref()
        && let Some(rest) = description.strip_prefix("AADSTS")
    {
        let digits: String = rest
            .chars()
            .take_while(char::is_ascii_digit)
            .take(10)
            .collect();
        if !digits.is_empty() {
            code = format!("{code} AADSTS{digits}");
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_code_keeps_the_oauth_error_and_aadsts_number_only() {
        let body = ErrorResponse {
            error: Some("invalid_client".into()),
            error_description: Some(
                "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent \
                 is the client secret value, not the id, for 'hunter2'. Trace ID: x"
                    .into(),
            ),
        };
        assert_eq!(
            error_code(reqwest::StatusCode::UNAUTHORIZED, &body),
            "HTTP 401 invalid_client AADSTS7000215"
        );
    }

    #[test]
    fn an_unexpected_error_word_is_left_out() {
        let body = ErrorResponse {
            error: Some("Bad <script> secret=hunter2".into()),
            error_description: Some("secret=hunter2".into()),
        };
        assert_eq!(
            error_code(reqwest::StatusCode::BAD_REQUEST, &body),
            "HTTP 400"
        );
    }
}
