//! The demo organization: its settings (`demo.toml`, in the format of
//! `config/alignbot.toml`), its workspace (`demo_workspace.toml`: people,
//! channels, and the goals, check-ins, priorities and moments it starts
//! with), and the seeding of a fresh database through the app's services.

use super::workspace::{Channel, Person};
use crate::app::AppContext;
use crate::app::goals::{self, CheckInInput, GoalInput};
use crate::app::moments::{self, MomentInput, PrivacyCheck};
use crate::config::{ConfigError, Settings};
use crate::domain::priorities::PriorityList;
use crate::domain::{Audience, PersonId};
use anyhow::Context;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;

const SETTINGS: &str = include_str!("demo.toml");
const WORKSPACE: &str = include_str!("demo_workspace.toml");

/// What the playground's settings are made of; nothing comes from the
/// environment or a config file.
pub struct DemoSettings<'a> {
    pub listen: SocketAddr,
    pub database_url: &'a str,
    pub signing_secret: &'a str,
    pub bot_token: &'a str,
    pub api_url: &'a str,
}

/// The demo organization's settings with the playground's own values. The
/// environment is not consulted at all, so `SLACK_*` or `DATABASE_URL` set
/// for `serve` can never leak into the playground.
pub fn settings(s: &DemoSettings<'_>) -> Result<Settings, ConfigError> {
    let listen = s.listen.to_string();
    let env = |name: &str| -> Option<String> {
        match name {
            "SLACK_SIGNING_SECRET" => Some(s.signing_secret.to_owned()),
            "SLACK_BOT_TOKEN" => Some(s.bot_token.to_owned()),
            "SLACK_API_URL" => Some(s.api_url.to_owned()),
            "DATABASE_URL" => Some(s.database_url.to_owned()),
            "ALIGNBOT_LISTEN" => Some(listen.clone()),
            // Jobs run from the page's menu, never on a schedule.
            "ALIGNBOT_SCHEDULER" => Some("off".to_owned()),
            _ => None,
        }
    };
    Settings::from_toml(SETTINGS, Path::new("src/playground/demo.toml"), &env)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoWorkspace {
    pub people: Vec<Person>,
    channels: Vec<DemoChannel>,
    #[serde(default)]
    goals: Vec<DemoGoal>,
    #[serde(default)]
    priorities: Vec<DemoPriorities>,
    #[serde(default)]
    moments: Vec<DemoMoment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoChannel {
    id: String,
    name: String,
    topic: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoGoal {
    owner: String,
    team: String,
    title: String,
    pillar: String,
    start: String,
    target: String,
    due: String,
    check_in: Option<DemoCheckIn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoCheckIn {
    value: String,
    confidence: String,
    note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPriorities {
    team: String,
    leader: String,
    items: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoMoment {
    author: String,
    story: String,
    pillar: Option<String>,
    #[serde(default)]
    recognized: Vec<String>,
}

impl DemoWorkspace {
    pub fn load() -> Self {
        toml::from_str(WORKSPACE).expect("demo_workspace.toml is valid (checked by a unit test)")
    }

    pub fn channels(&self) -> Vec<Channel> {
        self.channels
            .iter()
            .map(|c| Channel {
                id: c.id.clone(),
                name: c.name.clone(),
                kind: "channel".into(),
                topic: c.topic.clone(),
            })
            .collect()
    }
}

/// Empties every table of the playground's database and seeds the
/// organization of `settings` again, in one transaction: the page's "Reset
/// demo". Only ever called on the playground's own database (`serve` has no
/// route that reaches it).
pub async fn wipe(ctx: &AppContext, settings: &Settings) -> anyhow::Result<()> {
    let (org, pillars, teams, now) = (
        settings.org.clone(),
        settings.pillars.clone(),
        settings.teams.clone(),
        ctx.clock.now(),
    );
    ctx.store
        .write(move |conn| {
            Box::pin(async move {
                crate::store::data_rights::erase_everything(conn).await?;
                crate::store::org::seed(conn, &org, &pillars, &teams, now).await
            })
        })
        .await
        .context("cannot empty the playground's database")?;
    ctx.reload_directory()
        .await
        .context("cannot reload the demo organization")?;
    Ok(())
}

fn person(id: &str) -> anyhow::Result<PersonId> {
    PersonId::parse(id).with_context(|| format!("demo person {id}"))
}

/// Enters the demo's goals, check-ins, priorities and moments through the
/// app's services, as people would: everything is stored, and what would
/// be posted (the moments) is queued for the delivery worker.
pub async fn seed(ctx: &AppContext, demo: &DemoWorkspace) -> anyhow::Result<()> {
    for g in &demo.goals {
        let owner = person(&g.owner)?;
        let goal = goals::add(
            ctx,
            owner.clone(),
            GoalInput {
                title: g.title.clone(),
                pillar: Some(g.pillar.clone()),
                target: Some(g.target.clone()),
                start: Some(g.start.clone()),
                due: Some(g.due.clone()),
                team: Some(g.team.clone()),
                owner: Some(owner.clone()),
                // This year's plan, even when next year's goal-setting is
                // open (from October by default), so Home and the nudges
                // show the demo's goals.
                year: Some(goals::current_year(ctx).value().to_string()),
            },
        )
        .await
        .with_context(|| format!("demo goal {:?}", g.title))?;
        if let Some(c) = &g.check_in {
            goals::check_in(
                ctx,
                owner,
                goal.id,
                CheckInInput {
                    value: c.value.clone(),
                    confidence: Some(c.confidence.clone()),
                    note: Some(c.note.clone()),
                },
            )
            .await
            .with_context(|| format!("demo check-in of {:?}", g.title))?;
        }
    }
    for p in &demo.priorities {
        let items = PriorityList::parse(&p.items).context("demo priorities")?;
        crate::app::priorities::publish(ctx, person(&p.leader)?, Some(&p.team), items)
            .await
            .with_context(|| format!("demo priorities of {}", p.team))?;
    }
    for m in &demo.moments {
        let input = MomentInput {
            story: m.story.clone(),
            pillar: m.pillar.clone(),
            recognized: m
                .recognized
                .iter()
                .map(|r| person(r))
                .collect::<Result<_, _>>()?,
            audience: Audience::Channel,
        };
        let draft = input
            .validate(person(&m.author)?, &ctx.directory())
            .with_context(|| format!("demo moment by {}", m.author))?;
        moments::share(ctx, draft, PrivacyCheck::Seed, None)
            .await
            .with_context(|| format!("demo moment by {}", m.author))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn demo_settings() -> Settings {
        settings(&DemoSettings {
            listen: "127.0.0.1:0".parse().unwrap(),
            database_url: "sqlite://x.db",
            signing_secret: "s",
            bot_token: "xoxb-t",
            api_url: "http://127.0.0.1:1/playground/slack/api",
        })
        .expect("demo.toml is valid")
    }

    #[test]
    fn the_demo_settings_are_valid_and_never_take_the_environment() {
        // SAFETY-free check: the env closure never reads the process
        // environment, so whatever is exported cannot change these.
        let s = demo_settings();
        assert_eq!(s.slack.api_url, "http://127.0.0.1:1/playground/slack/api");
        assert_eq!(s.database_url, "sqlite://x.db");
        assert!(!s.scheduler);
        assert!(s.delivery.per_channel_interval < std::time::Duration::from_millis(100));
    }

    #[test]
    fn every_person_of_the_org_is_in_the_workspace_and_one_lives_elsewhere() {
        let s = demo_settings();
        let demo = DemoWorkspace::load();
        let people: HashSet<&str> = demo.people.iter().map(|p| p.id.as_str()).collect();
        let org: Vec<String> = s
            .teams
            .iter()
            .flat_map(|t| t.leaders.iter().chain(&t.members))
            .chain(&s.org.admins)
            .chain(&s.org.executives)
            .map(ToString::to_string)
            .collect();
        for id in &org {
            assert!(people.contains(id.as_str()), "{id} is not in the workspace");
        }
        let channels: HashSet<String> = demo.channels().into_iter().map(|c| c.id).collect();
        for c in s
            .teams
            .iter()
            .map(|t| &t.channel)
            .chain([&s.org.moments_channel, &s.org.leadership_channel])
            .chain(s.org.staff_channel.as_ref())
        {
            assert!(channels.contains(c.as_str()), "{c} has no channel");
        }
        let zones: HashSet<&str> = demo.people.iter().map(|p| p.tz.as_str()).collect();
        assert!(zones.len() > 1);
        for p in &demo.people {
            assert!(p.tz.parse::<chrono_tz::Tz>().is_ok(), "{}", p.tz);
            assert!(["admin", "executive", "leader", "member"].contains(&p.role.as_str()));
        }
    }
}
