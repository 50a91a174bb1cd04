//! Use cases. Each service takes validated domain input, writes the store in
//! one transaction (through the group-commit writer) and enqueues what must
//! be sent in the outbox inside that same transaction, then wakes the
//! delivery worker. Services know nothing of Slack: people, channels,
//! triggers and reply handles are opaque values to them.
//!
//! Permissions are checked here, not in the UI: a button that a person
//! should not have seen still does nothing for them. Every rule lives in
//! [`permissions`]; the services ask it and word the refusal.

pub mod align;
pub mod commands;
pub mod compose;
pub mod consent;
pub mod conversations;
pub mod data_rights;
pub mod error;
pub mod events;
pub mod export;
pub mod goal_commands;
pub mod goals;
pub mod guard;
pub mod home;
pub mod import;
pub mod jobs;
pub mod moments;
pub mod outgoing;
pub mod people;
pub mod permissions;
pub mod plan;
pub mod priorities;
pub mod proposals;
pub mod replays;
pub mod report;
pub mod team_update;

pub use error::AppError;

use crate::clock::SharedClock;
use crate::domain::Directory;
use crate::domain::privacy::KnownPeople;
use crate::store::Store;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use tokio::sync::Notify;

/// What every service needs; cheap to clone.
#[derive(Clone)]
pub struct AppContext {
    pub store: Store,
    pub clock: SharedClock,
    directory: Arc<RwLock<Arc<Directory>>>,
    /// The colleagues the privacy guard knows by name, built once per
    /// change of names (see [`people::known_people`]): a story is scanned
    /// against a snapshot, never against the store.
    known_people: Arc<RwLock<Arc<KnownPeople>>>,
    delivery_wake: Arc<Notify>,
    /// This application's counters, for `GET /metrics`.
    pub metrics: crate::metrics::Metrics,
    /// Set once the app is uninstalled or its token revoked; checked by the
    /// delivery worker before every round, so sending stops at once.
    delivery_stopped: Arc<AtomicBool>,
    /// Serializes reloads: each reads the database only once it holds the
    /// lock, so the last reload to finish stored the newest organization
    /// (a slow reload started before an admin's change cannot overwrite it).
    reload_lock: Arc<tokio::sync::Mutex<()>>,
    /// The organization's plan years (from `[org] plan_year_start`, …).
    pub years: crate::domain::plan_year::YearCalendar,
    /// The `[privacy]` settings: the per-person moments limit and whether
    /// admins hear of overrides of the guard.
    pub privacy: crate::config::PrivacySettings,
}

impl AppContext {
    pub fn new(store: Store, clock: SharedClock, directory: Directory) -> Self {
        Self {
            store,
            clock,
            directory: Arc::new(RwLock::new(Arc::new(directory))),
            known_people: Arc::new(RwLock::new(Arc::new(KnownPeople::new()))),
            delivery_wake: Arc::new(Notify::new()),
            metrics: crate::metrics::Metrics::new(),
            delivery_stopped: Arc::new(AtomicBool::new(false)),
            reload_lock: Arc::new(tokio::sync::Mutex::new(())),
            years: Default::default(),
            privacy: crate::config::PrivacySettings::default(),
        }
    }

    /// The same context on the organization's plan-year calendar.
    pub fn with_years(self, years: crate::domain::plan_year::YearCalendar) -> Self {
        Self { years, ..self }
    }

    /// The same context with the `[privacy]` settings of the config file.
    pub fn with_privacy(mut self, privacy: crate::config::PrivacySettings) -> Self {
        self.privacy = privacy;
        self
    }

    /// The organization as last loaded; a snapshot, so a request sees one
    /// consistent view even if an admin changes it meanwhile.
    pub fn directory(&self) -> Arc<Directory> {
        self.directory
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// The colleagues the privacy guard knows by name, as last built.
    pub fn known_people(&self) -> Arc<KnownPeople> {
        self.known_people
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Rebuilds [`AppContext::known_people`] from the cached names (at
    /// start, and after names were learned or someone was forgotten).
    pub async fn refresh_known_people(&self) -> Result<(), AppError> {
        let _one_at_a_time = self.reload_lock.lock().await;
        self.rebuild_known_people().await
    }

    async fn rebuild_known_people(&self) -> Result<(), AppError> {
        let names = crate::store::people::all_names(self.store.reads()).await?;
        let known = Arc::new(people::known_people(&names));
        *self
            .known_people
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = known;
        Ok(())
    }

    /// Reloads the organization after an admin changed it.
    pub async fn reload_directory(&self) -> Result<(), AppError> {
        let _one_at_a_time = self.reload_lock.lock().await;
        let mut conn = self
            .store
            .reads()
            .acquire()
            .await
            .map_err(crate::store::StoreError::from)?;
        if let Some(fresh) = crate::store::org::load(&mut conn).await? {
            *self
                .directory
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(fresh);
        }
        // A person forgotten elsewhere (`alignbot forget-user`) is no longer
        // a colleague.
        self.rebuild_known_people().await
    }

    /// True once Slack said the app lost its token (see [`events`]).
    pub fn delivery_stopped(&self) -> bool {
        self.delivery_stopped.load(Ordering::SeqCst)
    }

    pub fn set_delivery_stopped(&self, stopped: bool) {
        self.delivery_stopped.store(stopped, Ordering::SeqCst);
    }

    /// Tells the delivery worker new outbox rows are committed.
    pub fn wake_delivery(&self) {
        self.delivery_wake.notify_one();
    }

    pub(crate) fn delivery_wake(&self) -> Arc<Notify> {
        self.delivery_wake.clone()
    }
}
