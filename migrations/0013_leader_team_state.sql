-- alignbot schema, part 13: leaders of several teams, and the organization's
-- priorities.

-- A leader's priorities state per team and month: a leader of Nursing and ICU
-- gets one DM per job with a section per team, and publishing Nursing's
-- priorities leaves ICU's section open (and reminded, and escalated) on its
-- own. Each mark is set once (the first time) and never moved.
CREATE TABLE leader_team_state (
    period       TEXT    NOT NULL,   -- 'YYYY-MM' in the org's time zone
    person_id    TEXT    NOT NULL,
    team_key     TEXT    NOT NULL,
    nudged_at    INTEGER,
    reminded_at  INTEGER,
    escalated_at INTEGER,
    published_at INTEGER,
    PRIMARY KEY (period, person_id, team_key)
);

-- The channel all staff read, where the organization's priorities go, and
-- who besides admins publishes them. Both follow the config file's `[org]`.
ALTER TABLE org ADD COLUMN staff_channel TEXT;

CREATE TABLE org_executives (
    person_id TEXT PRIMARY KEY
);

-- The organization's priorities: one publication per month; publishing
-- again replaces its items.
CREATE TABLE org_priorities (
    id           INTEGER PRIMARY KEY,
    period       TEXT    NOT NULL UNIQUE,
    author       TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    channel      TEXT,
    ts           TEXT
);

CREATE TABLE org_priority_items (
    org_priority_id INTEGER NOT NULL REFERENCES org_priorities (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    text            TEXT    NOT NULL,
    PRIMARY KEY (org_priority_id, position)
);

-- A team's priority item may serve one of the organization's priorities of
-- the same month (its 1-based number in that month's list).
ALTER TABLE priority_items ADD COLUMN org_item INTEGER;
