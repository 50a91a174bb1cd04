//! Goals in Slack: list lines, the detail view, and the goal forms.

use super::*;
use crate::app::goals::GoalPage;
use crate::domain::Directory;
use crate::domain::goal::{
    CheckIn, Confidence, Goal, GoalKind, GoalStatus, Trend, progress_bar, trend,
};
use crate::slack::ids;
use serde::{Deserialize, Serialize};

/// What the goal forms carry in `private_metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GoalMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goal: Option<i64>,
}

fn measure(kind: &GoalKind) -> String {
    match kind {
        GoalKind::Numeric { start, target, .. } => {
            format!(
                "from {} to {}",
                kind.format_value(*start),
                kind.format_value(*target)
            )
        }
        GoalKind::Percent => "0–100 %".to_owned(),
        GoalKind::Milestone => "done / not done".to_owned(),
    }
}

fn confidence_text(c: Option<Confidence>) -> String {
    match c {
        Some(c) => format!("{} {}", c.emoji(), c.label()),
        None => "no check-in yet".to_owned(),
    }
}

fn status_text(goal: &Goal) -> String {
    match goal.status {
        GoalStatus::Active => confidence_text(goal.confidence),
        GoalStatus::Achieved => ":trophy: Achieved".to_owned(),
        GoalStatus::Dropped => ":wastebasket: Dropped".to_owned(),
    }
}

fn current_text(goal: &Goal) -> String {
    match goal.current {
        Some(v) => goal.kind.format_value(v),
        None => "not started".to_owned(),
    }
}

/// A goal's pillar as a list and a goal page show it: its label, or the
/// key as stored when the pillar is no longer in the directory.
fn pillar_of(goal: &Goal, dir: &Directory) -> String {
    dir.pillar(&goal.pillar)
        .map(pillar_label)
        .unwrap_or_else(|| escape(goal.pillar.as_str()))
}

/// One goal in a list: title, progress and confidence, then its context.
pub fn line(goal: &Goal, dir: &Directory) -> Vec<SlackBlock> {
    let pillar = pillar_of(goal, dir);
    let team = goal
        .team
        .as_ref()
        .and_then(|t| dir.team(t))
        .map(|t| format!("  ·  {}", escape(&t.name)))
        .unwrap_or_default();
    let due = goal
        .due
        .map(|d| format!("  ·  due {}", d.format("%b %-d, %Y")))
        .unwrap_or_default();
    vec![
        section(markdown(&format!(
            "*{}  {}*\n`{}`  {}  ·  {}",
            goal.id,
            escape(&goal.title),
            progress_bar(goal.progress),
            current_text(goal),
            status_text(goal)
        ))),
        context(&format!(
            "{pillar}{team}  ·  owner {}{due}",
            mention(goal.owner.as_str())
        )),
    ]
}

/// `/goal list …`: a page of goals.
pub fn list(
    title: &str,
    page: &GoalPage,
    dir: &Directory,
    next_command: &str,
) -> SlackCommandEventResponse {
    let mut blocks = vec![header(title)];
    if page.goals.is_empty() {
        blocks.push(section(markdown(
            "No active goals here yet. Leaders add them with `/goal add`, everyone can `/goal propose` one.",
        )));
    }
    for goal in &page.goals {
        blocks.extend(line(goal, dir));
    }
    let mut footer = format!(
        "{} goals  ·  page {} of {}",
        page.total, page.page, page.pages
    );
    if page.page < page.pages {
        footer.push_str(&format!(
            "  ·  next: `{next_command} page:{}`",
            page.page + 1
        ));
    }
    blocks.push(context(&footer));
    message(&format!("{title}: {} goals", page.total), blocks)
}

fn message(text: &str, blocks: Vec<SlackBlock>) -> SlackCommandEventResponse {
    SlackCommandEventResponse::new(
        SlackMessageContent::new()
            .with_text(text.to_owned())
            .with_blocks(fit(blocks, MAX_MESSAGE_BLOCKS)),
    )
    .with_response_type(SlackMessageResponseType::Ephemeral)
}

fn trend_text(history: &[CheckIn]) -> &'static str {
    let oldest_first: Vec<Confidence> = history.iter().rev().map(|c| c.confidence).collect();
    match trend(&oldest_first) {
        Trend::Improving => ":arrow_upper_right: improving",
        Trend::Steady => ":arrow_right: steady",
        Trend::Worsening => ":arrow_lower_right: worsening",
        Trend::New => ":new: first check-in",
    }
}

/// `/goal show <id>`: the goal, its line of sight and its history.
pub fn show(
    goal: &Goal,
    history: &[CheckIn],
    dir: &Directory,
    tz: chrono_tz::Tz,
) -> SlackCommandEventResponse {
    let pillar = pillar_of(goal, dir);
    let team = goal
        .team
        .as_ref()
        .and_then(|t| dir.team(t))
        .map(|t| escape(&t.name))
        .unwrap_or("Whole organization".into());
    let mut blocks = vec![
        header(&format!("Goal {}: {}", goal.id, goal.title)),
        section(markdown(&format!(
            "`{}`  {}  ·  {}{}",
            progress_bar(goal.progress),
            current_text(goal),
            status_text(goal),
            if history.is_empty() {
                String::new()
            } else {
                format!("  ·  {}", trend_text(history))
            }
        ))),
        SlackSectionBlock::new()
            .with_fields(vec![
                markdown(&format!("*Pillar*\n{pillar}")),
                markdown(&format!("*Team*\n{team}")),
                markdown(&format!("*Owner*\n{}", mention(goal.owner.as_str()))),
                markdown(&format!("*Measure*\n{}", measure(&goal.kind))),
                markdown(&format!(
                    "*Due*\n{}",
                    goal.due
                        .map(|d| d.format("%B %-d, %Y").to_string())
                        .unwrap_or_else(|| format!("end of {}", goal.year.value()))
                )),
                markdown(&format!("*Year*\n{}", goal.year.value())),
            ])
            .into(),
        context(&format!(
            ":dart: Line of sight: *{}* → {pillar} → _{}_",
            escape(&goal.title),
            escape(&dir.org.mission)
        )),
    ];
    if let Some(outcome) = goal.outcome {
        blocks.push(context(&format!("*Outcome:* {}", outcome.label())));
    }
    if let Some(note) = &goal.closed_note {
        blocks.push(section(plain(&format!("Closing note: {note}"))));
    }
    if let Some(from) = goal.carried_from {
        blocks.push(context(&format!(
            ":arrow_right: Carried over from goal {from} of last year (`/goal show {}`); its check-ins are listed below.",
            from.0
        )));
    }
    blocks.push(divider());
    if history.is_empty() {
        blocks.push(context(
            "No check-ins yet. The owner records one with `/goal update <id> <value>`.",
        ));
    } else {
        blocks.push(section(markdown("*Check-ins*")));
        for c in history.iter().take(20) {
            blocks.push(context(&format!(
                "{}  ·  *{}*  ·  {} {}  ·  {}",
                c.at.with_timezone(&tz).format("%b %-d, %Y"),
                goal.kind.format_value(c.value),
                c.confidence.emoji(),
                c.confidence.label(),
                mention(c.author.as_str()),
            )));
            if let Some(note) = &c.note {
                blocks.push(section(plain(note)));
            }
        }
    }
    message(
        &format!("Goal {}: {}", goal.id, escape(&goal.title)),
        blocks,
    )
}

/// The reply after a change: a one-line confirmation above the goal.
pub fn confirmation(text: &str, goal: &Goal, dir: &Directory) -> SlackCommandEventResponse {
    let mut blocks = vec![section(markdown(text))];
    blocks.extend(line(goal, dir));
    message(text, blocks)
}

fn input(
    block_id: &str,
    label: &str,
    element: impl Into<SlackInputBlockElement>,
) -> SlackInputBlock {
    SlackInputBlock::new(plain_only(label, 2000), element.into()).with_block_id(block_id.into())
}

fn text_input(
    action: &str,
    initial: Option<String>,
    placeholder: &str,
    max: u64,
) -> SlackBlockPlainTextInputElement {
    let mut el = SlackBlockPlainTextInputElement::new()
        .with_action_id(action.into())
        .with_max_length(max)
        .with_placeholder(plain_only(placeholder, 150));
    if let Some(v) = initial.filter(|v| !v.is_empty()) {
        el = el.with_initial_value(v);
    }
    el
}

fn confidence_option(c: Confidence) -> SlackBlockChoiceItem<SlackBlockText> {
    SlackBlockChoiceItem::new(
        SlackBlockPlainText::new(format!("{} {}", c.emoji(), c.label()))
            .with_emoji(true)
            .into(),
        c.as_str().to_owned(),
    )
}

/// "Check in" on a goal: value, confidence, note.
pub fn check_in_modal(goal: &Goal) -> SlackView {
    let accepts = match &goal.kind {
        GoalKind::Numeric { .. } => format!(
            "A number in the goal's unit, e.g. {}",
            goal.kind.format_value(goal.current.unwrap_or(0.0))
        ),
        GoalKind::Percent => "A percent from 0 to 100, e.g. 45%".to_owned(),
        GoalKind::Milestone => "done, or not done".to_owned(),
    };
    let options = vec![
        confidence_option(Confidence::OnTrack),
        confidence_option(Confidence::AtRisk),
        confidence_option(Confidence::OffTrack),
    ];
    let blocks: Vec<SlackBlock> = vec![
        section(markdown(&format!(
            "*{}  {}*\n`{}`  now: {}",
            goal.id,
            escape(&goal.title),
            progress_bar(goal.progress),
            current_text(goal)
        ))),
        input(
            ids::GOAL_VALUE,
            "Where is it now?",
            text_input(ids::GOAL_VALUE, None, &accepts, 40),
        )
        .with_hint(plain_only(
            &format!("Measure: {}. {accepts}.", measure(&goal.kind)),
            2000,
        ))
        .into(),
        input(
            ids::GOAL_CONFIDENCE,
            "Confidence",
            SlackBlockRadioButtonsElement::new(options)
                .with_action_id(ids::GOAL_CONFIDENCE.into())
                .with_initial_option(confidence_option(
                    goal.confidence.unwrap_or(Confidence::OnTrack),
                )),
        )
        .into(),
        input(
            ids::GOAL_NOTE,
            "Note",
            text_input(ids::GOAL_NOTE, None, "What moved, what's in the way?", 2000)
                .with_multiline(true),
        )
        .with_optional(true)
        .into(),
    ];
    goal_modal(
        ids::GOAL_CHECK_IN_CALLBACK,
        "Check in",
        "Save",
        blocks,
        Some(goal.id.0),
    )
}

/// The values of the goal form (new, prefilled from a goal, or as submitted).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GoalFormValues {
    pub title: String,
    pub pillar: Option<String>,
    pub team: Option<String>,
    pub owner: Option<String>,
    pub start: String,
    pub target: String,
    pub due: Option<String>,
    /// The plan year chosen (its value), for a new goal.
    pub year: Option<String>,
    /// The plan years a new goal may be for, as (value, label); empty: the
    /// form has no year field (an edit keeps the goal's year).
    pub years: Vec<(String, String)>,
}

impl GoalFormValues {
    pub fn from_goal(goal: &Goal) -> Self {
        let (start, target) = match &goal.kind {
            GoalKind::Numeric { start, target, .. } => (
                goal.kind.format_value(*start),
                goal.kind.format_value(*target),
            ),
            GoalKind::Percent => (String::new(), "100%".to_owned()),
            GoalKind::Milestone => (String::new(), String::new()),
        };
        Self {
            title: goal.title.clone(),
            pillar: Some(goal.pillar.to_string()),
            team: goal.team.as_ref().map(ToString::to_string),
            owner: Some(goal.owner.to_string()),
            start: start.replace(' ', ""),
            target: target.replace(' ', ""),
            due: goal.due.map(|d| d.format("%Y-%m-%d").to_string()),
            year: None,
            years: Vec::new(),
        }
    }
}

/// The goal form's plan year select (add and propose only).
pub const GOAL_YEAR: &str = "goal_year";

/// "Add a goal" / "Propose a goal" / "Edit goal": the same fields.
pub fn goal_form(
    dir: &Directory,
    callback: &str,
    title: &str,
    submit: &str,
    values: &GoalFormValues,
    goal: Option<i64>,
) -> SlackView {
    let pillar_options: Vec<_> = dir
        .active_pillars()
        .take(100)
        .map(|p| {
            SlackBlockChoiceItem::new(
                plain_only(format!("{} {}", p.emoji, p.name).trim(), 75),
                p.key.to_string(),
            )
        })
        .collect();
    let mut pillar = SlackBlockStaticSelectElement::new()
        .with_action_id(ids::GOAL_PILLAR.into())
        .with_placeholder(plain_only("Which pillar does it serve?", 150));
    if let Some(chosen) = pillar_options
        .iter()
        .find(|o| Some(&o.value) == values.pillar.as_ref())
    {
        pillar = pillar.with_initial_option(chosen.clone());
    }
    let mut blocks: Vec<SlackBlock> = vec![
        input(
            ids::GOAL_TITLE,
            "Goal",
            text_input(
                ids::GOAL_TITLE,
                Some(values.title.clone()),
                "e.g. Cut ER wait times",
                150,
            ),
        )
        .into(),
        input(
            ids::GOAL_PILLAR,
            "Pillar",
            pillar.with_options(pillar_options),
        )
        .into(),
    ];
    let mut team_options: Vec<_> = dir
        .teams
        .iter()
        .take(99)
        .map(|t| SlackBlockChoiceItem::new(plain_only(&t.name, 75), t.key.to_string()))
        .collect();
    // A new goal is always for a team the person picks (it starts on the
    // team whose channel the form came from), or, in the add form, for the
    // whole organization, said as an option of its own: an empty select
    // never stands for anything. An edit keeps the goal's team unless
    // another is picked.
    let new_goal = callback != ids::GOAL_EDIT_CALLBACK;
    if callback == ids::GOAL_ADD_CALLBACK && !team_options.is_empty() {
        team_options.push(SlackBlockChoiceItem::new(
            plain_only("Whole organization (admins)", 75),
            crate::app::goals::WHOLE_ORGANIZATION.to_owned(),
        ));
    }
    if !team_options.is_empty() {
        let placeholder = if new_goal {
            "Pick the team"
        } else {
            "Whole organization"
        };
        let mut team = SlackBlockStaticSelectElement::new()
            .with_action_id(ids::GOAL_TEAM.into())
            .with_placeholder(plain_only(placeholder, 150));
        if let Some(chosen) = team_options
            .iter()
            .find(|o| Some(&o.value) == values.team.as_ref())
        {
            team = team.with_initial_option(chosen.clone());
        }
        blocks.push(
            input(ids::GOAL_TEAM, "Team", team.with_options(team_options))
                .with_optional(!new_goal)
                .into(),
        );
    }
    if callback != ids::GOAL_PROPOSE_CALLBACK {
        let mut owner = SlackBlockUsersSelectElement::new().with_action_id(ids::GOAL_OWNER.into());
        if let Some(o) = &values.owner {
            owner = owner.with_initial_user(o.as_str().into());
        }
        blocks.push(
            input(ids::GOAL_OWNER, "Owner", owner)
                .with_optional(true)
                .into(),
        );
    }
    blocks.push(
        input(
            ids::GOAL_START,
            "Start",
            text_input(
                ids::GOAL_START,
                Some(values.start.clone()),
                "e.g. 45min",
                40,
            ),
        )
        .with_optional(true)
        .with_hint(plain_only("Where it is today. Leave empty for 0.", 2000))
        .into(),
    );
    blocks.push(
        input(ids::GOAL_TARGET, "Target", text_input(ids::GOAL_TARGET, Some(values.target.clone()), "e.g. 30min, 45.5%, $1.2M", 40))
            .with_optional(true)
            .with_hint(plain_only(
                "A number with its unit (30min, $1.2M), 100% for a percent goal, or empty for a done/not-done milestone. \
                 A target below the start means lower is better.",
                2000,
            ))
            .into(),
    );
    let mut due = SlackBlockDatePickerElement::new().with_action_id(ids::GOAL_DUE.into());
    if let Some(d) = &values.due {
        due = due.with_initial_date(d.clone());
    }
    blocks.push(input(ids::GOAL_DUE, "Due", due).with_optional(true).into());
    if !values.years.is_empty() {
        let option = |(value, label): &(String, String)| {
            SlackBlockChoiceItem::new(plain_only(label, 75), value.clone())
        };
        let mut year = SlackBlockStaticSelectElement::new()
            .with_action_id(GOAL_YEAR.into())
            .with_options(values.years.iter().map(option).collect());
        if let Some(chosen) = values
            .years
            .iter()
            .find(|(v, _)| Some(v) == values.year.as_ref())
            .or(values.years.first())
        {
            year = year.with_initial_option(option(chosen));
        }
        let hint = if values.years.len() > 1 {
            "Goal-setting for next year is open: new goals are for it unless you choose this year."
        } else {
            "The plan year the goal belongs to."
        };
        blocks.push(
            input(GOAL_YEAR, "Plan year", year)
                .with_hint(plain_only(hint, 2000))
                .into(),
        );
    }
    goal_modal(callback, title, submit, blocks, goal)
}

fn goal_modal(
    callback: &str,
    title: &str,
    submit: &str,
    blocks: Vec<SlackBlock>,
    goal: Option<i64>,
) -> SlackView {
    SlackView::Modal(
        SlackModalView::new(plain_only(title, 24), fit(blocks, MAX_VIEW_BLOCKS))
            .with_callback_id(callback.into())
            .with_submit(plain_only(submit, 24))
            .with_close(plain_only("Cancel", 24))
            .with_private_metadata(
                serde_json::to_string(&GoalMeta { goal }).expect("metadata serializes"),
            ),
    )
}

/// What the team-people form carries in `private_metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TeamMeta {
    pub team: String,
    pub leaders: bool,
}

/// Pick a team's leaders (or members): the current ones are preselected.
pub fn team_people_modal(team: &crate::domain::Team, leaders: bool) -> SlackView {
    let current: Vec<String> = if leaders {
        &team.leaders
    } else {
        &team.members
    }
    .iter()
    .map(ToString::to_string)
    .collect();
    let mut select =
        SlackBlockMultiUsersSelectElement::new().with_action_id(ids::TEAM_PEOPLE.into());
    if !current.is_empty() {
        select = select.with_initial_users(current);
    }
    let role = if leaders { "Leaders" } else { "Members" };
    let blocks = vec![
        input(
            ids::TEAM_PEOPLE,
            &format!("{role} of {}", team.name),
            select,
        )
        .with_optional(true)
        .into(),
    ];
    SlackView::Modal(
        SlackModalView::new(
            plain_only(&format!("Team {}", role.to_lowercase()), 24),
            blocks,
        )
        .with_callback_id(ids::TEAM_PEOPLE_CALLBACK.into())
        .with_submit(plain_only("Save", 24))
        .with_close(plain_only("Cancel", 24))
        .with_private_metadata(
            serde_json::to_string(&TeamMeta {
                team: team.key.to_string(),
                leaders,
            })
            .expect("metadata serializes"),
        ),
    )
}
