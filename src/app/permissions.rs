//! Who may do what: every permission rule of the app, in one place.
//!
//! A rule is decided from the organization's directory as it is when the
//! person asks (admins, and each team's leaders and members), never from what
//! a screen showed them: a button a person should not have seen still does
//! nothing for them. The use cases ask an [`Actor`] and word the refusal for
//! their own context; adapters and HTTP handlers never decide, they call a use
//! case (or one of its `for_…` helpers) and show the refusal it returns.
//!
//! The rules:
//! - the plan (mission, pillars, teams, a team's people): admins;
//! - add a goal directly: admins, and leaders for their own team (everyone
//!   else proposes); import goals from a file: admins and team leaders;
//! - check in on, edit or close a goal: its owner, a leader of its team, an admin;
//!   an edit that moves it to another team: only whoever may add goals there;
//! - publish a team's priorities: its leaders and admins;
//! - publish the organization's priorities: admins and the executives
//!   named in `[org] executives`;
//! - start a team's goal-setting, approve or decline its proposals: its
//!   leaders and admins;
//! - propose a goal to a team, support or comment on its proposals: its
//!   members and leaders, and admins;
//! - edit a mission moment: its author; take one down: its author or an admin;
//! - share a moment with the "leaders only" audience (into the leadership
//!   channel): members and leaders of any team, and admins.

use crate::domain::{Directory, PersonId, Team, TeamKey};

/// One person as the rules see them: what they are in the organization.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    person: &'a PersonId,
    dir: &'a Directory,
}

impl<'a> Actor<'a> {
    pub fn new(dir: &'a Directory, person: &'a PersonId) -> Self {
        Self { person, dir }
    }

    pub fn person(&self) -> &'a PersonId {
        self.person
    }

    pub fn is_admin(&self) -> bool {
        self.dir.is_admin(self.person)
    }

    pub fn leads(&self, team: &TeamKey) -> bool {
        self.dir.leads(self.person, team)
    }

    /// The teams this person leads, in the directory's order.
    pub fn led_teams(&self) -> Vec<&'a Team> {
        self.dir
            .teams
            .iter()
            .filter(|t| t.leaders.contains(self.person))
            .collect()
    }

    /// A member or a leader of `team`.
    pub fn belongs_to(&self, team: &TeamKey) -> bool {
        self.dir
            .team(team)
            .is_some_and(|t| t.members.contains(self.person) || t.leaders.contains(self.person))
    }

    /// An admin, or a leader of `team`: who decides a team's things.
    fn runs(&self, team: &TeamKey) -> bool {
        self.is_admin() || self.leads(team)
    }

    /// Mission, pillars, teams and a team's people.
    pub fn may_change_plan(&self) -> bool {
        self.is_admin()
    }

    /// Adds a goal for `team` without proposing it (a goal without a team:
    /// admins only).
    pub fn may_add_goal(&self, team: Option<&TeamKey>) -> bool {
        self.is_admin() || team.is_some_and(|t| self.leads(t))
    }

    /// Imports goals from a file at all; each goal is then checked with
    /// [`Actor::may_add_goal`].
    pub fn may_import_goals(&self) -> bool {
        self.is_admin() || !self.led_teams().is_empty()
    }

    /// Checks in on, edits or closes a goal `owner` owns, of `team`.
    pub fn may_change_goal(&self, owner: &PersonId, team: Option<&TeamKey>) -> bool {
        owner == self.person || self.is_admin() || team.is_some_and(|t| self.leads(t))
    }

    /// Moves a goal from team `from` to team `to` (an edit): keeping the
    /// team asks nothing more; another team is for whoever may add goals to
    /// it, so an owner cannot carry their goal into a team they do not run.
    pub fn may_move_goal(&self, from: Option<&TeamKey>, to: Option<&TeamKey>) -> bool {
        from == to || self.may_add_goal(to)
    }

    pub fn may_publish_priorities(&self, team: &TeamKey) -> bool {
        self.runs(team)
    }

    /// Shares the alignment report in the leadership or staff channel:
    /// admins and executives.
    pub fn may_share_report(&self) -> bool {
        self.is_admin() || self.dir.org.is_executive(self.person)
    }

    /// The organization's monthly priorities.
    pub fn may_publish_org_priorities(&self) -> bool {
        self.is_admin() || self.dir.org.is_executive(self.person)
    }

    /// Posts the goal-setting kick-off to `team`'s channel.
    pub fn may_start_goal_setting(&self, team: &TeamKey) -> bool {
        self.runs(team)
    }

    /// Approves or declines a proposal to `team`.
    pub fn may_decide_proposal(&self, team: &TeamKey) -> bool {
        self.runs(team)
    }

    /// Proposes a goal to `team`, supports or comments on its proposals.
    pub fn may_take_part(&self, team: &TeamKey) -> bool {
        self.belongs_to(team) || self.is_admin()
    }

    /// Edits the story of a moment `author` shared.
    pub fn may_edit_moment(&self, author: &PersonId) -> bool {
        author == self.person
    }

    /// Takes down a moment `author` shared (moderation, for admins).
    pub fn may_remove_moment(&self, author: &PersonId) -> bool {
        author == self.person || self.is_admin()
    }

    /// Shares a moment into the leadership channel through the "leaders
    /// only" audience: that channel is the organization's, so someone in
    /// none of its teams (a guest, a stranger to the directory) may not.
    pub fn may_post_to_leaders(&self) -> bool {
        self.is_admin()
            || self
                .dir
                .teams
                .iter()
                .any(|t| t.members.contains(self.person) || t.leaders.contains(self.person))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ChannelId, Org};

    fn id(raw: &str) -> PersonId {
        PersonId::parse(raw).unwrap()
    }

    fn key(raw: &str) -> TeamKey {
        TeamKey::parse(raw).unwrap()
    }

    fn team(k: &str, leaders: &[&str], members: &[&str]) -> Team {
        Team {
            key: key(k),
            name: k.to_owned(),
            channel: ChannelId::parse("C0TEAM").unwrap(),
            leaders: leaders.iter().map(|p| id(p)).collect(),
            members: members.iter().map(|p| id(p)).collect(),
            holidays: Vec::new(),
        }
    }

    /// An admin, a leader and a member of nursing, a member of pharmacy, and
    /// someone in no team.
    fn dir() -> Directory {
        Directory {
            org: Org {
                name: "Riverside".into(),
                mission: "Heal".into(),
                timezone: chrono_tz::America::New_York,
                moments_channel: ChannelId::parse("C0MOMENTS").unwrap(),
                leadership_channel: ChannelId::parse("C0LEADERS").unwrap(),
                admins: vec![id("U0ADMIN")],
                staff_channel: None,
                // Someone in no team, named an executive.
                executives: vec![id("U0NOBODY")],
            },
            pillars: Vec::new(),
            teams: vec![
                team("nursing", &["U0LEAD"], &["U0NURSE"]),
                team("pharmacy", &[], &["U0PHARM"]),
            ],
        }
    }

    const EVERYONE: [&str; 5] = ["U0ADMIN", "U0LEAD", "U0NURSE", "U0PHARM", "U0NOBODY"];

    /// Who of [`EVERYONE`] passes `rule`.
    fn allowed(rule: impl Fn(Actor<'_>) -> bool) -> Vec<&'static str> {
        let dir = dir();
        EVERYONE
            .into_iter()
            .filter(|p| rule(Actor::new(&dir, &id(p))))
            .collect()
    }

    #[test]
    fn admins_and_executives_publish_the_organizations_priorities() {
        assert_eq!(
            allowed(|a| a.may_publish_org_priorities()),
            ["U0ADMIN", "U0NOBODY"]
        );
    }

    #[test]
    fn only_admins_change_the_plan() {
        assert_eq!(allowed(|a| a.may_change_plan()), ["U0ADMIN"]);
    }

    #[test]
    fn admins_and_the_teams_leaders_add_goals_directly() {
        let nursing = key("nursing");
        let pharmacy = key("pharmacy");
        assert_eq!(
            allowed(|a| a.may_add_goal(Some(&nursing))),
            ["U0ADMIN", "U0LEAD"]
        );
        assert_eq!(allowed(|a| a.may_add_goal(Some(&pharmacy))), ["U0ADMIN"]);
        assert_eq!(allowed(|a| a.may_add_goal(None)), ["U0ADMIN"]);
    }

    #[test]
    fn admins_and_leaders_of_any_team_import_goals() {
        assert_eq!(allowed(|a| a.may_import_goals()), ["U0ADMIN", "U0LEAD"]);
    }

    #[test]
    fn a_goal_is_changed_by_its_owner_a_leader_of_its_team_or_an_admin() {
        let (nurse, nursing) = (id("U0NURSE"), key("nursing"));
        assert_eq!(
            allowed(|a| a.may_change_goal(&nurse, Some(&nursing))),
            ["U0ADMIN", "U0LEAD", "U0NURSE"]
        );
        let nobody = id("U0NOBODY");
        assert_eq!(
            allowed(|a| a.may_change_goal(&nobody, None)),
            ["U0ADMIN", "U0NOBODY"]
        );
    }

    #[test]
    fn a_goal_moves_to_another_team_only_for_who_may_add_goals_there() {
        let (nursing, pharmacy) = (key("nursing"), key("pharmacy"));
        assert_eq!(
            allowed(|a| a.may_move_goal(Some(&nursing), Some(&nursing))),
            EVERYONE,
            "keeping the team is no move"
        );
        assert_eq!(
            allowed(|a| a.may_move_goal(Some(&pharmacy), Some(&nursing))),
            ["U0ADMIN", "U0LEAD"]
        );
        assert_eq!(
            allowed(|a| a.may_move_goal(Some(&nursing), Some(&pharmacy))),
            ["U0ADMIN"]
        );
        assert_eq!(
            allowed(|a| a.may_move_goal(Some(&nursing), None)),
            ["U0ADMIN"]
        );
    }

    #[test]
    fn a_teams_leaders_and_admins_publish_and_decide_for_it() {
        let nursing = key("nursing");
        assert_eq!(
            allowed(|a| a.may_publish_priorities(&nursing)),
            ["U0ADMIN", "U0LEAD"]
        );
        assert_eq!(
            allowed(|a| a.may_start_goal_setting(&nursing)),
            ["U0ADMIN", "U0LEAD"]
        );
        assert_eq!(
            allowed(|a| a.may_decide_proposal(&nursing)),
            ["U0ADMIN", "U0LEAD"]
        );
        let pharmacy = key("pharmacy");
        assert_eq!(allowed(|a| a.may_decide_proposal(&pharmacy)), ["U0ADMIN"]);
    }

    #[test]
    fn a_teams_people_and_admins_take_part_in_its_goal_setting() {
        let nursing = key("nursing");
        assert_eq!(
            allowed(|a| a.may_take_part(&nursing)),
            ["U0ADMIN", "U0LEAD", "U0NURSE"]
        );
        let gone = key("gone");
        assert_eq!(allowed(|a| a.may_take_part(&gone)), ["U0ADMIN"]);
    }

    #[test]
    fn a_moment_is_edited_by_its_author_and_taken_down_by_its_author_or_an_admin() {
        let author = id("U0NURSE");
        assert_eq!(allowed(|a| a.may_edit_moment(&author)), ["U0NURSE"]);
        assert_eq!(
            allowed(|a| a.may_remove_moment(&author)),
            ["U0ADMIN", "U0NURSE"]
        );
    }

    #[test]
    fn only_the_organizations_people_share_with_leaders_only() {
        assert_eq!(
            allowed(|a| a.may_post_to_leaders()),
            ["U0ADMIN", "U0LEAD", "U0NURSE", "U0PHARM"]
        );
    }

    #[test]
    fn the_teams_a_person_leads_are_listed() {
        let dir = dir();
        let lead = id("U0LEAD");
        let led: Vec<&str> = Actor::new(&dir, &lead)
            .led_teams()
            .iter()
            .map(|t| t.key.as_str())
            .collect();
        assert_eq!(led, ["nursing"]);
        assert!(Actor::new(&dir, &id("U0ADMIN")).led_teams().is_empty());
    }
}
