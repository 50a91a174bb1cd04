//! Logging: one subscriber for the process, filtered by `RUST_LOG`, as
//! text for people or as JSON lines for log collectors
//! (`ALIGNBOT_LOG_FORMAT=json`).
//!
//! Text is coloured only when stderr is a terminal and `NO_COLOR` is not
//! set (<https://no-color.org>): journald, `docker logs` and files would
//! otherwise store the escape sequences as part of every line.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// The shape of log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    /// One JSON object per line, with the span fields (request id, team,
    /// user, kind) flattened in, so a collector can index them.
    Json,
}

impl LogFormat {
    /// Reads `ALIGNBOT_LOG_FORMAT`: `json`, or `text` (the default).
    pub fn parse(raw: Option<&str>) -> Result<Self, String> {
        match raw.map(str::trim).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(format!(
                "ALIGNBOT_LOG_FORMAT={other:?} is not a log format; use json or text"
            )),
        }
    }
}

/// Installs the global subscriber (logs go to stderr, so command output on
/// stdout stays clean). Safe to call more than once: later calls do nothing.
pub fn init() {
    let format = LogFormat::parse(std::env::var("ALIGNBOT_LOG_FORMAT").ok().as_deref())
        .unwrap_or_else(|why| {
            eprintln!("warning: {why}; logging as text");
            LogFormat::Text
        });
    init_with(format);
}

pub fn init_with(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}

/// Whether text logs get ANSI colours: only for a person at a terminal, and
/// never when `NO_COLOR` is set to anything but the empty string.
fn colour(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    stderr_is_terminal && no_color.is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_and_never_with_no_color() {
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        assert!(colour(true, None));
        assert!(colour(true, empty), "an empty NO_COLOR does not count");
        assert!(!colour(true, set));
        assert!(!colour(false, None), "a pipe, journald or a file");
        assert!(!colour(false, set));
    }

    #[test]
    fn log_formats() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("JSON")), Ok(LogFormat::Json));
        assert_eq!(LogFormat::parse(Some("text")), Ok(LogFormat::Text));
        assert!(
            LogFormat::parse(Some("xml"))
                .unwrap_err()
                .contains("json or text")
        );
    }
}
