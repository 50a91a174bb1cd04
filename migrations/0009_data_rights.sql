-- Data rights and the app's install state.

-- Delivery stops at once when the app is uninstalled or its tokens are
-- revoked; the data is purged once `stopped_at` is older than the
-- retention period (settings: data.retention_after_uninstall_days).
CREATE TABLE install_state (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    stopped_at INTEGER,          -- NULL while delivering
    reason     TEXT,             -- 'app_uninstalled' or 'tokens_revoked'
    purged_at  INTEGER
);

-- One row per forgotten person: their tombstone is 'UFORGOTTEN' followed by
-- this id. Nothing here says who they were.
CREATE TABLE forgotten_people (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    forgotten_at INTEGER NOT NULL
);

-- A forgotten person's moment: its story is erased and it is gone from
-- every list, but it still counts in the per-pillar totals.
ALTER TABLE moments ADD COLUMN forgotten INTEGER NOT NULL DEFAULT 0;

CREATE INDEX outbox_finished ON outbox (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX slack_events_by_time ON slack_events (received_at);
