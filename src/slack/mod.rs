//! The Slack adapter: the only module (with `http/`) that knows Slack exists.
//!
//! - [`verify`]: request signatures.
//! - [`command`], [`interaction`], [`event`]: Slack payloads → app input.
//! - [`render`]: app state → Block Kit.
//! - [`client`]: slack-morphism's Web API client at `SLACK_API_URL`, and the
//!   delivery transport that turns outbox rows into Web API calls.
//!
//! A Teams adapter would sit beside this module with the same shape.

pub mod client;
pub mod command;
pub mod event;
pub mod interaction;
pub mod render;
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
}
