//! What the monthly team progress update says (see
//! [`crate::app::team_update`]): the leader's draft DM, the post in the team
//! channel, and the form to add a sentence.
//!
//! Each goal line carries its owner's latest check-in note as a headline:
//! notes are private until now, so each headline goes through the privacy
//! guard first and is left out (with a word saying so) when it might
//! identify someone. The leader's sentence was checked when they posted.

use super::nudges::team_month;
use super::{ComposeError, Composed, Conversation, Message, update_post};
use crate::app::AppContext;
use crate::app::team_update::{button_value, draft_job, reported_month};
use crate::domain::goal::{CheckIn, Confidence, Goal, GoalStatus, PlanYear};
use crate::domain::ids::{NudgeId, PostOwner};
use crate::domain::period::Month;
use crate::domain::{ChannelId, PersonId, Team, TeamKey};
use crate::store::goals::{self, GoalFilter};
use crate::store::{jobs, team_updates};

/// The longest note headline shown, in characters.
pub const HEADLINE: usize = 90;

/// One goal's line in the update.
#[derive(Debug, Clone, PartialEq)]
pub struct GoalProgress {
    pub goal: Goal,
    /// Current value minus the value before the reported month began; `None`
    /// when there was nothing to compare with.
    pub change: Option<f64>,
    /// The first line of the owner's latest note, cut at a word.
    pub headline: Option<String>,
    /// The latest note exists but the privacy guard kept it out.
    pub headline_withheld: bool,
}

/// The update, as drafted or posted.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamUpdate {
    pub team: Team,
    /// The month reported on ("November 2026").
    pub month_label: String,
    /// At risk and off track first, then not checked in, then on track.
    pub goals: Vec<GoalProgress>,
    /// The leader's sentence, as written (posted updates only).
    pub sentence: Option<String>,
    /// Who posted it (posted updates only).
    pub author: Option<PersonId>,
}

/// The leader's DM: one section per team they lead, each with its buttons
/// until that team's update is posted.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamUpdateDraft {
    /// The nudge the DM belongs to (a Teams card's buttons carry it, to
    /// refresh the card they are on).
    pub nudge: NudgeId,
    /// The month reported on ("November 2026").
    pub month_label: String,
    pub reminder: bool,
    /// In the directory's order; a reminder lists only the teams that had
    /// not posted when it was sent.
    pub sections: Vec<TeamUpdateSection>,
}

/// One team's part of a leader's draft.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamUpdateSection {
    pub update: TeamUpdate,
    /// `"<team>/<YYYY-MM>"`, for the buttons.
    pub value: String,
    /// Posted (by this leader or another): its buttons are gone.
    pub posted: Option<PersonId>,
}

impl TeamUpdateDraft {
    /// Every section is posted: the DM is a thank-you.
    pub fn all_posted(&self) -> bool {
        self.sections.iter().all(|s| s.posted.is_some())
    }
}

/// The form: the draft to read, a field for one's sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamUpdateForm {
    pub update: TeamUpdate,
}

/// Sort key: what needs the team's attention comes first.
fn rank(goal: &Goal) -> u8 {
    match goal.confidence {
        Some(Confidence::OffTrack) => 0,
        Some(Confidence::AtRisk) => 1,
        None => 2,
        Some(Confidence::OnTrack) => 3,
    }
}

/// The first line of `note`, cut at a word boundary within [`HEADLINE`].
pub fn headline(note: &str) -> Option<String> {
    let line = note.lines().map(str::trim).find(|l| !l.is_empty())?;
    if line.chars().count() <= HEADLINE {
        return Some(line.to_owned());
    }
    let cut: String = line.chars().take(HEADLINE).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if i > HEADLINE / 2 => cut[..i].trim_end().to_owned(),
        _ => cut,
    };
    Some(format!("{at_word}…"))
}

/// The change since `since`: current minus the last value before it.
fn change(goal: &Goal, history: &[CheckIn], since: chrono::DateTime<chrono::Utc>) -> Option<f64> {
    let before = history.iter().find(|c| c.at < since)?;
    Some(goal.current? - before.value)
}

/// Builds the update of `team` for the month `period` reports on.
pub async fn load(ctx: &AppContext, team: Team, period: Month) -> Result<TeamUpdate, ComposeError> {
    let reported = reported_month(period);
    let tz = ctx.directory().org.timezone;
    let since = reported.start(tz);
    let year = PlanYear::new(reported.year).map_err(|e| ComposeError::Impossible(e.to_string()))?;
    let pool = ctx.store.reads();
    let mut found = goals::list(pool, &GoalFilter::Team(team.key.clone()), year, 50, 0).await?;
    found.retain(|g| g.status == GoalStatus::Active);
    found.sort_by_key(|g| (rank(g), g.id.0));
    let known = ctx.known_people();
    let mut lines = Vec::with_capacity(found.len());
    for goal in found {
        let history = goals::check_ins(pool, goal.id, 24).await?;
        let note = history
            .first()
            .and_then(|c| c.note.as_deref())
            .and_then(headline);
        let (headline, withheld) = match note {
            Some(text) if crate::domain::privacy::scan_with(&text, &known).is_empty() => {
                (Some(text), false)
            }
            Some(_) => (None, true),
            None => (None, false),
        };
        lines.push(GoalProgress {
            change: change(&goal, &history, since),
            goal,
            headline,
            headline_withheld: withheld,
        });
    }
    Ok(TeamUpdate {
        team,
        month_label: reported.label(),
        goals: lines,
        sentence: None,
        author: None,
    })
}

/// The teams of nudge `n`, in its DM's order: those recorded with it, or
/// (a nudge from before drafts covered several teams) the one its job or
/// outbox row names.
async fn section_teams(
    ctx: &AppContext,
    n: &jobs::Nudge,
    fallback: Option<&TeamKey>,
) -> Result<Vec<String>, ComposeError> {
    let mut conn = ctx.store.read_conn().await?;
    let mut keys = team_updates::nudge_teams(&mut conn, n.id).await?;
    if keys.is_empty() {
        if let Some((_, key)) = n.job.split_once(':') {
            keys.push(key.to_owned());
        } else if let Some(team) = fallback {
            keys.push(team.to_string());
        }
    }
    Ok(keys)
}

/// The draft of nudge `n` as it stands: each section's update, posted or not.
async fn draft_of(
    ctx: &AppContext,
    n: &jobs::Nudge,
    fallback: Option<&TeamKey>,
) -> Result<Option<TeamUpdateDraft>, ComposeError> {
    let reminder = n.job.starts_with(draft_job(true));
    let Some(month) = Month::parse(&n.period) else {
        return Ok(None);
    };
    let mut sections = Vec::new();
    for key in section_teams(ctx, n, fallback).await? {
        let Some((team, _)) = team_month(ctx, &key, &n.period) else {
            continue; // the team was removed since
        };
        let mut conn = ctx.store.read_conn().await?;
        let posted = team_updates::for_team(&mut conn, &key, &n.period).await?;
        drop(conn);
        let value = button_value(&team.key, month);
        let mut update = load(ctx, team, month).await?;
        let author = match posted {
            Some(p) => {
                update.sentence = p.sentence;
                let author = PersonId::parse(&p.author).ok();
                update.author = author.clone();
                author
            }
            None => None,
        };
        sections.push(TeamUpdateSection {
            update,
            value,
            posted: author,
        });
    }
    if sections.is_empty() {
        return Ok(None);
    }
    Ok(Some(TeamUpdateDraft {
        nudge: NudgeId(n.id),
        month_label: reported_month(month).label(),
        reminder,
        sections,
    }))
}

/// The draft of nudge `id` as it stands now (a Teams card refreshed after
/// one of its buttons); `None` when the nudge or its teams are gone.
pub async fn current_draft(
    ctx: &AppContext,
    id: NudgeId,
) -> Result<Option<TeamUpdateDraft>, ComposeError> {
    let Some(n) = jobs::nudge(ctx.store.reads(), id).await? else {
        return Ok(None);
    };
    if !n.job.starts_with(draft_job(false)) {
        return Ok(None);
    }
    draft_of(ctx, &n, None).await
}

/// The draft DM (or reminder) to a leader, once.
pub(super) async fn draft(
    ctx: &AppContext,
    id: NudgeId,
    person: &PersonId,
    team: &TeamKey,
) -> Result<Composed, ComposeError> {
    let Some(n) = jobs::nudge(ctx.store.reads(), id).await? else {
        return Ok(Composed::Skip("nudge no longer exists"));
    };
    if n.post.is_some() {
        return Ok(Composed::Skip("the draft was already sent"));
    }
    let Some(draft) = draft_of(ctx, &n, Some(team)).await? else {
        return Ok(Composed::Skip("the team no longer exists"));
    };
    if draft.all_posted() {
        return Ok(Composed::Skip("the teams' updates were posted meanwhile"));
    }
    Ok(Composed::Post {
        to: Conversation::Person(person.clone()),
        message: Message::TeamUpdateDraft(draft),
        thread: None,
        record: Some(PostOwner::Nudge(id)),
    })
}

/// A leader's draft, re-rendered after one of its teams posted.
pub(super) async fn draft_posted(ctx: &AppContext, id: NudgeId) -> Result<Composed, ComposeError> {
    let Some(n) = jobs::nudge(ctx.store.reads(), id).await? else {
        return Ok(Composed::Skip("nudge no longer exists"));
    };
    if !n.job.starts_with(draft_job(false)) {
        return Ok(Composed::Skip("not a team update draft"));
    }
    let Some(draft) = draft_of(ctx, &n, None).await? else {
        return Ok(Composed::Skip("the team no longer exists"));
    };
    Ok(update_post(n.post, Message::TeamUpdateDraft(draft)))
}

/// The posted update, to the team channel.
pub(super) async fn post(
    ctx: &AppContext,
    id: i64,
    channel: &ChannelId,
) -> Result<Composed, ComposeError> {
    let mut conn = ctx.store.read_conn().await?;
    let Some(posted) = team_updates::get(&mut conn, id).await? else {
        return Ok(Composed::Skip("the update no longer exists"));
    };
    drop(conn);
    let Some((team, month)) = team_month(ctx, &posted.team, &posted.period) else {
        return Ok(Composed::Skip("the team no longer exists"));
    };
    let mut update = load(ctx, team, month).await?;
    update.sentence = posted.sentence;
    update.author = PersonId::parse(&posted.author).ok();
    Ok(Composed::Post {
        to: Conversation::Channel(channel.clone()),
        message: Message::TeamUpdate(update),
        thread: None,
        record: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_headline_is_the_notes_first_line() {
        assert_eq!(
            headline("\n  Short on nights.\nMore detail here").as_deref(),
            Some("Short on nights.")
        );
        assert_eq!(headline("   "), None);
    }

    #[test]
    fn a_long_headline_is_cut_at_a_word_never_mid_word() {
        let note = "Recruitment is slow because the agency contract ended and the new one starts only in February next year";
        let h = headline(note).unwrap();
        assert!(h.ends_with('…'), "{h}");
        let kept = h.trim_end_matches('…');
        assert!(note.starts_with(kept), "{h}");
        assert!(
            note[kept.len()..].starts_with(' '),
            "cut at a word boundary: {h}"
        );
        assert!(h.chars().count() <= HEADLINE + 1);
    }
}
