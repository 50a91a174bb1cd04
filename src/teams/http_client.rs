//! The one HTTP client Teams code uses to reach Microsoft (the identity
//! platform now, the Bot Connector later).
//!
//! reqwest is built with `rustls-no-provider`: its `rustls` feature would
//! bring aws-lc-rs (a C build) although ring is already in our tree. The price
//! is that every `reqwest::Client` in the process (tests' clients included,
//! since Cargo unifies features) panics on build unless a rustls provider is
//! installed first; [`install_tls_provider`] does that, and [`build`] calls it.

use std::time::Duration;

/// Time allowed for one call to Microsoft, connect included. Generous: a slow
/// identity platform only delays the first request after a cache expiry.
const TIMEOUT: Duration = Duration::from_secs(15);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Installs ring as rustls' process-wide crypto provider. Idempotent; call it
/// before building any `reqwest::Client` (the binary and each test binary).
pub fn install_tls_provider() {
    // `Err` only says a provider is already installed, which is the goal.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A client with timeouts and no redirects: a token or a key request that
/// is answered with a redirect is an error, never followed to another host.
/// Built once at start and shared (it pools connections); it fails only when
/// the TLS backend cannot start, which is a start-up error.
pub fn build() -> Result<reqwest::Client, reqwest::Error> {
    install_tls_provider();
    reqwest::Client::builder()
        .timeout(TIMEOUT)
        .connect_timeout(CONNECT_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
}
