//! `/priorities` text: publish this month's priorities (typed, or through
//! the form), show a team's, or ask for help.
//!
//! Items are kept as typed, `;`-separated, for the domain's `PriorityList`
//! to split and check; a team is kept as its raw key for the app to resolve.

/// What `/priorities …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrioritiesCommand {
    /// `/priorities` or `/priorities help`.
    Help,
    /// `/priorities publish [team:<key>]` with no items: open the form.
    PublishForm { team: Option<String> },
    /// `/priorities publish [team:<key>] <item>; <item>; …`.
    Publish { team: Option<String>, items: String },
    /// `/priorities show [team]`: the person's own team when none is named.
    Show { team: Option<String> },
    /// `/priorities org publish <item>; <item>; …`: the organization's.
    OrgPublish { items: String },
    /// `/priorities org publish` with no items: the organization's form.
    OrgPublishForm,
    /// `/priorities org` or `/priorities org show`.
    OrgShow,
    /// `/priorities org <other>`, lowercased.
    OrgUnknown(String),
    /// Any other subcommand, lowercased, to name it in the reply.
    Unknown(String),
}

/// Usage text for `/priorities help` (markdown).
pub const HELP: &str = "*Monthly priorities*: each team's leaders publish what matters most this month.\n\
•  `/priorities publish <item>; <item>; …` publishes up to 7 items to your team's channel (add `team:<key>` if you lead several teams).\n\
•  `/priorities publish` opens a form, prefilled with last month's items to carry over, edit or drop.\n\
•  `/priorities show [team:<key>]` shows this month's priorities of your team, or of `team`.\n\
•  Add `org:<n>` after an item to link it to the organization's priority number n: `/priorities publish Hire 2 nurses org:1; Flu clinic`.\n\
•  `/priorities org show` shows the organization's priorities and progress per pillar.\n\
•  Admins and executives: `/priorities org publish <item>; <item>; …` (or `/priorities org publish` for a form) posts the organization's priorities to the staff channel.";

/// Reads the text of `/priorities …`.
pub fn parse_priorities(text: &str) -> PrioritiesCommand {
    let text = text.trim();
    let (sub, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    match sub.to_lowercase().as_str() {
        "" | "help" => PrioritiesCommand::Help,
        "publish" => match team_option(rest) {
            (team, items) if items.is_empty() => PrioritiesCommand::PublishForm { team },
            (team, items) => PrioritiesCommand::Publish { team, items },
        },
        "show" => PrioritiesCommand::Show {
            team: match rest.trim() {
                "" => None,
                raw => Some(raw.trim_start_matches("team:").to_owned()),
            },
        },
        "org" => {
            let rest = rest.trim();
            let (sub, items) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
            match sub.to_lowercase().as_str() {
                "" | "show" => PrioritiesCommand::OrgShow,
                "publish" if items.trim().is_empty() => PrioritiesCommand::OrgPublishForm,
                "publish" => PrioritiesCommand::OrgPublish {
                    items: items.trim().to_owned(),
                },
                other => PrioritiesCommand::OrgUnknown(other.to_owned()),
            }
        }
        other => PrioritiesCommand::Unknown(other.to_owned()),
    }
}

/// Splits a leading `team:<key>` off the text.
fn team_option(text: &str) -> (Option<String>, String) {
    let trimmed = text.trim();
    match trimmed.split_once(char::is_whitespace) {
        Some((first, rest)) if first.to_lowercase().starts_with("team:") && first.len() > 5 => {
            (Some(first[5..].to_owned()), rest.trim().to_owned())
        }
        _ if trimmed.to_lowercase().starts_with("team:")
            && trimmed.len() > 5
            && !trimmed.contains(char::is_whitespace) =>
        {
            (Some(trimmed[5..].to_owned()), String::new())
        }
        _ => (None, trimmed.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publish(team: Option<&str>, items: &str) -> PrioritiesCommand {
        PrioritiesCommand::Publish {
            team: team.map(Into::into),
            items: items.into(),
        }
    }

    #[test]
    fn priorities_text_is_read_into_its_subcommand() {
        let cases = [
            ("", PrioritiesCommand::Help),
            ("  HELP ", PrioritiesCommand::Help),
            ("publish", PrioritiesCommand::PublishForm { team: None }),
            (
                "publish team:nursing",
                PrioritiesCommand::PublishForm {
                    team: Some("nursing".into()),
                },
            ),
            ("publish Hire; Train", publish(None, "Hire; Train")),
            (
                "Publish  TEAM:nursing  Hire;  Train ",
                publish(Some("nursing"), "Hire;  Train"),
            ),
            ("publish team: Hire", publish(None, "team: Hire")),
            ("show", PrioritiesCommand::Show { team: None }),
            (
                "show team:nursing",
                PrioritiesCommand::Show {
                    team: Some("nursing".into()),
                },
            ),
            (
                "show pharmacy",
                PrioritiesCommand::Show {
                    team: Some("pharmacy".into()),
                },
            ),
            ("Post it", PrioritiesCommand::Unknown("post".into())),
            ("org", PrioritiesCommand::OrgShow),
            ("ORG show", PrioritiesCommand::OrgShow),
            ("org publish", PrioritiesCommand::OrgPublishForm),
            (
                "org publish  Flu season; Safe staffing ",
                PrioritiesCommand::OrgPublish {
                    items: "Flu season; Safe staffing".into(),
                },
            ),
            ("org post x", PrioritiesCommand::OrgUnknown("post".into())),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_priorities(text), expected, "{text:?}");
        }
    }
}
