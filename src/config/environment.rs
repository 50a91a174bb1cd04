//! The environment's side of the settings: which variable sets which file
//! key, and where secrets may come from.
//!
//! One naming rule covers every key, so an operator can guess a variable
//! without reading a table: `ALIGNBOT_<SECTION>_<KEY>` in capitals, e.g.
//! `delivery.max_in_flight` is `ALIGNBOT_DELIVERY_MAX_IN_FLIGHT`. Keys of
//! `[server]` drop the section (`server.listen` is `ALIGNBOT_LISTEN`), and
//! `[slack]` and `database.url` keep the names Slack's own frameworks and
//! sqlx use (`SLACK_BOT_TOKEN`, `DATABASE_URL`).
//!
//! A secret may also be read from a file, the convention of Docker secrets
//! and systemd credentials: `<NAME>_FILE` names the file, and systemd's
//! `LoadCredential=<NAME>:…` is found in `$CREDENTIALS_DIRECTORY/<NAME>`.
//! Messages about a secret name the variable and the file, never the value.

use super::{ConfigError, Env, FileSettings, invalid};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The variable that sets `section.key`.
pub(super) fn var_name(section: &str, key: &str) -> String {
    match section {
        "server" => format!("ALIGNBOT_{}", key.to_ascii_uppercase()),
        _ => format!(
            "ALIGNBOT_{}_{}",
            section.to_ascii_uppercase(),
            key.to_ascii_uppercase()
        ),
    }
}

/// Both names of a setting, for messages: `ALIGNBOT_X_Y (x.y)`.
pub(super) fn both(section: &str, key: &str) -> String {
    format!("{} ({section}.{key})", var_name(section, key))
}

/// `file` replaced by the variable of `section.key` when that is set.
fn number<T: FromStr>(
    env: &dyn Env,
    section: &str,
    key: &str,
    file: Option<T>,
) -> Result<Option<T>, ConfigError> {
    match env.var(&var_name(section, key)) {
        Some(raw) => raw
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| invalid(both(section, key), raw, "expected a whole number")),
        None => Ok(file),
    }
}

fn text(env: &dyn Env, section: &str, key: &str, file: Option<String>) -> Option<String> {
    env.var(&var_name(section, key)).or(file)
}

/// Applies the environment to the file's values, key by key, before they
/// are checked: a bad value is then reported the same way wherever it came
/// from. `[slack]`, `database.url`, `server.listen` and `server.scheduler`
/// are read where they are resolved (their names predate the rule, and
/// secrets need more care); `[schedule]`, `[[pillars]]` and `[[teams]]` are
/// structured data that live in the file.
pub(super) fn overlay(file: &mut FileSettings, env: &dyn Env) -> Result<(), ConfigError> {
    let s = &mut file.server;
    s.admin_listen = text(env, "server", "admin_listen", s.admin_listen.take());
    s.header_read_timeout_ms = number(
        env,
        "server",
        "header_read_timeout_ms",
        s.header_read_timeout_ms,
    )?;
    s.body_read_timeout_ms = number(
        env,
        "server",
        "body_read_timeout_ms",
        s.body_read_timeout_ms,
    )?;
    s.request_timeout_ms = number(env, "server", "request_timeout_ms", s.request_timeout_ms)?;
    s.max_connections = number(env, "server", "max_connections", s.max_connections)?;
    s.shutdown_timeout_ms = number(env, "server", "shutdown_timeout_ms", s.shutdown_timeout_ms)?;

    let d = &mut file.delivery;
    d.per_channel_interval_ms = number(
        env,
        "delivery",
        "per_channel_interval_ms",
        d.per_channel_interval_ms,
    )?;
    d.request_timeout_ms = number(env, "delivery", "request_timeout_ms", d.request_timeout_ms)?;
    d.max_in_flight = number(env, "delivery", "max_in_flight", d.max_in_flight)?;
    d.max_per_second = number(env, "delivery", "max_per_second", d.max_per_second)?;
    d.give_up_after_hours = number(
        env,
        "delivery",
        "give_up_after_hours",
        d.give_up_after_hours,
    )?;

    let m = &mut file.socket_mode;
    m.initial_backoff_ms = number(
        env,
        "socket_mode",
        "initial_backoff_ms",
        m.initial_backoff_ms,
    )?;
    m.max_backoff_ms = number(env, "socket_mode", "max_backoff_ms", m.max_backoff_ms)?;
    m.ping_interval_ms = number(env, "socket_mode", "ping_interval_ms", m.ping_interval_ms)?;

    let data = &mut file.data;
    data.history_days = number(env, "data", "history_days", data.history_days)?;
    data.retention_after_uninstall_days = number(
        env,
        "data",
        "retention_after_uninstall_days",
        data.retention_after_uninstall_days,
    )?;

    let p = &mut file.privacy;
    p.moments_per_hour = number(env, "privacy", "moments_per_hour", p.moments_per_hour)?;
    if let Some(raw) = env.var(&var_name("privacy", "notify_admins_on_override")) {
        p.notify_admins_on_override = Some(match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => true,
            "false" | "0" | "no" | "off" => false,
            _ => {
                return Err(invalid(
                    both("privacy", "notify_admins_on_override"),
                    raw,
                    "use true or false",
                ));
            }
        });
    }

    if let Some(org) = &mut file.org {
        for (key, value) in [
            ("name", &mut org.name),
            ("mission", &mut org.mission),
            ("timezone", &mut org.timezone),
            ("moments_channel", &mut org.moments_channel),
            ("leadership_channel", &mut org.leadership_channel),
        ] {
            if let Some(v) = env.var(&var_name("org", key)) {
                *value = v;
            }
        }
        // A list: comma- or space-separated member ids.
        if let Some(v) = env.var(&var_name("org", "admins")) {
            org.admins = v
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
        }
    }
    Ok(())
}

/// A secret's value: the variable `name`, else the file named by
/// `<name>_FILE`, else `$CREDENTIALS_DIRECTORY/<name>` when systemd put it
/// there, else the config file's value. Setting both `name` and
/// `<name>_FILE` is refused: which one wins would be a guess.
pub(super) fn secret(
    env: &dyn Env,
    name: &'static str,
    file_value: Option<String>,
) -> Result<Option<String>, ConfigError> {
    let file_var = format!("{name}_FILE");
    match (env.var(name), env.var(&file_var)) {
        (Some(_), Some(_)) => Err(ConfigError::Conflict {
            name: name.to_owned(),
            other: file_var,
        }),
        (Some(value), None) => Ok(Some(value)),
        (None, Some(path)) => read_secret(&file_var, Path::new(path.trim())).map(Some),
        (None, None) => {
            if let Some(dir) = env.var("CREDENTIALS_DIRECTORY") {
                let path = Path::new(dir.trim()).join(name);
                if path.is_file() {
                    return read_secret(&format!("{name} in $CREDENTIALS_DIRECTORY"), &path)
                        .map(Some);
                }
            }
            Ok(file_value.filter(|v| !v.trim().is_empty()))
        }
    }
}

/// The whole file, without the line break editors and `echo` add at the end.
fn read_secret(name: &str, path: &Path) -> Result<String, ConfigError> {
    let content = std::fs::read_to_string(path).map_err(|source| ConfigError::SecretFile {
        name: name.to_owned(),
        path: PathBuf::from(path),
        // The error's kind only: its text could carry part of the file.
        reason: source.kind().to_string(),
    })?;
    let value = content.trim();
    if value.is_empty() {
        return Err(invalid(
            name,
            path.display().to_string(),
            "the file is empty",
        ));
    }
    Ok(value.to_owned())
}
