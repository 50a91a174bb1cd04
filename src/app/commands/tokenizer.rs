//! The words of a command's text: the tokenizer and the usage messages the
//! grammars share.
//!
//! # Tokenizer rules
//!
//! - The first word names the subcommand (`/goal add`), and for `/align` the
//!   second word too (`/align pillar add`); names are case-insensitive. An
//!   unknown subcommand gets the full help.
//! - The rest is split into whitespace-separated words. Mention markup `<…>`
//!   (people `<@U123|name>`, channels `<#C123|name>`, links) is one word
//!   even when it contains spaces.
//! - An option is `key:value` where `key` is one of the option names that
//!   subcommand knows (the key is case-insensitive). Any other `word:thing`
//!   is an ordinary word, so a title like "Ratio 3:1" survives.
//! - An option's value may be double-quoted to include spaces:
//!   `due:"end of year"`, `name:"Patient care"`; the curly quotes “ ” that
//!   chat clients produce work too. Quotes count only right after `key:`;
//!   elsewhere they are ordinary characters. A quoted value is trimmed and
//!   must be followed by a space or the end of the text.
//! - Usage errors: an unclosed quote; a known option given twice; a known
//!   option with nothing after the colon (`pillar: care`).
//! - The words that are not options make the title (or name): in order,
//!   joined by single spaces.
//! - Free text at the end (check-in and closing notes, the mission) is kept
//!   as typed, spacing and newlines included; quotes and `key:` in it are
//!   just text.
//! - People must be mentions (`<@U123>` or `<@U123|name>`) and channels
//!   channel links (`<#C123>` or `<#C123|name>`); only the id is kept. A
//!   bare `@name` or `#name` (one the chat client did not turn into a
//!   mention) is a usage error asking to pick it from the list.
//! - Goal ids are kept raw: `12` and `#12` both pass through unchanged.
//! - HTML escaping (`&amp;`, `&lt;`, `&gt;`, as Slack sends it) is left as sent.
//!
//! Mentions are read in one markup, `<@id>` / `<#id>` with an optional
//! `|label`: it is Slack's, and the grammar takes it as its neutral form. An
//! adapter whose platform writes mentions otherwise (Teams sends
//! `<at>Name</at>` plus the ids beside the text) rewrites them to this form
//! before it hands the text over; the commands then carry plain ids.

use super::Usage;
use std::fmt::{self, Write as _};

pub(super) const QUOTES: [char; 3] = ['"', '“', '”'];

/// A help text: the title, each form with what it does, then notes.
pub(super) fn help_text(title: &str, forms: &[(&str, &str)], notes: &str) -> String {
    let mut text = format!("{title}\n");
    for (line, what) in forms {
        let _ = writeln!(text, "• {line} — {what}");
    }
    text.push_str(notes);
    text
}

/// Refuses anything left after a subcommand that takes nothing more.
pub(super) fn nothing_more(rest: &str, line: &str) -> Result<(), Usage> {
    let extra = rest.trim();
    if extra.is_empty() {
        return Ok(());
    }
    Err(usage(
        format!("I don't know what to do with {}.", code(extra)),
        &[line],
    ))
}

// ---- mentions ----------------------------------------------------------

/// The id in the mention markup `<@U123|name>` / `<#C123>` (see the module doc).
fn mention_id(raw: &str, sigil: char) -> Option<String> {
    let inner = raw
        .strip_prefix('<')?
        .strip_suffix('>')?
        .strip_prefix(sigil)?;
    let id = inner.split_once('|').map_or(inner, |(id, _)| id);
    // Slack ids are alphanumeric; Teams people are Entra object ids (with `-`).
    let valid = !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid.then(|| id.to_owned())
}

/// The plain id of a person's mention. The refusal tells how to make a
/// mention in Slack's words, those of the adapter people use today.
pub(super) fn person(raw: &str) -> Result<String, String> {
    mention_id(raw, '@').ok_or_else(|| {
        format!(
            "{} isn't a mention I can read: type `@` and pick the person from Slack's list, so Slack makes it a mention.",
            code(raw)
        )
    })
}

/// The plain id of a channel's link.
pub(super) fn channel(raw: &str) -> Result<String, String> {
    mention_id(raw, '#').ok_or_else(|| {
        format!(
            "{} isn't a channel link I can read: type `#` and pick the channel from Slack's list, so Slack links it.",
            code(raw)
        )
    })
}

// ---- tokenizer ---------------------------------------------------------

/// Words and known options of a command's text.
#[derive(Debug, Default)]
pub(super) struct Tokens<'a> {
    pub(super) words: Vec<&'a str>,
    options: Vec<(&'static str, String)>,
}

impl Tokens<'_> {
    pub(super) fn take(&mut self, key: &str) -> Option<String> {
        let at = self.options.iter().position(|(k, _)| *k == key)?;
        Some(self.options.swap_remove(at).1)
    }

    fn add_option(&mut self, key: &'static str, value: String) -> Result<(), String> {
        if self.options.iter().any(|(k, _)| *k == key) {
            return Err(format!("You gave `{key}:` twice; keep just one."));
        }
        self.options.push((key, value));
        Ok(())
    }
}

/// Splits `text` by the rules in the module doc; `keys` are the option
/// names (lowercase) this command knows.
pub(super) fn tokenize<'a>(text: &'a str, keys: &[&'static str]) -> Result<Tokens<'a>, String> {
    let mut tokens = Tokens::default();
    let mut at = skip_space(text, 0);
    while at < text.len() {
        let end = match option_key(&text[at..], keys) {
            Some((key, value_at)) => {
                let (value, end) = option_value(text, at + value_at, key)?;
                tokens.add_option(key, value.to_owned())?;
                end
            }
            None => {
                let end = word_end(text, at);
                tokens.words.push(&text[at..end]);
                end
            }
        };
        at = skip_space(text, end);
    }
    Ok(tokens)
}

/// Whitespace-separated words, mention markup `<…>` kept whole.
pub(super) fn words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = text;
    loop {
        let (word, after) = split_first(rest);
        if word.is_empty() {
            return words;
        }
        words.push(word);
        rest = after;
    }
}

/// The known key `word` starts with, and where its value begins.
fn option_key(word: &str, keys: &[&'static str]) -> Option<(&'static str, usize)> {
    let colon = word.find(':')?;
    let name = &word[..colon];
    let key = keys.iter().find(|k| k.eq_ignore_ascii_case(name))?;
    Some((key, colon + 1))
}

/// The value starting at `at` (quoted or one word) and where it ends.
fn option_value<'a>(text: &'a str, at: usize, key: &str) -> Result<(&'a str, usize), String> {
    let (value, end) = match text[at..].chars().next() {
        Some(quote) if QUOTES.contains(&quote) => quoted(text, at + quote.len_utf8(), key)?,
        _ => {
            let end = word_end(text, at);
            (&text[at..end], end)
        }
    };
    if value.is_empty() {
        return Err(format!(
            "`{key}:` needs a value right after the colon, with no space; put values with spaces in quotes: `{key}:\"…\"`."
        ));
    }
    Ok((value, end))
}

/// The trimmed text from `at` to the next quote, and the end of that quote.
fn quoted<'a>(text: &'a str, at: usize, key: &str) -> Result<(&'a str, usize), String> {
    let close = text[at..]
        .find(QUOTES)
        .map(|i| at + i)
        .ok_or_else(|| format!("The quote after `{key}:` is never closed."))?;
    let end = close + text[close..].chars().next().map_or(1, char::len_utf8);
    if text[end..].starts_with(|c: char| !c.is_whitespace()) {
        return Err(format!(
            "Leave a space after the closing quote of `{key}:`."
        ));
    }
    Ok((text[at..close].trim(), end))
}

/// The first word of `text` and everything after it, as typed.
pub(super) fn split_first(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let end = word_end(text, 0);
    (&text[..end], &text[end..])
}

fn skip_space(text: &str, at: usize) -> usize {
    text.len() - text[at..].trim_start().len()
}

/// The end of the word starting at `at`; mention markup `<…>` is kept whole.
fn word_end(text: &str, mut at: usize) -> usize {
    while let Some(c) = text[at..].chars().next() {
        if c.is_whitespace() {
            break;
        }
        at += match c {
            '<' => text[at..].find('>').map_or(1, |close| close + 1),
            _ => c.len_utf8(),
        };
    }
    at
}

// ---- messages ----------------------------------------------------------

pub(super) fn usage(why: impl fmt::Display, lines: &[&str]) -> Usage {
    let mut text = format!("{why}\n*Usage:*");
    for line in lines {
        text.push('\n');
        text.push_str(line);
    }
    Usage(text)
}

pub(super) fn unknown(command: &str, sub: &str, help: &str) -> Usage {
    Usage(format!(
        "I don't know {}. Here is what I can do:\n{help}",
        code(&format!("{command} {sub}"))
    ))
}

/// `text` as a mrkdwn code span (backticks in it would end the span), with
/// Slack's control characters escaped: inside a code span `<@U…>` or
/// `<!channel>` would still mention or notify.
pub(super) fn code(text: &str) -> String {
    let text = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('`', "'");
    format!("`{text}`")
}
