//! slack-morphism's Web API client at `SLACK_API_URL`, and the transport
//! that renders composed messages (Block Kit) and sends each with one Web
//! API call.
//!
//! What a message says was decided in the app (`app::compose`); this file
//! only turns it into a request and sorts Slack's answer ([`classify`]). It
//! never reads the store.
//!
//! The client is built on our own connector so that plain `http://` works
//! for a local fake or proxy (the library's default connector is
//! https-only). The library's own throttling stays off: the outbox worker
//! owns pacing and retries, so nothing is retried twice by two layers.

use crate::app::compose::{Composed, Conversation};
use crate::app::people::{PlatformPeople, Profile, ZoneLookupError};
use crate::delivery::{SendError, Sent, Transport};
use crate::domain::ids::PostRef;
use crate::domain::{Directory, PersonId};
use crate::slack::render;
use futures_util::future::BoxFuture;
use secrecy::{ExposeSecret, SecretString};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use std::sync::Arc;

/// Builds the Web API client for `api_url` (http or https).
pub fn build_client(api_url: &str) -> std::io::Result<Arc<SlackHyperClient>> {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()?
        .https_or_http()
        .enable_http1()
        .build();
    // slack-morphism joins the base and the method with "/", so a trailing
    // slash (as in the documented default) would give "//chat.postMessage".
    let base = api_url.trim_end_matches('/');
    Ok(Arc::new(SlackClient::new(
        SlackClientHyperConnector::from(https).with_slack_api_url(base),
    )))
}

/// Renders and sends composed messages as Slack Web API calls.
pub struct SlackTransport {
    client: Arc<SlackHyperClient>,
    token: SlackApiToken,
}

impl SlackTransport {
    pub fn new(client: Arc<SlackHyperClient>, bot_token: &SecretString) -> Self {
        Self {
            client,
            token: SlackApiToken::new(bot_token.expose_secret().into()),
        }
    }
}

impl Transport for SlackTransport {
    fn send<'a>(
        &'a self,
        message: &'a Composed,
        directory: &'a Directory,
    ) -> BoxFuture<'a, Result<Sent, SendError>> {
        Box::pin(self.deliver(message, directory))
    }

    /// `auth.test`: the token works again.
    fn check_auth(&self) -> BoxFuture<'_, Result<bool, SendError>> {
        Box::pin(self.token_works())
    }
}

impl PlatformPeople for SlackTransport {
    /// users.info's `tz`.
    fn time_zone<'a>(
        &'a self,
        person: &'a PersonId,
    ) -> BoxFuture<'a, Result<Option<String>, ZoneLookupError>> {
        Box::pin(async move { Ok(self.profile(person).await?.time_zone) })
    }

    /// users.info's `tz`, and the profile's real and display names (the
    /// user's top-level `real_name` when the profile has none).
    fn profile<'a>(
        &'a self,
        person: &'a PersonId,
    ) -> BoxFuture<'a, Result<Profile, ZoneLookupError>> {
        Box::pin(async move {
            let session = self.client.open_session(&self.token);
            let req = SlackApiUsersInfoRequest::new(person.as_str().into());
            match session.users_info(&req).await {
                Ok(resp) => Ok(profile_of(resp.user)),
                Err(SlackClientError::RateLimitError(e)) => {
                    Err(ZoneLookupError::RateLimited(e.retry_after))
                }
                Err(e) => Err(ZoneLookupError::Failed(e.to_string())),
            }
        })
    }
}

/// What the app keeps of a Slack user (users.info, or a `user_change`
/// event's user).
pub(crate) fn profile_of(user: SlackUser) -> Profile {
    let (real, display) = user
        .profile
        .map(|p| (p.real_name, p.display_name))
        .unwrap_or_default();
    Profile {
        time_zone: user.tz,
        real_name: real.filter(|n| !n.is_empty()).or(user.real_name),
        display_name: display,
    }
}

impl SlackTransport {
    /// Asks Slack (auth.test) whether the bot token works: after an
    /// uninstall, a reinstall with a fresh token lets delivery resume.
    /// `Err` means Slack could not be asked (try again later).
    pub async fn token_works(&self) -> Result<bool, SendError> {
        let session = self.client.open_session(&self.token);
        match session.auth_test().await.map_err(classify) {
            Ok(_) => Ok(true),
            Err(SendError::Permanent(_) | SendError::Unauthorized(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    /// One composed message, one Web API call.
    async fn deliver(&self, message: &Composed, dir: &Directory) -> Result<Sent, SendError> {
        let session = self.client.open_session(&self.token);
        match message {
            Composed::Post {
                to,
                message,
                thread,
                ..
            } => {
                let mut req = SlackApiChatPostMessageRequest::new(
                    conversation(to),
                    render::message::content(message, dir),
                );
                let (links, media) = render::message::unfurl(message);
                req.unfurl_links = links;
                req.unfurl_media = media;
                if let Some(at) = thread {
                    req = req.with_thread_ts(at.ts.clone().into());
                }
                let resp = session.chat_post_message(&req).await.map_err(classify)?;
                Ok(Sent::Posted(PostRef::new(
                    resp.channel.to_string(),
                    resp.ts.to_string(),
                )))
            }
            Composed::Update { at, message } => {
                let req = SlackApiChatUpdateRequest::new(
                    at.channel.clone().into(),
                    render::message::content(message, dir),
                    at.ts.clone().into(),
                );
                session.chat_update(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Composed::Delete { at } => {
                let req =
                    SlackApiChatDeleteRequest::new(at.channel.clone().into(), at.ts.clone().into());
                match session.chat_delete(&req).await {
                    Ok(_) => Ok(Sent::Done),
                    // Someone (an admin in Slack) removed it already: done.
                    Err(SlackClientError::ApiError(e)) if e.code == "message_not_found" => {
                        Ok(Sent::Skipped("post was already gone"))
                    }
                    Err(e) => Err(classify(e)),
                }
            }
            Composed::OpenView { trigger, view } => {
                let req = SlackApiViewsOpenRequest::new(
                    trigger.as_str().into(),
                    render::message::view(view, dir),
                );
                session.views_open(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Composed::UpdateView { view_id, view } => {
                let req = SlackApiViewsUpdateRequest::new(render::message::view(view, dir))
                    .with_view_id(view_id.as_str().into());
                session.views_update(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Composed::PublishHome { person, home } => {
                let req = SlackApiViewsPublishRequest::new(
                    person.as_str().into(),
                    render::home::view(home),
                );
                session.views_publish(&req).await.map_err(classify)?;
                Ok(Sent::Done)
            }
            Composed::Respond { to, reply } => {
                let url: url::Url = to.parse().map_err(|_| {
                    SendError::Permanent(format!("reply address is not a URL: {to}"))
                })?;
                self.client
                    .respond_to_event(&SlackResponseUrl::new(url), &render::message::reply(reply))
                    .await
                    .map_err(|e| match classify(e) {
                        // A response URL carries no token: a 401/403/404
                        // there means the hook expired, not that ours is bad.
                        SendError::Unauthorized(why) => SendError::Permanent(why),
                        other => other,
                    })?;
                Ok(Sent::Done)
            }
            Composed::Skip(why) => Ok(Sent::Skipped(why)),
            Composed::Defer(at, why) => Err(SendError::Defer(*at, why)),
        }
    }
}

/// The channel id to post to (a user id reaches the app's DM with them).
fn conversation(to: &Conversation) -> SlackChannelId {
    to.as_str().into()
}

/// Sorts a Web API failure into retry-later, slow-down or give-up.
pub fn classify(e: SlackClientError) -> SendError {
    match e {
        SlackClientError::RateLimitError(e) => SendError::RateLimited(e.retry_after),
        SlackClientError::ApiError(e) => match e.code.as_str() {
            "ratelimited" | "rate_limited" => SendError::RateLimited(None),
            // The token, not the message: pause delivery, keep the rows.
            "invalid_auth" | "not_authed" | "account_inactive" | "token_revoked"
            | "token_expired" | "org_login_required" | "ekm_access_denied" => {
                SendError::Unauthorized(e.code.clone())
            }
            "internal_error" | "fatal_error" | "service_unavailable" | "request_timeout" => {
                SendError::Transient(format!("Slack answered {}", e.code))
            }
            // Everything else Slack reports with ok:false is about this call
            // (channel_not_found, not_in_channel, …): repeating
            // it would fail the same way.
            code => SendError::Permanent(code.to_owned()),
        },
        SlackClientError::HttpError(e) => {
            let status = e.status_code;
            if status.is_server_error() || status.as_u16() == 408 {
                SendError::Transient(format!("HTTP {status}"))
            } else if status.as_u16() == 429 {
                SendError::RateLimited(None)
            } else if matches!(status.as_u16(), 401 | 403 | 404) {
                // Slack's API answers 200 even for bad tokens and unknown
                // methods: these come from a proxy in front of it refusing
                // us (or not finding Slack), which no message can fix.
                SendError::Unauthorized(format!("HTTP {status}"))
            } else {
                SendError::Permanent(format!("HTTP {status}"))
            }
        }
        SlackClientError::ProtocolError(e) => {
            SendError::Transient(format!("unreadable answer: {}", e.json_error))
        }
        other => SendError::Transient(format!("network: {other}")),
    }
}
