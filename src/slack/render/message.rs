//! One entry point from the app's composed messages to Block Kit: which
//! render function draws each view model. A new message adds one arm here
//! and one render function in its family's module.

use super::*;
use crate::app::compose::{Message, View};
use crate::domain::{Directory, PersonId};
use crate::slack::ids;
use crate::slack::render::goal::GoalFormValues;
use crate::slack::render::modal::{FormValues, ModalMeta};

/// A message body as Block Kit.
pub fn content(message: &Message, dir: &Directory) -> SlackMessageContent {
    match message {
        Message::Moment(m) => moment::post(&m.moment, dir, m.edited_for_privacy),
        Message::Proposal(p) => proposal::post(p, dir),
        Message::ProposalComment(c) => proposal::comment(&c.author, &c.text),
        Message::ProposalDecision(d) => proposal::decided(
            &d.proposal,
            d.owner.as_deref(),
            d.reason.as_deref(),
            d.approved.as_ref(),
        ),
        Message::Kickoff(k) => proposal::kickoff(dir, k),
        Message::ProgressNudge(n) => {
            digest::progress_nudge(&n.goals, &n.month_label, n.checked_since, dir)
        }
        Message::MomentsNudge(n) => digest::moments_nudge(dir, n.shared),
        Message::MomentsDigest(d) => digest::moments_digest(&d.month_label, &d.moments, dir),
        Message::LeadershipDigest(d) => digest::leadership_digest(&d.month_label, &d.numbers, dir),
        Message::Priorities(p) => {
            priorities::post(&p.priorities, &p.team, &p.month_label, &p.goals)
        }
        Message::PrioritiesSummary(s) => {
            priorities::summary(&s.priorities, &s.team, &s.month_label)
        }
        Message::PrioritiesNudge(n) => priorities::nudge(n),
        Message::OrgPriorities(p) => priorities::org_post(p, dir),
        Message::OrgPrioritiesNudge(n) => priorities::org_nudge(n),
        Message::MissingPriorities(m) => {
            let teams: Vec<&crate::domain::Team> = m.teams.iter().collect();
            priorities::missing(&m.month_label, &teams)
        }
        Message::TeamUpdateDraft(d) => team_update::draft(d),
        Message::TeamUpdate(u) => team_update::post(u),
        // Built by the bot with people's words escaped (see `Outgoing::Confirm`).
        Message::Confirmation(text) => SlackMessageContent::new()
            .with_text(text.clone())
            .with_blocks(vec![section(markdown(text))]),
        // Teams' form of the question (Slack answers it in the command's
        // reply, with buttons, in `http::which_team`): the text, escaped.
        // Teams only (Slack opens these forms from the command itself).
        Message::FormPrompt(_) => SlackMessageContent::new().with_text(
            "Type `/priorities publish` or `/priorities org publish` to open the form.".into(),
        ),
        Message::WhichTeam(question, _) => SlackMessageContent::new()
            .with_text(escape(question))
            .with_blocks(vec![section(markdown(&escape(question)))]),
        Message::YearEndNudge(n) => year::year_end_nudge(n, dir),
        Message::Report(r) => report::shared(&r.report, &r.by, dir),
        Message::Privacy(n) => privacy::notice(n, dir),
    }
}

/// Whether Slack may unfurl links (`.0`) and media (`.1`) in a new post:
/// never under people's stories and the bot's own posts; left to Slack's
/// default where nothing a person wrote is shown.
pub fn unfurl(message: &Message) -> (Option<bool>, Option<bool>) {
    match message {
        Message::Moment(_) | Message::Privacy(_) => (Some(false), Some(false)),
        Message::ProposalDecision(_)
        | Message::PrioritiesSummary(_)
        | Message::MissingPriorities(_) => (None, None),
        _ => (Some(false), None),
    }
}

/// A view (modal) as Block Kit.
pub fn view(view: &View, dir: &Directory) -> SlackView {
    match view {
        View::ShareMoment(prefill) => modal::share(
            dir,
            &FormValues::from(prefill),
            &ModalMeta {
                replaces: prefill.draft.map(|d| d.0),
                ..Default::default()
            },
            None,
        ),
        View::EditMoment(m) => {
            let values = FormValues {
                story: m.story.clone(),
                pillar: m.pillar.as_ref().map(ToString::to_string),
                recognized: m.recognized.iter().map(PersonId::to_string).collect(),
                audience: m.audience,
            };
            modal::edit(dir, m, &values, None)
        }
        View::Notice { title, text } => modal::notice(title, text),
        View::CheckIn(g) => goal::check_in_modal(g),
        View::NewGoal {
            propose,
            owner,
            team,
            years,
            year,
        } => {
            let values = GoalFormValues {
                owner: owner.as_ref().map(ToString::to_string),
                team: team.as_ref().map(ToString::to_string),
                year: Some(year.clone()),
                years: years.clone(),
                ..Default::default()
            };
            if *propose {
                goal::goal_form(
                    dir,
                    ids::GOAL_PROPOSE_CALLBACK,
                    "Propose a goal",
                    "Propose",
                    &values,
                    None,
                )
            } else {
                goal::goal_form(
                    dir,
                    ids::GOAL_ADD_CALLBACK,
                    "Add a goal",
                    "Add goal",
                    &values,
                    None,
                )
            }
        }
        View::EditGoal(g) => goal::goal_form(
            dir,
            ids::GOAL_EDIT_CALLBACK,
            "Edit goal",
            "Save",
            &GoalFormValues::from_goal(g),
            Some(g.id.0),
        ),
        View::CommentProposal(p) => proposal::comment_modal(p),
        View::ApproveProposal(p) => proposal::approve_modal(p),
        View::DeclineProposal(p) => proposal::decline_modal(p),
        View::TeamPeople { team, leaders } => goal::team_people_modal(team, *leaders),
        View::PublishPriorities(f) => {
            priorities::form(&f.team, &f.month_label, &f.prefill, &f.goals, &f.choices)
        }
        View::TeamUpdate(f) => team_update::form(f),
        View::OrgPriorities(f) => priorities::org_form(f),
        View::RemoveMoment(m) => privacy::remove_modal(m, dir),
    }
}

/// A short answer through a reply handle, shown as written.
pub fn reply(reply: &crate::app::outgoing::Reply) -> SlackApiPostWebhookMessageRequest {
    let text = if reply.formatted {
        reply.text.clone()
    } else {
        escape(&reply.text)
    };
    let content = SlackMessageContent::new()
        .with_text(text.clone())
        .with_blocks(vec![section(markdown(&text))]);
    SlackApiPostWebhookMessageRequest::new(content).with_replace_original(reply.replace_original)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::compose::{MomentsNudge, ProposalComment};
    use crate::app::outgoing::Reply;

    #[test]
    fn a_reply_shows_its_text_as_written_and_never_as_a_mention_or_link() {
        let req = reply(&Reply {
            text: "<!channel> see <https://x.test|this> & <@U0ADMIN>".into(),
            replace_original: true,
            formatted: false,
        });
        let json = serde_json::to_string(&req).unwrap();
        assert!(!json.contains("<!channel>"), "{json}");
        assert!(!json.contains("<@U0ADMIN>"), "{json}");
        assert!(json.contains("&lt;!channel&gt;"), "{json}");
        assert_eq!(req.replace_original, Some(true));
    }

    #[test]
    fn posts_showing_what_people_wrote_never_unfurl_links() {
        let comment = Message::ProposalComment(ProposalComment {
            author: "U0NURSE1".into(),
            text: "https://x.test".into(),
        });
        assert_eq!(unfurl(&comment).0, Some(false));
        assert_eq!(
            unfurl(&Message::MomentsNudge(MomentsNudge { shared: false })).0,
            Some(false)
        );
    }
}
