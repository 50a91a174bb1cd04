//! What a person's Home tab shows.

use super::compose::ProposalCard;
use super::goals::current_year;
use super::{AppContext, AppError};
use crate::domain::goal::Goal;
use crate::domain::moment::{Moment, MomentStatus};
use crate::domain::privacy::{self, FindingKind};
use crate::domain::{Directory, MomentId, PersonId};
use crate::store::goals::{self, GoalFilter};
use crate::store::{StoreError, moments};
use std::sync::Arc;

/// How many items each Home list shows. Together they keep the tab inside
/// Block Kit's 100-block limit (a goal takes 2 blocks, a moment or a
/// proposal up to 3); longer lists point to `/goal list`.
pub const HOME_MOMENTS: i64 = 5;
pub const HOME_MY_GOALS: i64 = 8;
pub const HOME_TEAM_GOALS: i64 = 6;
pub const HOME_PROPOSALS: i64 = 4;

#[derive(Debug)]
pub struct HomeData {
    pub person: PersonId,
    pub directory: Arc<Directory>,
    /// The person's active goals this year, and how many there are in all.
    pub my_goals: Vec<Goal>,
    pub my_goals_total: i64,
    /// Active goals of the person's teams that others own.
    pub team_goals: Vec<Goal>,
    /// Open proposals in the person's teams.
    pub proposals: Vec<ProposalCard>,
    /// The person's own moments (drafts and shared), newest first.
    pub mine: Vec<Moment>,
    /// What the privacy guard finds in each of the person's held drafts
    /// (colleagues' names excepted), so the Home says why it waits.
    pub held: Vec<(MomentId, Vec<FindingKind>)>,
    /// The latest moments shared with the whole channel, newest first.
    pub latest: Vec<Moment>,
    /// Of `latest`, those this person may take down (an admin moderating,
    /// or their own): each gets a Remove button.
    pub removable: Vec<MomentId>,
    /// The person's team and its priorities this month (`None`: not yet
    /// published), when they belong to exactly one team.
    pub priorities: Option<(crate::domain::Team, String, Option<Vec<String>>)>,
    /// The plan year shown, and next year's beside it once it has goals.
    pub years: HomeYears,
}

/// The plan year the Home shows ("2026", "2025/26"), and next year's plan
/// beside it once the person owns goals in it: its label, its number (for
/// `year:`) and how many goals they own there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeYears {
    pub label: String,
    pub next: Option<(String, i32, i64)>,
}

/// The current plan year, and the person's goals of next year so far.
async fn home_years(ctx: &AppContext, person: &PersonId) -> Result<HomeYears, AppError> {
    let year = current_year(ctx);
    let next = year.next();
    let mine = GoalFilter::Owner(person.clone());
    let count = if next == year {
        0
    } else {
        goals::count(ctx.store.reads(), &mine, next).await?
    };
    Ok(HomeYears {
        label: ctx.years.label(year),
        next: (count > 0).then(|| (ctx.years.label(next), next.value(), count)),
    })
}

pub async fn load(ctx: &AppContext, person: PersonId) -> Result<HomeData, AppError> {
    let directory = ctx.directory();
    let year = current_year(ctx);
    let pool = ctx.store.reads();
    let mine_filter = GoalFilter::Owner(person.clone());
    let my_goals = goals::list(pool, &mine_filter, year, HOME_MY_GOALS, 0).await?;
    let my_goals_total = goals::count(pool, &mine_filter, year).await?;
    let mut team_goals = Vec::new();
    for team in directory.teams_of(&person) {
        let found = goals::list(
            pool,
            &GoalFilter::Team(team.key.clone()),
            year,
            HOME_TEAM_GOALS * 2,
            0,
        )
        .await?;
        team_goals.extend(found.into_iter().filter(|g| g.owner != person));
    }
    team_goals.truncate(HOME_TEAM_GOALS as usize);
    let proposals = super::proposals::open_for(ctx, &person, HOME_PROPOSALS)
        .await?
        .into_iter()
        .map(ProposalCard::from)
        .collect();
    let priorities = match directory.home_team(&person).cloned() {
        Some(team) => {
            let month = super::priorities::this_month(ctx);
            let published = super::priorities::show(ctx, &team, month)
                .await?
                .map(|p| p.items);
            Some((team, month.label(), published))
        }
        None => None,
    };
    let mut conn = pool.acquire().await.map_err(StoreError::from)?;
    let mine = moments::list(&mut conn, Some(&person), HOME_MOMENTS).await?;
    let latest = moments::list(&mut conn, None, HOME_MOMENTS).await?;
    let actor = super::permissions::Actor::new(&directory, &person);
    let removable = latest
        .iter()
        .filter(|m| actor.may_remove_moment(&m.author))
        .map(|m| m.id)
        .collect();
    let known = ctx.known_people();
    let held = mine
        .iter()
        .filter(|m| m.status == MomentStatus::Draft)
        .map(|m| {
            let kinds = privacy::scan_with(&m.story, &known)
                .into_iter()
                .map(|f| f.kind)
                .collect();
            (m.id, kinds)
        })
        .collect();
    let data_person = person.clone();
    Ok(HomeData {
        person,
        directory,
        my_goals,
        my_goals_total,
        team_goals,
        proposals,
        mine,
        held,
        latest,
        removable,
        priorities,
        years: home_years(ctx, &data_person).await?,
    })
}
