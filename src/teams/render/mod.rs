//! Adaptive Cards 1.5 for Teams: one function per app view model
//! ([`message`]), the private replies, and the dialogs ([`dialog`]).
//!
//! People's words go only into `TextRun`s (through [`words`]): a `TextBlock`
//! renders a markdown subset (links, bold, lists) and a `TextRun` does not,
//! so a story shows exactly as written and can never become a link or a
//! mention it did not contain. Cards carry no `msteams` property (the 1.5
//! schema forbids unknown card properties), so they never mention anyone:
//! people are shown by the names Teams told us ([`Names`]).

pub mod dialog;
pub mod team_update;

use crate::app::compose::{
    DigestNumbers, Kickoff, LeadershipDigest, Message, MissingPriorities, MomentPost,
    MomentsDigest, PrioritiesNudge, PrioritiesPost, PrioritiesSummary, ProgressNudge, ProposalCard,
    ProposalComment, ProposalDecision,
};
use crate::domain::goal::{Goal, ProposalStatus};
use crate::domain::{Directory, PersonId, PillarKey};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The Adaptive Cards version Teams renders for bots.
pub const VERSION: &str = "1.5";
/// The content type of an Adaptive Card attachment.
pub const CARD_CONTENT_TYPE: &str = "application/vnd.microsoft.card.adaptive";
/// Longest text we put in one run (Teams' activity limit is about 80 KB).
const MAX_TEXT: usize = 3000;

/// Display names by person id; a person Teams never named shows as
/// "a colleague".
#[derive(Debug, Clone, Default)]
pub struct Names(pub HashMap<String, String>);

impl Names {
    pub fn of(&self, person: &PersonId) -> String {
        self.0
            .get(person.as_str())
            .cloned()
            .unwrap_or_else(|| "a colleague".to_owned())
    }
}

/// Text as written, for a `TextRun`: never markdown. `{{` is broken with a
/// word joiner so a Teams client cannot read it as a date/time function.
pub fn words(text: &str) -> String {
    let mut text: String = text.chars().take(MAX_TEXT).collect();
    if text.contains("{{") {
        text = text.replace("{{", "{\u{2060}{");
    }
    text
}

/// A paragraph of plain text.
pub fn para(text: &str) -> Value {
    json!({"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": words(text)}]})
}

/// A bold heading (plain text too).
pub fn heading(text: &str) -> Value {
    json!({"type": "RichTextBlock", "inlines": [
        {"type": "TextRun", "text": words(text), "weight": "Bolder", "size": "Medium"}
    ]})
}

/// Small, subtle plain text (who, when, which pillar).
pub fn note(text: &str) -> Value {
    json!({"type": "RichTextBlock", "inlines": [
        {"type": "TextRun", "text": words(text), "isSubtle": true, "size": "Small"}
    ]})
}

/// A card with `body` and `actions`.
pub fn card(body: Vec<Value>, actions: Vec<Value>) -> Value {
    let mut card = json!({
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": VERSION,
        "body": body,
    });
    if !actions.is_empty() {
        card["actions"] = Value::Array(actions);
    }
    card
}

/// A message activity carrying one card.
pub fn activity(card: Value) -> Value {
    json!({
        "type": "message",
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": card}],
    })
}

/// A button that changes shared state and refreshes the card in place
/// (`adaptiveCard/action` invoke).
pub fn execute(title: &str, verb: &str, data: Value) -> Value {
    json!({"type": "Action.Execute", "title": title, "verb": verb, "data": data})
}

/// A button that opens a dialog (`task/fetch` invoke).
pub fn open_dialog(title: &str, dialog: &str, mut data: Value) -> Value {
    data["msteams"] = json!({"type": "task/fetch"});
    data["dialog"] = json!(dialog);
    json!({"type": "Action.Submit", "title": title, "data": data})
}

fn pillar_name(dir: &Directory, key: &PillarKey) -> String {
    dir.pillar(key)
        .map_or_else(|| key.to_string(), |p| p.name.clone())
}

fn goal_line(goal: &Goal) -> String {
    let mut line = format!("{} {}", goal.id, goal.title);
    if let Some(value) = goal.current {
        line.push_str(&format!(" · {}", goal.kind.format_value(value)));
    }
    if let Some(c) = goal.confidence {
        line.push_str(&format!(" · {}", c.label()));
    }
    line
}

/// The card for a composed message.
pub fn message(message: &Message, dir: &Directory, names: &Names) -> Value {
    match message {
        Message::Moment(m) => moment(m, dir, names),
        Message::Proposal(p) => proposal(p, dir, names),
        Message::ProposalComment(c) => comment(c),
        Message::ProposalDecision(d) => decision(d, dir, names),
        Message::Kickoff(k) => kickoff(k, dir),
        Message::ProgressNudge(n) => progress_nudge(n),
        Message::MomentsNudge(_) => moments_nudge(dir),
        Message::MomentsDigest(d) => moments_digest(d),
        Message::LeadershipDigest(d) => leadership_digest(d),
        Message::Priorities(p) => priorities(p),
        Message::PrioritiesSummary(s) => priorities_summary(s),
        Message::PrioritiesNudge(n) => priorities_nudge(n),
        Message::MissingPriorities(m) => missing_priorities(m),
        Message::TeamUpdate(u) => card(team_update::body(u, names), Vec::new()),
        Message::TeamUpdateDraft(d) => team_update::draft(d, names),
        Message::Confirmation(text) => card(vec![para(text)], Vec::new()),
        Message::WhichTeam(question, choices) => which_team(question, choices),
        Message::FormPrompt(prompt) => form_prompt(prompt),
        Message::Report(r) => card(
            vec![
                para(&report_text(&r.report)),
                note(&format!("Shared by {}", names.of(&r.by))),
            ],
            Vec::new(),
        ),
        Message::YearEndNudge(n) => year_end_nudge(n),
        Message::OrgPriorities(p) => org_priorities(p),
        Message::OrgPrioritiesNudge(n) => org_priorities_nudge(n),
        Message::Privacy(n) => privacy_notice(n, names),
    }
}

/// The alignment report as plain lines (`align status`, a shared report).
pub fn report_text(r: &crate::app::report::Report) -> String {
    let mut text = format!("Alignment, {} ({}):", r.month, r.year.value());
    for p in &r.pillars {
        text.push_str(&format!(
            "\n{}: {} active goals, {:.0}% average progress, {} at risk",
            p.pillar.name,
            p.active,
            p.avg_progress * 100.0,
            p.at_risk
        ));
    }
    for t in &r.teams {
        text.push_str(&format!(
            "\n{}: {} active goals, {} of {} people took part",
            t.team.name, t.active, t.participants, t.size
        ));
    }
    text
}

/// The year-end DM, with an outcome button per open goal
/// (crate::teams::year_end).
fn year_end_nudge(n: &crate::app::compose::YearEndNudge) -> Value {
    crate::teams::year_end::nudge_card(n)
}

/// A card whose button opens the form a typed command asked for (dialogs
/// open only from a card button).
fn form_prompt(prompt: &crate::app::compose::FormPrompt) -> Value {
    use crate::app::compose::FormPrompt;
    match prompt {
        FormPrompt::TeamPriorities { team, month_label } => card(
            vec![para(&format!(
                "Publish the priorities for {month_label} with the form (it starts on {}; a leader of several teams picks the team in it), or type them in one line: priorities publish team:{} <item>; <item>",
                team.name, team.key
            ))],
            vec![open_dialog(
                "Open the priorities form",
                dialog::PUBLISH_PRIORITIES,
                json!({"team": team.key.as_str()}),
            )],
        ),
        FormPrompt::OrgPriorities { month_label } => card(
            vec![para(&format!(
                "Publish the organization's priorities for {month_label} with the form, or type them in one line: priorities org publish <item>; <item>"
            ))],
            vec![open_dialog(
                "Open the organization's priorities form",
                dialog::ORG_PRIORITIES,
                json!({}),
            )],
        ),
    }
}

/// The "which team?" question: a button per team sends the command the
/// person typed again with `team:<key>` (a `messageBack`, so it arrives as
/// if typed, through the same grammar and permission checks).
fn which_team(question: &str, choices: &[(String, String)]) -> Value {
    let actions = choices
        .iter()
        .take(6)
        .map(|(name, command)| {
            json!({"type": "Action.Submit", "title": words(name), "data": {
                "msteams": {"type": "messageBack", "text": command, "displayText": command}
            }})
        })
        .collect();
    card(vec![para(question)], actions)
}

/// The verb of the "Don't name me" button on the card telling a person a
/// moment names them.
pub const UNNAME: &str = "moment_unname";

/// Privacy DMs. The card telling a person a moment names them carries a
/// "Don't name me" button (`Action.Execute`), answered with [`unnamed`].
pub fn privacy_notice(notice: &crate::app::compose::PrivacyNotice, names: &Names) -> Value {
    use crate::app::compose::PrivacyNotice;
    let mut actions = Vec::new();
    let body = match notice {
        PrivacyNotice::Named { moment } => {
            actions.push(execute(
                "Don't name me",
                UNNAME,
                json!({"moment": moment.id.0}),
            ));
            vec![
                heading(&format!(
                    "{} named you in a mission moment",
                    names.of(&moment.author)
                )),
                para(&moment.story),
                note(
                    "Rather not be named? Don't name me puts \"a colleague\" in your place in the story and its post. To never be named, type align privacy dont-name-me.",
                ),
            ]
        }
        PrivacyNotice::TakenDown {
            moment,
            month_label,
            ..
        } => vec![
            heading("A moment in a sent digest was taken down"),
            para(&format!(
                "Moment {moment} was quoted in the {month_label} moments digest, which cannot be edited. Please delete that digest message by hand."
            )),
        ],
        PrivacyNotice::Override {
            person, findings, ..
        } => vec![
            heading("A story was posted past the privacy guard"),
            para(&format!(
                "Someone ({person}) posted a held story as written. It may contain: {findings}."
            )),
        ],
    };
    card(body, actions)
}

/// The privacy card after "Don't name me": what changed (`done`), or that
/// the story does not name the person (any more).
pub fn unnamed(done: bool) -> Value {
    let text = if done {
        "Done: your name is out of that story and its post (it now says \"a colleague\"). To never be named in future moments, type align privacy dont-name-me."
    } else {
        "That story does not name you (any more): nothing to change. To never be named in future moments, type align privacy dont-name-me."
    };
    card(
        vec![heading("Your name in a mission moment"), para(text)],
        Vec::new(),
    )
}

pub fn moment(post: &MomentPost, dir: &Directory, names: &Names) -> Value {
    let m = &post.moment;
    let mut body = vec![heading("A mission moment"), para(&m.story)];
    // The id is what `moment remove <id>` takes (Teams has no post link).
    let mut by = format!("Moment {} · shared by {}", m.id, names.of(&m.author));
    if let Some(pillar) = &m.pillar {
        by.push_str(&format!(" · {}", pillar_name(dir, pillar)));
    }
    if !m.recognized.is_empty() {
        let who: Vec<String> = m.recognized.iter().map(|p| names.of(p)).collect();
        by.push_str(&format!(" · recognizing {}", who.join(", ")));
    }
    body.push(note(&by));
    if m.reactions > 0 {
        body.push(note(&format!("{} reactions", m.reactions)));
    }
    // Its author and admins may take it down (the dialog refuses others).
    card(body, vec![crate::teams::takedown::button(m.id)])
}

pub fn proposal(p: &ProposalCard, dir: &Directory, names: &Names) -> Value {
    let mut body = vec![
        heading(&format!("Goal proposal {}", p.id)),
        para(&p.title),
        note(&format!(
            "{} · {} · proposed by {} · {} supporter{}",
            pillar_name(dir, &p.pillar),
            dir.team(&p.team)
                .map_or(p.team.as_str(), |t| t.name.as_str()),
            names.of(&p.proposer),
            p.supporters,
            if p.supporters == 1 { "" } else { "s" }
        )),
    ];
    let actions = match p.status {
        ProposalStatus::Open => {
            let data = json!({"proposal": p.id.0});
            body.push(
                json!({"type": "Input.Text", "id": "reason", "isMultiline": true,
                "maxLength": 500, "label": "Reason, if you decline (the team sees it)"}),
            );
            vec![
                execute("Support", "proposal_support", data.clone()),
                // A dialog to adjust the target, due date and owner.
                crate::teams::approve::button(p.id.0),
                execute("Decline", "proposal_decline", data),
            ]
        }
        ProposalStatus::Approved => {
            let goal = p.goal.map(|g| format!(" as goal {g}")).unwrap_or_default();
            body.push(note(&format!("Approved{goal}.")));
            Vec::new()
        }
        ProposalStatus::Declined => {
            body.push(note("Declined."));
            Vec::new()
        }
    };
    card(body, actions)
}

fn comment(c: &ProposalComment) -> Value {
    card(
        vec![note(&format!("{} commented:", c.author)), para(&c.text)],
        Vec::new(),
    )
}

fn decision(d: &ProposalDecision, dir: &Directory, names: &Names) -> Value {
    let what = match d.proposal.status {
        ProposalStatus::Approved => "approved",
        ProposalStatus::Declined => "declined",
        ProposalStatus::Open => "reopened",
    };
    let by = d
        .proposal
        .decided_by
        .as_ref()
        .map(|p| format!(" by {}", names.of(p)))
        .unwrap_or_default();
    let mut body = vec![
        heading(&format!("Proposal {} was {what}{by}", d.proposal.id)),
        para(&d.proposal.title),
        note(&pillar_name(dir, &d.proposal.pillar)),
    ];
    if let Some(owner) = &d.owner {
        // The owner's person id: shown by name where Teams told us one.
        let name = names.0.get(owner.as_str()).cloned().unwrap_or_else(|| {
            PersonId::parse(owner).map_or_else(|_| owner.clone(), |p| names.of(&p))
        });
        body.push(note(&format!("Owner: {name}")));
    }
    card(body, Vec::new())
}

fn kickoff(k: &Kickoff, dir: &Directory) -> Value {
    let team = dir
        .team(&k.team)
        .map_or(k.team.as_str(), |t| t.name.as_str());
    let mut body = vec![
        heading(&format!("Goal-setting for {} has started: {team}", k.year)),
        para(
            "Propose a goal under one of our pillars: type `goal propose <title> pillar:<key>` to the bot.",
        ),
    ];
    if !k.last_year.is_empty() {
        body.push(note("Last year's goals:"));
        body.extend(k.last_year.iter().map(|g| para(&goal_line(g))));
    }
    card(body, Vec::new())
}

pub fn progress_nudge(n: &ProgressNudge) -> Value {
    let mut body = vec![heading(&format!(
        "Time for your {} check-in",
        n.month_label
    ))];
    let mut actions = Vec::new();
    for goal in &n.goals {
        let done = goal.checked_in_at.is_some_and(|at| at >= n.checked_since);
        let line = if done {
            format!("{} (checked in)", goal_line(goal))
        } else {
            goal_line(goal)
        };
        body.push(para(&line));
        if !done && actions.len() < 5 {
            actions.push(open_dialog(
                &format!("Check in on {}", goal.id),
                dialog::CHECK_IN,
                json!({"goal": goal.id.to_string()}),
            ));
        }
    }
    if actions.is_empty() {
        body.push(note("All checked in. Thank you!"));
    }
    card(body, actions)
}

pub fn moments_nudge(dir: &Directory) -> Value {
    card(
        vec![
            heading("Do you have a mission moment?"),
            para(&format!("Our mission: {}", dir.org.mission)),
            note("Share a short story of when it came alive at work."),
        ],
        vec![open_dialog(
            "Share a moment",
            dialog::SHARE_MOMENT,
            json!({}),
        )],
    )
}

fn moments_digest(d: &MomentsDigest) -> Value {
    let mut body = vec![heading(&format!("Mission moments of {}", d.month_label))];
    if d.moments.is_empty() {
        body.push(para("No moments were shared this month."));
    }
    for m in &d.moments {
        body.push(para(&m.story));
        let mut by = format!("by {}", m.author);
        if let Some(p) = &m.pillar {
            by.push_str(&format!(" · {p}"));
        }
        by.push_str(&format!(" · {} reactions", m.reactions));
        body.push(note(&by));
    }
    card(body, Vec::new())
}

fn numbers(n: &DigestNumbers) -> Vec<Value> {
    let mut body = vec![para(&format!(
        "{} active goals, {} checked in this month.",
        n.active_goals, n.checked_in
    ))];
    for (id, title, confidence) in &n.at_risk {
        body.push(para(&format!("#{id} {title}: {confidence}")));
    }
    for (pillar, count) in &n.moments_per_pillar {
        body.push(note(&format!("{pillar}: {count} moments")));
    }
    for (team, published) in &n.published {
        let state = if *published {
            "published"
        } else {
            "not published"
        };
        body.push(note(&format!("{team}: priorities {state}")));
    }
    body
}

fn leadership_digest(d: &LeadershipDigest) -> Value {
    let mut body = vec![heading(&format!("{} in numbers", d.month_label))];
    body.extend(numbers(&d.numbers));
    card(body, Vec::new())
}

pub fn priorities(p: &PrioritiesPost) -> Value {
    let mut body = vec![heading(&format!(
        "{}: priorities for {}",
        p.team.name, p.month_label
    ))];
    for (i, item) in p.priorities.items.iter().enumerate() {
        body.push(para(&format!("{}. {item}", i + 1)));
    }
    body.push(note(&format!("Published by {}", p.priorities.author)));
    card(body, Vec::new())
}

fn priorities_summary(s: &PrioritiesSummary) -> Value {
    card(
        vec![para(&format!(
            "{} published its priorities for {} ({} items).",
            s.team.name,
            s.month_label,
            s.priorities.items.len()
        ))],
        Vec::new(),
    )
}

fn priorities_nudge(n: &PrioritiesNudge) -> Value {
    let open: Vec<_> = n.sections.iter().filter(|s| !s.published).collect();
    let title = if open.is_empty() {
        format!("Priorities for {} published. Thank you!", n.month_label)
    } else if n.reminder {
        format!(
            "Reminder: priorities for {} are still to publish",
            n.month_label
        )
    } else {
        format!("Time to publish your priorities for {}", n.month_label)
    };
    let mut body = vec![heading(&title)];
    if !n.org_items.is_empty() {
        body.push(note("The organization's priorities this month:"));
        for (i, item) in n.org_items.iter().enumerate() {
            body.push(para(&format!("{}. {item}", i + 1)));
        }
    }
    let mut actions = Vec::new();
    for section in &n.sections {
        if section.published {
            body.push(note(&format!("{}: published.", section.team.name)));
            continue;
        }
        body.push(para(&format!(
            "{}: publish with the button, or type priorities publish team:{} <item>; <item>; … to the bot.",
            section.team.name, section.team.key
        )));
        body.extend(section.goals.iter().map(|g| note(&goal_line(g))));
        actions.push(open_dialog(
            &format!("Publish {}'s priorities", section.team.name),
            dialog::PUBLISH_PRIORITIES,
            json!({"team": section.team.key.as_str()}),
        ));
    }
    card(body, actions)
}

/// The organization's priorities, as posted to all staff.
fn org_priorities(p: &crate::app::compose::org_priorities::OrgPrioritiesPost) -> Value {
    let mut body = vec![
        heading(&format!(
            "The organization's priorities for {}",
            p.month_label
        )),
        note(&format!("Published by {}", p.author)),
    ];
    for (i, item) in p.items.iter().enumerate() {
        body.push(para(&format!("{}. {item}", i + 1)));
        let teams = p.picked_by.get(i).filter(|t| !t.is_empty());
        body.push(note(&match teams {
            Some(teams) => format!("Taken up by {}", teams.join(", ")),
            None => "No team has taken it up yet".to_owned(),
        }));
    }
    for pillar in &p.pillars {
        body.push(note(&format!(
            "{}: {} on track, {} at risk, {} check-ins, {} moments",
            pillar.name, pillar.on_track, pillar.at_risk, pillar.check_ins, pillar.moments
        )));
    }
    card(body, Vec::new())
}

/// To an executive: publish next month's organization priorities.
fn org_priorities_nudge(n: &crate::app::compose::org_priorities::OrgPrioritiesNudge) -> Value {
    let mut body = vec![heading(&format!(
        "Time to publish the organization's priorities for {}",
        n.month_label
    ))];
    for (i, item) in n.current.iter().enumerate() {
        body.push(note(&format!("Now {}. {item}", i + 1)));
    }
    body.push(para(
        "Publish them with the button, or type priorities org publish <item>; <item>; … to the bot.",
    ));
    card(
        body,
        vec![open_dialog(
            "Publish the organization's priorities",
            dialog::ORG_PRIORITIES,
            json!({}),
        )],
    )
}

fn missing_priorities(m: &MissingPriorities) -> Value {
    let mut body = vec![heading(&format!(
        "Teams without priorities for {}",
        m.month_label
    ))];
    body.extend(m.teams.iter().map(|t| para(&t.name)));
    card(body, Vec::new())
}

/// A private answer, shown as written.
pub fn reply(text: &str) -> Value {
    card(vec![para(text)], Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_goes_into_a_text_run_exactly_as_written() {
        let story = "**bold** [x](http://evil) <at>Boss</at> @everyone";
        let v = para(story);
        assert_eq!(v["type"], "RichTextBlock");
        assert_eq!(v["inlines"][0]["text"], story);
    }

    #[test]
    fn template_braces_are_broken_visibly_unchanged() {
        assert_eq!(words("{{DATE(x)}}"), "{\u{2060}{DATE(x)}}");
    }
}
