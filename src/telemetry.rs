//! Logging: one subscriber for the process, filtered by `RUST_LOG`, as
//! text for people or as JSON lines for log collectors
//! (`ALIGNBOT_LOG_FORMAT=json`).

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
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
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

#[cfg(test)]
mod tests {
    use super::*;

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
