//! The Bot Connector REST client: the few calls alignbot makes to Teams
//! (send, update, delete an activity; create a 1:1 or a channel post), each
//! with the bot's token and only to an allowed `serviceUrl` host.
//!
//! Errors are classified here into the delivery worker's terms
//! (docs/dev/teams-notes.md §4c): 429 honours `Retry-After`; 412, 5xx and
//! network errors are retried; a 401 drops the cached token and retries (a
//! token endpoint that then refuses our credentials pauses delivery); any
//! other 4xx (a blocked or uninstalled conversation, a bad payload) is
//! permanent for that message only and never pauses the whole outbox.

use super::service_url::AllowedServiceHosts;
use super::token::{ConnectorTokens, OutboundError, TokenError};
use crate::delivery::SendError;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// A conversation the connector created.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    pub id: String,
    #[serde(default)]
    pub activity_id: Option<String>,
}

#[derive(Deserialize)]
struct ResourceResponse {
    #[serde(default)]
    id: Option<String>,
}

/// Sends to the Bot Connector. `tokens` is `None` in no-auth mode (local
/// tools): then only loopback hosts are allowed and no token is sent.
pub struct Connector {
    http: reqwest::Client,
    tokens: Option<Arc<ConnectorTokens>>,
    hosts: AllowedServiceHosts,
}

fn segment(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}

impl Connector {
    pub fn new(
        http: reqwest::Client,
        tokens: Option<Arc<ConnectorTokens>>,
        hosts: AllowedServiceHosts,
    ) -> Self {
        Self {
            http,
            tokens,
            hosts,
        }
    }

    /// Posts `activity` into a conversation; the new activity's id.
    pub async fn send(
        &self,
        service_url: &str,
        conversation: &str,
        activity: &Value,
    ) -> Result<String, SendError> {
        let path = format!("v3/conversations/{}/activities", segment(conversation));
        let answer = self
            .call(Method::POST, service_url, &path, Some(activity))
            .await?;
        let id = serde_json::from_value::<ResourceResponse>(answer)
            .ok()
            .and_then(|r| r.id)
            .unwrap_or_default();
        Ok(id)
    }

    /// Replaces a posted activity (the Teams counterpart of chat.update).
    pub async fn update(
        &self,
        service_url: &str,
        conversation: &str,
        activity_id: &str,
        activity: &Value,
    ) -> Result<(), SendError> {
        let path = format!(
            "v3/conversations/{}/activities/{}",
            segment(conversation),
            segment(activity_id)
        );
        self.call(Method::PUT, service_url, &path, Some(activity))
            .await
            .map(drop)
    }

    /// Deletes a posted activity; already gone counts as done.
    pub async fn delete(
        &self,
        service_url: &str,
        conversation: &str,
        activity_id: &str,
    ) -> Result<(), SendError> {
        let path = format!(
            "v3/conversations/{}/activities/{}",
            segment(conversation),
            segment(activity_id)
        );
        match self.call(Method::DELETE, service_url, &path, None).await {
            Err(SendError::Permanent(why)) if why.starts_with("404") => Ok(()),
            other => other.map(drop),
        }
    }

    /// `POST /v3/conversations`: a 1:1 with a user, or a new channel post.
    pub async fn create_conversation(
        &self,
        service_url: &str,
        parameters: &Value,
    ) -> Result<Created, SendError> {
        let answer = self
            .call(
                Method::POST,
                service_url,
                "v3/conversations",
                Some(parameters),
            )
            .await?;
        serde_json::from_value(answer).map_err(|_| {
            SendError::Transient("the Bot Connector's answer named no conversation".into())
        })
    }

    async fn call(
        &self,
        method: Method,
        service_url: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Value, SendError> {
        let (url, token) = match &self.tokens {
            Some(tokens) => {
                let authorized = tokens.authorize(service_url).await.map_err(outbound)?;
                (authorized.service_url, Some(authorized.token))
            }
            None => (
                self.hosts
                    .check(service_url)
                    .map_err(|e| SendError::Permanent(e.to_string()))?,
                None,
            ),
        };
        let base = url.as_url().as_str().trim_end_matches('/');
        let mut request = self.http.request(method, format!("{base}/{path}"));
        if let Some(token) = token {
            request = request.header(reqwest::header::AUTHORIZATION, token.authorization());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| {
            SendError::Transient(format!("the Bot Connector could not be reached: {e}"))
        })?;
        let status = response.status();
        if status.is_success() {
            let text = response.text().await.unwrap_or_default();
            return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
        }
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(std::time::Duration::from_secs);
        let body = response.text().await.unwrap_or_default();
        let code = serde_json::from_str::<Value>(&body)
            .ok()
            .and_then(|v| {
                v.pointer("/error/code")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .unwrap_or_default();
        if status == StatusCode::UNAUTHORIZED
            && let Some(tokens) = &self.tokens
        {
            tokens.invalidate().await;
        }
        Err(classify(status, retry_after, &code))
    }
}

/// What the worker does with a failed connector call.
pub fn classify(
    status: StatusCode,
    retry_after: Option<std::time::Duration>,
    code: &str,
) -> SendError {
    let what = format!("{} {code}", status.as_u16()).trim().to_owned();
    match status.as_u16() {
        429 => SendError::RateLimited(retry_after),
        // Our token was refused: it was dropped, the next try fetches one.
        401 | 412 | 500..=599 => SendError::Transient(format!("Bot Connector answered {what}")),
        _ => SendError::Permanent(what),
    }
}

fn outbound(e: OutboundError) -> SendError {
    match e {
        OutboundError::ServiceUrl(e) => SendError::Permanent(e.to_string()),
        // Our credentials are wrong: rows stay pending and delivery pauses
        // until they work again (DESIGN), never failing a message for it.
        OutboundError::Token(TokenError::Rejected { code }) => SendError::Unauthorized(format!(
            "the bot's credentials were refused ({code}); fix the MICROSOFT_APP_* settings"
        )),
        OutboundError::Token(e) => SendError::Transient(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_encoded_whole_in_paths() {
        assert_eq!(
            segment("19:a@thread.tacv2;messageid=1"),
            "19%3Aa%40thread%2Etacv2%3Bmessageid%3D1"
        );
    }

    #[test]
    fn a_blocked_conversation_is_permanent_and_a_throttle_waits() {
        assert!(matches!(
            classify(StatusCode::FORBIDDEN, None, "ConversationBlockedByUser"),
            SendError::Permanent(_)
        ));
        let after = Some(std::time::Duration::from_secs(7));
        assert_eq!(
            classify(StatusCode::TOO_MANY_REQUESTS, after, ""),
            SendError::RateLimited(after)
        );
        assert!(matches!(
            classify(StatusCode::BAD_GATEWAY, None, ""),
            SendError::Transient(_)
        ));
    }
}
