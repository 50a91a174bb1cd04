-- alignbot schema, part 4: monthly priorities.

-- One publication per team and month; publishing again replaces its items.
CREATE TABLE priorities (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    team_key     TEXT    NOT NULL REFERENCES teams (key),
    period       TEXT    NOT NULL,   -- 'YYYY-MM' in the org's time zone
    author       TEXT    NOT NULL,
    published_at INTEGER NOT NULL,
    channel      TEXT,
    ts           TEXT,
    UNIQUE (team_key, period)
);

CREATE TABLE priority_items (
    priority_id INTEGER NOT NULL REFERENCES priorities (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    PRIMARY KEY (priority_id, position)
);
