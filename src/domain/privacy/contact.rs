//! Ways to reach a person: phone numbers, e-mail addresses, public IP
//! addresses and links to a person's own page.
//!
//! Links and Slack tokens (`<@U…>`, `<#C…|name>`) are otherwise ignored by
//! every detector, because their embedded ids would look like record or
//! phone numbers; a link is reported only when its path names someone
//! (a profile, a fundraising page with a given name in it).

use std::sync::LazyLock;

use regex::Regex;

use super::text::fold;
use super::{Detector, FindingKind, accept_as_is, accept_isolated_number, lexicon};

pub(super) fn detectors() -> [Detector; 3] {
    [
        (FindingKind::PhoneNumber, &PHONE, accept_phone),
        (FindingKind::Email, &EMAIL, accept_as_is),
        (FindingKind::IpAddress, &IPV4, accept_public_ip),
    ]
}

// Either a grouped number (optional country code, optional area code in
// parentheses, separators of space/dot/hyphen), a British number with a
// trunk 0 and one group of six ("07700 900123"), or one long run of digits.
// Neighbouring characters are checked in `accept_phone`, because `\b` cannot
// express "not in the middle of a bigger number" before a `(` or `+`.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:\+[0-9]{1,3}[\s.\-]?)?(?:\([0-9]{2,5}\)[\s.\-]?|[0-9]{2,5}[\s.\-])[0-9]{3,4}[\s.\-][0-9]{3,4}(?-u:\b)|(?-u:\b)0[0-9]{3,4}[\s.\-][0-9]{6}(?-u:\b)|\+?[0-9]{10,15}(?-u:\b)",
    )
    .expect("phone regex is valid")
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)[a-z0-9][A-Za-z0-9_.+\-]*@[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.[a-z]{2,}(?-u:\b)",
    )
    .expect("e-mail regex is valid")
});

static IPV4: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}(?-u:\b)")
        .expect("IP regex is valid")
});

// Links and Slack tokens (`<@U…>`, `<#C…|name>`, `<!subteam^S…>`) carry
// long IDs that would otherwise look like record or phone numbers.
static IGNORED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)(?:https?|ftp)://[^\s<>|]+|<[@#!][^>\s]*>")
        .expect("ignore regex is valid")
});

/// Spans no other detector may report: links and Slack tokens.
pub(super) fn ignored_spans(text: &str) -> Vec<(usize, usize)> {
    IGNORED
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect()
}

/// Links whose path points at a person: a profile ("/u/…", "/@…") or a
/// slug that starts with a given name ("hamid-karimi-kidney",
/// "wendyb1952"). A link to a story or a record id is not personal.
pub(super) fn personal_links(text: &str, mut on_found: impl FnMut(usize, usize)) {
    for m in IGNORED.find_iter(text) {
        let link = m.as_str();
        let Some(rest) = link.split_once("://").map(|(_, r)| r) else {
            continue;
        };
        let path = rest.split_once('/').map_or("", |(_, p)| p);
        let path = path.split(['?', '#']).next().unwrap_or("");
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let profile = segments.iter().enumerate().any(|(i, s)| {
            s.starts_with('@')
                || (matches!(*s, "u" | "user" | "users" | "profile" | "people" | "in")
                    && i + 1 < segments.len())
        });
        if profile || segments.iter().any(|s| slug_names_someone(s)) {
            on_found(m.start(), m.end());
        }
    }
}

fn slug_names_someone(segment: &str) -> bool {
    let first = segment
        .split(['-', '_', '.', '+'])
        .next()
        .unwrap_or("")
        .trim_end_matches(|c: char| c.is_ascii_digit());
    let word = fold(first);
    if word.len() < 3 || !word.chars().all(|c| c.is_ascii_lowercase()) {
        return false;
    }
    let named = lexicon::is_given_name(&word) && !lexicon::is_common_word(&word);
    // "wendyb1952": a given name, an initial, a year of birth.
    let handle = (4..word.len()).any(|cut| {
        word.len() - cut <= 2
            && lexicon::is_given_name(&word[..cut])
            && segment.chars().any(|c| c.is_ascii_digit())
    });
    let slug = segment.contains('-') || segment.contains('_');
    (named && (slug || segment.chars().any(|c| c.is_ascii_digit()))) || handle
}

/// A public address can point at someone's home; private, loopback and
/// link-local ones are the organization's own devices.
fn accept_public_ip(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let parts: Vec<u16> = text[start..end]
        .split('.')
        .map(str::parse)
        .collect::<Result<_, _>>()
        .ok()?;
    if parts.iter().any(|&p| p > 255) {
        return None;
    }
    let private = match (parts[0], parts[1]) {
        (0 | 10 | 127, _) => true,
        (169, 254) | (192, 168) => true,
        (172, b) => (16..=31).contains(&b),
        _ => false,
    };
    if private {
        return None;
    }
    accept_isolated_number(text, start, end)
}

/// Short grouped numbers ("20 123 45") are more often counts or codes than
/// phone numbers; real numbers carry at least nine digits. Without a `+` or
/// an area code in parentheses, grouping alone is weak evidence ("2024 2025
/// 2026", "120 000 000"), so only the North American 3-3-4 shape or a
/// leading trunk `0` ("020 7946 0958") is trusted.
fn accept_phone(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let span = &text[start..end];
    let digits = span.bytes().filter(u8::is_ascii_digit).count();
    if !(9..=15).contains(&digits) {
        return None;
    }
    let grouped = span.contains(|c: char| !c.is_ascii_digit());
    if grouped && !span.starts_with(['+', '(']) {
        let groups: Vec<&str> = span
            .split(|c: char| !c.is_ascii_digit())
            .filter(|g| !g.is_empty())
            .collect();
        let lengths: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        if lengths != [3, 3, 4] && !groups[0].starts_with('0') {
            return None;
        }
    }
    accept_isolated_number(text, start, end)
}

#[cfg(test)]
mod tests {
    use crate::domain::privacy::{FindingKind, scan};

    fn kinds(text: &str) -> Vec<FindingKind> {
        scan(text).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn a_british_mobile_with_one_group_of_six_is_a_phone_number() {
        assert_eq!(
            kinds("A daughter left 07700 900123 on the board"),
            [FindingKind::PhoneNumber]
        );
        assert_eq!(kinds("call 01632 960441 after"), [FindingKind::PhoneNumber]);
    }

    #[test]
    fn a_public_ip_address_is_found_and_a_private_one_is_not() {
        assert_eq!(
            kinds("login from 198.51.100.23 overseas"),
            [FindingKind::IpAddress]
        );
        assert_eq!(kinds("printer at 192.168.1.20 jammed"), []);
    }

    #[test]
    fn a_link_to_a_persons_page_is_found_and_a_link_to_a_story_is_not() {
        assert_eq!(
            kinds("posted https://social.example.com/u/wendyb1952 today"),
            [FindingKind::PersonalLink]
        );
        assert_eq!(
            kinds("see https://fundraise.example.org/hamid-karimi-kidney now"),
            [FindingKind::PersonalLink]
        );
        assert_eq!(
            kinds("Read more at https://example.com/stories/12345678"),
            []
        );
    }
}
