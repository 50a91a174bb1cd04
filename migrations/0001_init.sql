-- alignbot schema, part 1: the organization, mission moments, the outbox and
-- processed Slack events.
--
-- Conventions, chosen so the same SQL runs on SQLite and PostgreSQL:
--   * times are INTEGER milliseconds since the Unix epoch (UTC);
--   * ids from Slack are TEXT; our own ids are INTEGER primary keys;
--   * enumerations are TEXT with a CHECK, never magic numbers.

-- The organization's settings: one row, seeded from the config file on start.
CREATE TABLE org (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    name               TEXT    NOT NULL,
    mission            TEXT    NOT NULL,
    timezone           TEXT    NOT NULL,
    moments_channel    TEXT    NOT NULL,
    leadership_channel TEXT    NOT NULL,
    updated_at         INTEGER NOT NULL
);

CREATE TABLE org_admins (
    person_id TEXT PRIMARY KEY
);

-- Strategic pillars. Archived pillars keep their history (archived_at set).
CREATE TABLE pillars (
    key         TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL DEFAULT '',
    emoji       TEXT    NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    archived_at INTEGER
);

CREATE TABLE teams (
    key     TEXT PRIMARY KEY,
    name    TEXT NOT NULL,
    channel TEXT NOT NULL
);

CREATE TABLE team_people (
    team_key  TEXT NOT NULL REFERENCES teams (key) ON DELETE CASCADE,
    person_id TEXT NOT NULL,
    role      TEXT NOT NULL CHECK (role IN ('leader', 'member')),
    PRIMARY KEY (team_key, person_id, role)
);

-- Mission moments. A 'draft' is held back by the privacy guard until its
-- author confirms; 'deleted' keeps the row (and the Slack message reference,
-- so a late post can still be removed) but not the story.
CREATE TABLE moments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    author      TEXT    NOT NULL,
    story       TEXT    NOT NULL,
    pillar_key  TEXT    REFERENCES pillars (key),
    audience    TEXT    NOT NULL CHECK (audience IN ('channel', 'leaders')),
    status      TEXT    NOT NULL CHECK (status IN ('draft', 'shared', 'deleted')),
    -- where the post landed, once delivered
    channel     TEXT,
    ts          TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE INDEX moments_by_author ON moments (author, created_at);
CREATE INDEX moments_by_created ON moments (created_at);
CREATE INDEX moments_by_post ON moments (channel, ts);

CREATE TABLE moment_recognitions (
    moment_id INTEGER NOT NULL REFERENCES moments (id) ON DELETE CASCADE,
    person_id TEXT    NOT NULL,
    PRIMARY KEY (moment_id, person_id)
);

-- One row per (person, emoji) on a moment's post; the count is the number of rows.
CREATE TABLE moment_reactions (
    moment_id  INTEGER NOT NULL REFERENCES moments (id) ON DELETE CASCADE,
    person_id  TEXT    NOT NULL,
    reaction   TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (moment_id, person_id, reaction)
);

-- The transactional outbox: every outgoing Web API call, written in the same
-- transaction as the data it belongs to and delivered by the worker.
--   lane        calls sharing a lane (a channel) go in order, one at a time,
--               at Slack's pace; NULL lanes have no ordering constraint
--   dedupe_key  at most one pending row per key (e.g. one Home refresh per
--               user); a second request while the first is in flight sets
--               `again`, so the row is sent once more with the newest state
--   lease_until a worker's claim; a crashed worker's claim simply expires
--   expires_at  after this the call is pointless (a modal's trigger_id lives 3 s)
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    lane            TEXT,
    dedupe_key      TEXT,
    again           INTEGER NOT NULL DEFAULT 0,
    payload         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_until     INTEGER,
    expires_at      INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER
);

CREATE INDEX outbox_pending ON outbox (status, id);
CREATE UNIQUE INDEX outbox_pending_dedupe ON outbox (dedupe_key)
    WHERE status = 'pending' AND dedupe_key IS NOT NULL;

-- Events API deliveries already handled, recorded in the same transaction as
-- their effects: a retry of a handled event does nothing, a retry of one that
-- failed (rolled back) is handled.
CREATE TABLE slack_events (
    event_id    TEXT    PRIMARY KEY,
    event_type  TEXT    NOT NULL,
    received_at INTEGER NOT NULL
);
