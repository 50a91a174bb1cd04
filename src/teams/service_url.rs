//! Where the bot may send its Bot Connector token.
//!
//! Every activity names the `serviceUrl` to answer it at, and a connector
//! token sent to a URL is a token given to whoever runs that host. The SDKs
//! send it anywhere (botbuilder-js's `trustServiceUrl` is a no-op), so we keep
//! our own allow-list, `BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS`, and the only way
//! to get a [`ServiceUrl`] (which the connector client requires) is
//! [`AllowedServiceHosts::check`].

use std::fmt;
use thiserror::Error;
use url::{Host, Url};

/// Microsoft's connector hosts: the public cloud's `smba.trafficmanager.net`
/// (with regional paths), `*.botframework.com`, and the GCC and GCC-High
/// hosts (docs/dev/teams-notes.md §3). A tenant that uses another one shows
/// up as refused activities with the host in the log.
pub const DEFAULT_HOSTS: &str = "smba.trafficmanager.net, *.botframework.com, \
     smba.infra.gcc.teams.microsoft.com, smba.infra.gov.teams.microsoft.us";

/// One allowed host: exact, or `*.suffix` for any subdomain of `suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    Exact(String),
    AnySubdomainOf(String),
}

impl HostPattern {
    fn matches(&self, host: &str) -> bool {
        match self {
            Self::Exact(h) => h == host,
            Self::AnySubdomainOf(suffix) => host
                .strip_suffix(suffix.as_str())
                .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')),
        }
    }
}

/// The parsed `BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedServiceHosts {
    patterns: Vec<HostPattern>,
}

/// Why a host list could not be read. The entry is echoed: host names are
/// not secret, and the operator needs to see which one is wrong.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum HostListError {
    #[error("BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS is empty: list at least one host")]
    Empty,
    #[error(
        "BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS: {0:?} is not a host name (write hosts such as \
         smba.trafficmanager.net or *.botframework.com, without scheme, port or path)"
    )]
    NotAHost(String),
}

/// Why an activity's `serviceUrl` will not get our token.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ServiceUrlError {
    #[error("the serviceUrl is not a URL")]
    NotAUrl,
    #[error("the serviceUrl must use https (http is allowed only for loopback hosts)")]
    NotHttps,
    #[error("the serviceUrl must not carry a user name or password")]
    HasCredentials,
    #[error("the serviceUrl host {0} is not in BOTFRAMEWORK_ALLOWED_SERVICE_HOSTS")]
    HostNotAllowed(String),
}

impl AllowedServiceHosts {
    /// Parses a comma-separated list of hosts, `*.` meaning "any subdomain".
    /// IPv6 addresses may be written with or without brackets.
    pub fn parse(list: &str) -> Result<Self, HostListError> {
        let mut patterns = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (wildcard, name) = match entry.strip_prefix("*.") {
                Some(rest) => (true, rest),
                None => (false, entry),
            };
            let host = canonical_host(name).ok_or_else(|| HostListError::NotAHost(entry.into()))?;
            if wildcard && !host.contains(|c: char| c.is_ascii_alphabetic()) {
                // `*.127.0.0.1` would be a pattern no host can match.
                return Err(HostListError::NotAHost(entry.into()));
            }
            patterns.push(if wildcard {
                HostPattern::AnySubdomainOf(host)
            } else {
                HostPattern::Exact(host)
            });
        }
        if patterns.is_empty() {
            return Err(HostListError::Empty);
        }
        Ok(Self { patterns })
    }

    /// Accepts `raw` as a place to send our token, or says why not.
    pub fn check(&self, raw: &str) -> Result<ServiceUrl, ServiceUrlError> {
        let url = Url::parse(raw).map_err(|_| ServiceUrlError::NotAUrl)?;
        let host = match url.host() {
            Some(Host::Domain(d)) => d.to_owned(),
            Some(Host::Ipv4(ip)) => ip.to_string(),
            Some(Host::Ipv6(ip)) => ip.to_string(),
            None => return Err(ServiceUrlError::NotAUrl),
        };
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&host) => {}
            _ => return Err(ServiceUrlError::NotHttps),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ServiceUrlError::HasCredentials);
        }
        if !self.patterns.iter().any(|p| p.matches(&host)) {
            return Err(ServiceUrlError::HostNotAllowed(host));
        }
        Ok(ServiceUrl(url))
    }
}

impl Default for AllowedServiceHosts {
    fn default() -> Self {
        Self::parse(DEFAULT_HOSTS).expect("the default host list parses")
    }
}

/// A `serviceUrl` whose host is allowed to receive our connector token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceUrl(Url);

impl ServiceUrl {
    pub fn as_url(&self) -> &Url {
        &self.0
    }
}

impl fmt::Display for ServiceUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// The host as the URL parser would write it (lowercase, IDNA, IPs
/// normalised), so list entries and URLs compare like with like.
fn canonical_host(name: &str) -> Option<String> {
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    let url = if bare.contains(':') {
        Url::parse(&format!("https://[{bare}]/")).ok()?
    } else {
        Url::parse(&format!("https://{bare}/")).ok()?
    };
    // Anything that moved into a port, path, query or user part was not a host.
    if url.port().is_some()
        || url.path() != "/"
        || url.query().is_some()
        || !url.username().is_empty()
    {
        return None;
    }
    Some(match url.host()? {
        Host::Domain(d) => d.to_owned(),
        Host::Ipv4(ip) => ip.to_string(),
        Host::Ipv6(ip) => ip.to_string(),
    })
}

/// Hosts that never leave the machine: plain http is fine for them (the
/// Agents Playground's connector, the tests' fake).
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_list_allows_microsofts_connector_hosts() {
        let hosts = AllowedServiceHosts::default();
        for url in [
            "https://smba.trafficmanager.net/amer/",
            "https://smba.trafficmanager.net/teams/",
            "https://europe.botframework.com/",
            "https://smba.infra.gcc.teams.microsoft.com/gcc",
            "https://smba.infra.gov.teams.microsoft.us/gcch",
        ] {
            assert!(hosts.check(url).is_ok(), "{url} should be allowed");
        }
    }

    #[test]
    fn a_host_outside_the_list_is_refused_and_named() {
        let hosts = AllowedServiceHosts::default();
        assert_eq!(
            hosts.check("https://attacker.example/v3/"),
            Err(ServiceUrlError::HostNotAllowed("attacker.example".into()))
        );
    }

    #[test]
    fn a_suffix_pattern_matches_subdomains_only_at_a_dot_boundary() {
        let hosts = AllowedServiceHosts::parse("*.botframework.com").unwrap();
        assert!(hosts.check("https://a.b.botframework.com/").is_ok());
        assert!(hosts.check("https://botframework.com/").is_err());
        assert!(hosts.check("https://evilbotframework.com/").is_err());
        assert!(
            hosts
                .check("https://botframework.com.evil.example/")
                .is_err()
        );
    }

    #[test]
    fn hosts_compare_without_regard_to_case() {
        let hosts = AllowedServiceHosts::parse("SMBA.trafficmanager.net").unwrap();
        assert!(
            hosts
                .check("https://smba.TRAFFICMANAGER.net/teams/")
                .is_ok()
        );
    }

    #[test]
    fn plain_http_is_allowed_only_for_loopback_hosts() {
        let hosts = AllowedServiceHosts::parse("127.0.0.1, localhost, ::1, example.org").unwrap();
        assert!(hosts.check("http://127.0.0.1:3978/_connector").is_ok());
        assert!(hosts.check("http://localhost:56150/_connector").is_ok());
        assert!(hosts.check("http://[::1]:8080/").is_ok());
        assert_eq!(
            hosts.check("http://example.org/"),
            Err(ServiceUrlError::NotHttps)
        );
    }

    #[test]
    fn a_service_url_with_credentials_or_no_host_is_refused() {
        let hosts = AllowedServiceHosts::parse("example.org").unwrap();
        assert_eq!(
            hosts.check("https://user:pw@example.org/"),
            Err(ServiceUrlError::HasCredentials)
        );
        assert_eq!(hosts.check("not a url"), Err(ServiceUrlError::NotAUrl));
        assert_eq!(
            hosts.check("data:text/plain,hi"),
            Err(ServiceUrlError::NotAUrl)
        );
    }

    #[test]
    fn list_entries_that_are_not_hosts_are_refused_with_the_entry() {
        for bad in [
            "https://smba.trafficmanager.net",
            "smba.trafficmanager.net:443",
            "smba.trafficmanager.net/teams",
            "*.127.0.0.1",
        ] {
            assert_eq!(
                AllowedServiceHosts::parse(bad),
                Err(HostListError::NotAHost(bad.into())),
                "{bad}"
            );
        }
        assert_eq!(AllowedServiceHosts::parse(" , "), Err(HostListError::Empty));
    }
}
