//! Teams settings, read from the environment with the names Microsoft's Bot
//! Framework samples use (upper snake case), checked once at start.
//!
//! Self-contained for now: `TeamsSettings::from_env` takes a lookup function,
//! so `config::Settings` can call it with its own environment (and, later, a
//! `[teams]` table of the file) without this module knowing how that works.
//! The password is a [`SecretString`] from the moment it is read; no error
//! message or `Debug` output contains it.

use super::service_url::{self, AllowedServiceHosts, HostListError};
use secrecy::SecretString;
use std::fmt;
use std::net::SocketAddr;
use thiserror::Error;
use url::Url;

/// Microsoft's OpenID metadata for tokens the Bot Framework sends to bots
/// (public cloud).
pub const DEFAULT_OPENID_METADATA_URL: &str =
    "https://login.botframework.com/v1/.well-known/openidconfiguration";
/// The identity platform's token endpoint; `{tenant}` is the bot's tenant
/// (single-tenant) or `botframework.com` (multi-tenant).
const TOKEN_URL_TEMPLATE: &str = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";
/// The tenant multi-tenant bots get their tokens from.
const MULTI_TENANT_AUTHORITY: &str = "botframework.com";
/// `serviceUrl` hosts allowed when authentication is off: only this machine,
/// so an unauthenticated request can never make the bot call elsewhere.
const NO_AUTH_HOSTS: &str = "localhost, 127.0.0.1, ::1";

/// A setting that cannot be used; the message names the variable to fix and
/// never repeats a secret (nor a URL, which may carry credentials).
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TeamsSettingsError {
    #[error("{name} is not set. {hint}")]
    Required {
        name: &'static str,
        hint: &'static str,
    },
    #[error("{name} is not valid: {rule}")]
    Invalid {
        name: &'static str,
        rule: &'static str,
    },
    #[error("{0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Hosts(#[from] HostListError),
    #[error(
        "ALIGNBOT_TEAMS_NO_AUTH=1 accepts unauthenticated Teams activities, so it is refused \
         unless the listener is loopback; ALIGNBOT_LISTEN is {listen}"
    )]
    NoAuthNotLoopback { listen: SocketAddr },
}

/// How the bot's Entra app is registered (`MICROSOFT_APP_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppType {
    /// The app lives in one tenant; tokens come from that tenant. The default:
    /// new multi-tenant bots can no longer be created in Azure.
    SingleTenant,
    /// An older registration; tokens come from the `botframework.com` tenant.
    MultiTenant,
}

/// A Microsoft Entra id (app or tenant): a GUID, kept in lowercase because
/// that is how Microsoft writes it in tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntraId(String);

impl EntraId {
    fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let groups: Vec<&str> = raw.split('-').collect();
        let lengths_ok = groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12]);
        let hex_ok = groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()));
        (lengths_ok && hex_ok).then(|| Self(raw.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntraId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The bot's credentials and the identity endpoints they are used with.
#[derive(Debug, Clone)]
pub struct BotCredentials {
    /// `MICROSOFT_APP_ID`: the audience of every token sent to us, and the
    /// client id of the tokens we ask for.
    pub app_id: EntraId,
    /// `MICROSOFT_APP_PASSWORD`: the client secret.
    pub password: SecretString,
    pub app_type: AppType,
    /// `MICROSOFT_APP_TENANT_ID`: required for single-tenant apps.
    pub tenant_id: Option<EntraId>,
    /// `BOTFRAMEWORK_OPENID_METADATA_URL`.
    pub openid_metadata_url: Url,
    /// `BOTFRAMEWORK_TOKEN_URL`, or the default for the app type and tenant.
    pub token_url: Url,
}

/// Whether incoming activities are authenticated.
#[derive(Debug, Clone)]
pub enum TeamsAuth {
    /// Every activity carries a Bot Framework JWT, checked against these.
    Credentials(Box<BotCredentials>),
    /// `ALIGNBOT_TEAMS_NO_AUTH=1`: for local tools such as the Agents
    /// Playground, which send no token. Loopback listener and loopback
    /// `serviceUrl`s only; nothing is ever sent with a token.
    NoAuth,
}

/// Everything Teams needs, validated. `None` from [`TeamsSettings::from_env`]
/// means Teams is off.
#[derive(Debug, Clone)]
pub struct TeamsSettings {
    pub auth: TeamsAuth,
    /// Hosts an activity's `serviceUrl` may name (we send our token there).
    pub allowed_service_hosts: AllowedServiceHosts,
}

impl TeamsSettings {
    /// Reads the Teams variables through `var` (empty values must count as
    /// unset). `Ok(None)`: no app id and no `ALIGNBOT_TEAMS_NO_AUTH`, Teams off.
    pub fn from_env(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Self>, TeamsSettingsError> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let no_auth = match var("ALIGNBOT_TEAMS_NO_AUTH").as_deref().map(str::trim) {
            None | Some("0") => false,
            Some("1") => true,
            Some(_) => {
                return Err(TeamsSettingsError::Invalid {
                    name: "ALIGNBOT_TEAMS_NO_AUTH",
                    rule: "use 1 to turn Teams authentication off (local tools only), or leave it unset",
                });
            }
        };
        let app_id = var("MICROSOFT_APP_ID");
        if no_auth {
            if app_id.is_some() || var("MICROSOFT_APP_PASSWORD").is_some() {
                return Err(TeamsSettingsError::Conflict(
                    "ALIGNBOT_TEAMS_NO_AUTH=1 and MICROSOFT_APP_ID/MICROSOFT_APP_PASSWORD are both set: \
                     unset ALIGNBOT_TEAMS_NO_AUTH to authenticate with the credentials, \
                     or unset the credentials for a local, unauthenticated test",
                ));
            }
            if var("BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS").is_some() {
                return Err(TeamsSettingsError::Conflict(
                    "BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS cannot be set with ALIGNBOT_TEAMS_NO_AUTH=1: \
                     without authentication only loopback serviceUrls are answered",
                ));
            }
            return Ok(Some(Self {
                auth: TeamsAuth::NoAuth,
                allowed_service_hosts: AllowedServiceHosts::parse(NO_AUTH_HOSTS)?,
            }));
        }
        let Some(app_id) = app_id else {
            if var("MICROSOFT_APP_PASSWORD").is_some() || var("MICROSOFT_APP_TENANT_ID").is_some() {
                return Err(TeamsSettingsError::Required {
                    name: "MICROSOFT_APP_ID",
                    hint: "Teams credentials are set without the app id: set MICROSOFT_APP_ID to the \
                           bot's Microsoft app id, or unset the other MICROSOFT_APP_* variables",
                });
            }
            return Ok(None);
        };
        let app_id = EntraId::parse(&app_id).ok_or(TeamsSettingsError::Invalid {
            name: "MICROSOFT_APP_ID",
            rule: "it must be the bot's Microsoft app id (a GUID) from the Azure Bot resource \
                   or the Teams Developer Portal",
        })?;
        let password = var("MICROSOFT_APP_PASSWORD")
            .map(SecretString::from)
            .ok_or(TeamsSettingsError::Required {
                name: "MICROSOFT_APP_PASSWORD",
                hint: "set it to a client secret of the bot's app registration",
            })?;
        let app_type = match var("MICROSOFT_APP_TYPE").as_deref().map(str::trim) {
            None => AppType::SingleTenant,
            Some(t) if t.eq_ignore_ascii_case("SingleTenant") => AppType::SingleTenant,
            Some(t) if t.eq_ignore_ascii_case("MultiTenant") => AppType::MultiTenant,
            Some(t) if t.eq_ignore_ascii_case("UserAssignedMSI") => {
                return Err(TeamsSettingsError::Invalid {
                    name: "MICROSOFT_APP_TYPE",
                    rule: "UserAssignedMSI (managed identity) is not supported yet; \
                           use SingleTenant with a client secret",
                });
            }
            Some(_) => {
                return Err(TeamsSettingsError::Invalid {
                    name: "MICROSOFT_APP_TYPE",
                    rule: "use SingleTenant or MultiTenant",
                });
            }
        };
        let tenant_id = match var("MICROSOFT_APP_TENANT_ID") {
            None => None,
            Some(raw) => Some(EntraId::parse(&raw).ok_or(TeamsSettingsError::Invalid {
                name: "MICROSOFT_APP_TENANT_ID",
                rule: "it must be the Microsoft Entra tenant id (a GUID) the bot is registered in",
            })?),
        };
        if app_type == AppType::SingleTenant && tenant_id.is_none() {
            return Err(TeamsSettingsError::Required {
                name: "MICROSOFT_APP_TENANT_ID",
                hint: "a SingleTenant bot (the default MICROSOFT_APP_TYPE) gets its tokens from its \
                       own tenant: set the tenant id, or MICROSOFT_APP_TYPE=MultiTenant for an \
                       older multi-tenant registration",
            });
        }
        let openid_metadata_url = endpoint(
            "BOTFRAMEWORK_OPENID_METADATA_URL",
            var("BOTFRAMEWORK_OPENID_METADATA_URL")
                .as_deref()
                .unwrap_or(DEFAULT_OPENID_METADATA_URL),
        )?;
        let token_url = match var("BOTFRAMEWORK_TOKEN_URL") {
            Some(raw) => endpoint("BOTFRAMEWORK_TOKEN_URL", &raw)?,
            None => default_token_url(app_type, tenant_id.as_ref()),
        };
        let allowed_service_hosts = match var("BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS") {
            Some(list) => AllowedServiceHosts::parse(&list)?,
            None => AllowedServiceHosts::default(),
        };
        Ok(Some(Self {
            auth: TeamsAuth::Credentials(Box::new(BotCredentials {
                app_id,
                password,
                app_type,
                tenant_id,
                openid_metadata_url,
                token_url,
            })),
            allowed_service_hosts,
        }))
    }

    /// `serve` calls this with its listen address: without authentication
    /// the listener must not be reachable from other machines.
    pub fn check_listener(&self, listen: SocketAddr) -> Result<(), TeamsSettingsError> {
        match self.auth {
            TeamsAuth::NoAuth if !listen.ip().is_loopback() => {
                Err(TeamsSettingsError::NoAuthNotLoopback { listen })
            }
            _ => Ok(()),
        }
    }
}

fn default_token_url(app_type: AppType, tenant: Option<&EntraId>) -> Url {
    let authority = match (app_type, tenant) {
        (AppType::SingleTenant, Some(t)) => t.as_str(),
        _ => MULTI_TENANT_AUTHORITY,
    };
    Url::parse(&TOKEN_URL_TEMPLATE.replace("{tenant}", authority))
        .expect("the token URL template with a GUID or botframework.com is a URL")
}

/// An identity endpoint: https, or http for a loopback host (a local fake).
fn endpoint(name: &'static str, raw: &str) -> Result<Url, TeamsSettingsError> {
    let invalid = || TeamsSettingsError::Invalid {
        name,
        rule: "it must be an https URL (http only for a loopback host such as 127.0.0.1)",
    };
    let url = Url::parse(raw.trim()).map_err(|_| invalid())?;
    let loopback = url
        .host_str()
        .is_some_and(|h| service_url::is_loopback(h.trim_start_matches('[').trim_end_matches(']')));
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    const APP: &str = "8f0d3c1e-2b6a-4e57-9c1d-0a1b2c3d4e5f";
    const TENANT: &str = "11111111-2222-4333-8444-555555555555";

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    fn credentials(s: TeamsSettings) -> BotCredentials {
        match s.auth {
            TeamsAuth::Credentials(c) => *c,
            TeamsAuth::NoAuth => panic!("expected credentials"),
        }
    }

    #[test]
    fn without_an_app_id_teams_is_off() {
        assert!(TeamsSettings::from_env(env(&[])).unwrap().is_none());
        assert!(
            TeamsSettings::from_env(env(&[("MICROSOFT_APP_ID", " ")]))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_single_tenant_bot_gets_its_tenants_token_url_and_microsofts_defaults() {
        let s = TeamsSettings::from_env(env(&[
            ("MICROSOFT_APP_ID", &APP.to_uppercase()),
            ("MICROSOFT_APP_PASSWORD", "pw"),
            ("MICROSOFT_APP_TENANT_ID", TENANT),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!(s.allowed_service_hosts, AllowedServiceHosts::default());
        let c = credentials(s);
        assert_eq!(c.app_id.as_str(), APP, "kept in lowercase");
        assert_eq!(c.app_type, AppType::SingleTenant);
        assert_eq!(c.password.expose_secret(), "pw");
        assert_eq!(
            c.token_url.as_str(),
            format!("https://login.microsoftonline.com/{TENANT}/oauth2/v2.0/token")
        );
        assert_eq!(c.openid_metadata_url.as_str(), DEFAULT_OPENID_METADATA_URL);
    }

    #[test]
    fn a_multi_tenant_bot_gets_its_tokens_from_botframework_com() {
        let c = credentials(
            TeamsSettings::from_env(env(&[
                ("MICROSOFT_APP_ID", APP),
                ("MICROSOFT_APP_PASSWORD", "pw"),
                ("MICROSOFT_APP_TYPE", "multitenant"),
            ]))
            .unwrap()
            .unwrap(),
        );
        assert_eq!(c.app_type, AppType::MultiTenant);
        assert_eq!(
            c.token_url.as_str(),
            "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
        );
    }

    #[test]
    fn the_endpoints_and_hosts_can_point_at_a_local_fake() {
        let s = TeamsSettings::from_env(env(&[
            ("MICROSOFT_APP_ID", APP),
            ("MICROSOFT_APP_PASSWORD", "pw"),
            ("MICROSOFT_APP_TYPE", "MultiTenant"),
            (
                "BOTFRAMEWORK_OPENID_METADATA_URL",
                "http://127.0.0.1:9/openid",
            ),
            ("BOTFRAMEWORK_TOKEN_URL", "http://localhost:9/token"),
            ("BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS", "127.0.0.1"),
        ]))
        .unwrap()
        .unwrap();
        assert!(s.allowed_service_hosts.check("http://127.0.0.1:1/").is_ok());
        let c = credentials(s);
        assert_eq!(c.openid_metadata_url.as_str(), "http://127.0.0.1:9/openid");
        assert_eq!(c.token_url.as_str(), "http://localhost:9/token");
    }

    #[test]
    fn each_invalid_setting_names_its_variable_and_never_the_password() {
        let password = "s3cr3t-Pa55word~value";
        let base = [
            ("MICROSOFT_APP_ID", APP),
            ("MICROSOFT_APP_PASSWORD", password),
            ("MICROSOFT_APP_TENANT_ID", TENANT),
        ];
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![("MICROSOFT_APP_ID", "my-bot")], "MICROSOFT_APP_ID"),
            (
                vec![("MICROSOFT_APP_PASSWORD", "")],
                "MICROSOFT_APP_PASSWORD",
            ),
            (
                vec![("MICROSOFT_APP_TENANT_ID", "")],
                "MICROSOFT_APP_TENANT_ID",
            ),
            (
                vec![("MICROSOFT_APP_TENANT_ID", "contoso")],
                "MICROSOFT_APP_TENANT_ID",
            ),
            (vec![("MICROSOFT_APP_TYPE", "Both")], "MICROSOFT_APP_TYPE"),
            (
                vec![("MICROSOFT_APP_TYPE", "UserAssignedMSI")],
                "not supported",
            ),
            (
                vec![("BOTFRAMEWORK_TOKEN_URL", "http://login.example/token")],
                "BOTFRAMEWORK_TOKEN_URL",
            ),
            (
                vec![("BOTFRAMEWORK_OPENID_METADATA_URL", "ftp://x/")],
                "BOTFRAMEWORK_OPENID_METADATA_URL",
            ),
            (
                vec![("BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS", "https://x.example/")],
                "BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS",
            ),
            (
                vec![("ALIGNBOT_TEAMS_NO_AUTH", "yes")],
                "ALIGNBOT_TEAMS_NO_AUTH",
            ),
            (
                vec![("ALIGNBOT_TEAMS_NO_AUTH", "1")],
                "ALIGNBOT_TEAMS_NO_AUTH",
            ),
        ];
        for (overrides, expected) in cases {
            let mut pairs: Vec<(&str, &str)> = base
                .iter()
                .filter(|(k, _)| !overrides.iter().any(|(o, _)| o == k))
                .copied()
                .collect();
            pairs.extend(overrides.iter().copied());
            let err = TeamsSettings::from_env(env(&pairs))
                .expect_err(&format!("{overrides:?} should be refused"));
            let shown = format!("{err} {err:?}");
            assert!(shown.contains(expected), "{overrides:?}: {shown}");
            assert!(!shown.contains(password), "{overrides:?} leaked: {shown}");
        }
    }

    #[test]
    fn the_password_never_appears_in_debug_output() {
        let s = TeamsSettings::from_env(env(&[
            ("MICROSOFT_APP_ID", APP),
            ("MICROSOFT_APP_PASSWORD", "s3cr3t-Pa55word"),
            ("MICROSOFT_APP_TENANT_ID", TENANT),
        ]))
        .unwrap()
        .unwrap();
        assert!(!format!("{s:?}").contains("s3cr3t"));
    }

    #[test]
    fn credentials_without_an_app_id_are_a_mistake_not_teams_off() {
        let err = TeamsSettings::from_env(env(&[("MICROSOFT_APP_PASSWORD", "pw")])).unwrap_err();
        assert!(err.to_string().contains("MICROSOFT_APP_ID"), "{err}");
    }

    #[test]
    fn no_auth_mode_answers_only_loopback_service_urls_and_needs_a_loopback_listener() {
        let s = TeamsSettings::from_env(env(&[("ALIGNBOT_TEAMS_NO_AUTH", "1")]))
            .unwrap()
            .unwrap();
        assert!(matches!(s.auth, TeamsAuth::NoAuth));
        assert!(
            s.allowed_service_hosts
                .check("http://localhost:56150/_connector")
                .is_ok()
        );
        assert!(
            s.allowed_service_hosts
                .check("https://smba.trafficmanager.net/teams/")
                .is_err()
        );
        assert!(s.check_listener("127.0.0.1:3978".parse().unwrap()).is_ok());
        assert_eq!(
            s.check_listener("0.0.0.0:3978".parse().unwrap()),
            Err(TeamsSettingsError::NoAuthNotLoopback {
                listen: "0.0.0.0:3978".parse().unwrap()
            })
        );
    }

    #[test]
    fn no_auth_mode_refuses_credentials_and_a_host_list() {
        for extra in [
            ("MICROSOFT_APP_ID", APP),
            ("BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS", "example.org"),
        ] {
            let err = TeamsSettings::from_env(env(&[("ALIGNBOT_TEAMS_NO_AUTH", "1"), extra]))
                .unwrap_err();
            assert!(matches!(err, TeamsSettingsError::Conflict(_)), "{extra:?}");
        }
    }
}
