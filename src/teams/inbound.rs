//! Is a `POST /api/messages` request one we answer? The token is checked
//! before the body is parsed ([`Inbound::verify`]); in no-auth mode (local
//! tools, loopback only) the body's `serviceUrl` must still be a loopback
//! host, so an unauthenticated request can never make us call out.

use super::activity::Activity;
use super::auth::{AuthError, Authenticator};
use super::service_url::AllowedServiceHosts;
use super::settings::{TeamsAuth, TeamsSettings};
use crate::clock::SharedClock;
use std::sync::Arc;

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    /// 401: not from the Bot Framework, not for us, or not about an
    /// allowed `serviceUrl`.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// 400: authenticated, but not an activity we can read.
    #[error("not a Bot Framework activity: {0}")]
    Malformed(String),
}

/// The inbound side of the Teams adapter.
pub struct Inbound {
    auth: Option<Arc<Authenticator>>,
    hosts: AllowedServiceHosts,
}

impl Inbound {
    pub fn new(settings: &TeamsSettings, http: reqwest::Client, clock: SharedClock) -> Self {
        let auth = match &settings.auth {
            TeamsAuth::Credentials(credentials) => Some(Authenticator::new(
                http,
                credentials,
                settings.allowed_service_hosts.clone(),
                clock,
            )),
            TeamsAuth::NoAuth => None,
        };
        Self {
            auth,
            hosts: settings.allowed_service_hosts.clone(),
        }
    }

    /// The verified activity of a request.
    pub async fn verify(
        &self,
        authorization: Option<&str>,
        body: &[u8],
    ) -> Result<Activity, Refused> {
        let token = match &self.auth {
            Some(auth) => Some(auth.verify_token(authorization).await?),
            None => None,
        };
        let activity: Activity =
            serde_json::from_slice(body).map_err(|e| Refused::Malformed(e.to_string()))?;
        match (&self.auth, token) {
            (Some(auth), Some(token)) => {
                auth.check_activity(token, &activity.service_url, &activity.channel_id)?;
            }
            _ => {
                self.hosts
                    .check(&activity.service_url)
                    .map_err(AuthError::from)?;
            }
        }
        Ok(activity)
    }
}
