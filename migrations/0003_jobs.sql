-- alignbot schema, part 3: scheduled job runs and the nudges they sent.

-- A job run is claimed by (job, period) before anything is sent: a restart,
-- a second instance on the same database, or a manual `alignbot jobs run`
-- can never run the same job twice for the same period.
CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    job         TEXT    NOT NULL,
    period      TEXT    NOT NULL,   -- 'YYYY-MM' in the org's time zone
    trigger     TEXT    NOT NULL CHECK (trigger IN ('schedule', 'catch-up', 'manual')),
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    summary     TEXT,
    UNIQUE (job, period)
);

-- One nudge per (job, period, person): its DM, so it can be updated in place.
CREATE TABLE nudges (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    job        TEXT    NOT NULL,
    period     TEXT    NOT NULL,
    person_id  TEXT    NOT NULL,
    channel    TEXT,
    ts         TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (job, period, person_id)
);
