//! The Slack adapter: the only module (with `http/`) that knows Slack exists.
//!
//! - [`verify`]: request signatures.
//! - [`command`], [`interaction`], [`event`]: Slack payloads → app input
//!   (what a command's text means is [`crate::app::commands`]' job).
//! - [`identity`]: our app and installation ids, which events must carry.
//! - [`render`]: app state → Block Kit.
//! - [`client`]: slack-morphism's Web API client at `SLACK_API_URL`, and the
//!   delivery transport that turns outbox rows into Web API calls.
//! - [`socket_mode`]: the Socket Mode connection, which feeds envelopes to
//!   the same HTTP handlers in-process.
//!
//! A Teams adapter would sit beside this module with the same shape.

pub mod client;
pub mod command;
pub mod event;
pub mod identity;
pub mod interaction;
pub mod render;
pub mod socket_mode;
pub mod verify;

/// Ids of callbacks, blocks and actions, shared by renderers and parsers so
/// they cannot drift apart.
pub mod ids {
    pub const SHARE_CALLBACK: &str = "moment_share";
    pub const EDIT_CALLBACK: &str = "moment_edit";
    /// Global shortcut "Share a mission moment".
    pub const SHORTCUT_SHARE: &str = "share_moment";
    /// Message shortcut "Share as mission moment".
    pub const SHORTCUT_SHARE_MESSAGE: &str = "share_as_moment";
    /// Message shortcut "Edit or delete moment".
    pub const SHORTCUT_MANAGE: &str = "manage_moment";
    /// Message shortcut "Take down this moment" (its author or an admin).
    pub const SHORTCUT_REMOVE: &str = "remove_moment";
    /// The "Take down this moment?" confirmation modal.
    pub const REMOVE_CALLBACK: &str = "moment_remove";
    /// "Remove" on a moment in the Home tab's latest moments.
    pub const HOME_REMOVE: &str = "home_remove";
    /// "Don't name me" in the DM to a person a moment names.
    pub const UNNAME: &str = "moment_unname";
    /// `/align privacy`: "Don't name me in future moments" / "You may name me".
    pub const PRIVACY_OPT_OUT: &str = "privacy_opt_out";
    pub const PRIVACY_OPT_IN: &str = "privacy_opt_in";

    pub const STORY: &str = "story";
    pub const PILLAR: &str = "pillar";
    pub const RECOGNIZED: &str = "recognized";
    pub const AUDIENCE: &str = "audience";
    pub const PRIVACY_ACK: &str = "privacy_ack";

    pub const DRAFT_POST: &str = "draft_post";
    pub const DRAFT_EDIT: &str = "draft_edit";
    pub const DRAFT_DISCARD: &str = "draft_discard";
    pub const HOME_SHARE: &str = "home_share";
    pub const HOME_EDIT: &str = "home_edit";
    pub const HOME_DELETE: &str = "home_delete";
    pub const DELETE_IN_MODAL: &str = "moment_delete";

    pub const GOAL_ADD_CALLBACK: &str = "goal_add";
    pub const GOAL_EDIT_CALLBACK: &str = "goal_edit";
    pub const GOAL_PROPOSE_CALLBACK: &str = "goal_propose";
    pub const GOAL_CHECK_IN_CALLBACK: &str = "goal_check_in";
    pub const GOAL_TITLE: &str = "goal_title";
    pub const GOAL_PILLAR: &str = "goal_pillar";
    pub const GOAL_TEAM: &str = "goal_team";
    pub const GOAL_OWNER: &str = "goal_owner";
    pub const GOAL_START: &str = "goal_start";
    pub const GOAL_TARGET: &str = "goal_target";
    pub const GOAL_DUE: &str = "goal_due";
    pub const GOAL_VALUE: &str = "goal_value";
    pub const GOAL_CONFIDENCE: &str = "goal_confidence";
    pub const GOAL_NOTE: &str = "goal_note";
    /// "Check in" on a goal (Home tab, nudges); value: the goal id.
    pub const CHECK_IN: &str = "goal_check_in_open";
    pub const GOAL_PROPOSE_OPEN: &str = "goal_propose_open";
    /// The year-end DM's outcomes; value: `<goal id>:<nudge id>`.
    pub const GOAL_OUTCOME_MET: &str = "goal_outcome_met";
    pub const GOAL_OUTCOME_NOT_MET: &str = "goal_outcome_not_met";
    pub const GOAL_OUTCOME_CARRIED: &str = "goal_outcome_carried";
    /// "Share in #…" under the alignment report; value: the channel, then
    /// `:` and the plan year.
    pub const REPORT_SHARE: &str = "report_share";
    pub const PRIORITIES_OPEN: &str = "priorities_open";
    pub const PRIORITIES_CALLBACK: &str = "priorities_publish";
    /// The team progress update's draft buttons; value `"<team>/<YYYY-MM>"`.
    pub const TEAM_UPDATE_POST: &str = "team_update_post";
    pub const TEAM_UPDATE_EDIT: &str = "team_update_edit";
    pub const TEAM_UPDATE_CALLBACK: &str = "team_update";
    pub const TEAM_UPDATE_SENTENCE: &str = "team_update_sentence";
    /// Block and action ids `priority_1` … `priority_7`.
    pub const PRIORITY_ITEM: &str = "priority_";
    /// `priority_goal_1` … : the goal an item serves.
    pub const PRIORITY_GOAL: &str = "priority_goal_";
    /// `priority_review_1` … : how last month's item ended.
    pub const PRIORITY_REVIEW: &str = "priority_review_";
    pub const TEAM_PEOPLE_CALLBACK: &str = "team_people";
    pub const TEAM_PEOPLE: &str = "team_people";
    pub const PROPOSAL_SUPPORT: &str = "proposal_support";
    pub const PROPOSAL_COMMENT: &str = "proposal_comment";
    pub const PROPOSAL_APPROVE: &str = "proposal_approve";
    pub const PROPOSAL_DECLINE: &str = "proposal_decline";
    /// The decline form (its callback) and its reason field.
    pub const PROPOSAL_DECLINE_CALLBACK: &str = "proposal_decline";
    pub const PROPOSAL_REASON: &str = "proposal_reason";
    pub const PROPOSAL_COMMENT_CALLBACK: &str = "proposal_comment";
    pub const PROPOSAL_APPROVE_CALLBACK: &str = "proposal_approve";
}
