-- PostgreSQL twin of ../0008_priority_links.sql: the same tables, columns and indexes in
-- PostgreSQL's dialect (BIGINT ids and times, identity columns for SQLite's
-- INTEGER PRIMARY KEY, DOUBLE PRECISION for REAL).

-- alignbot schema, part 8: priorities linked to goals, and the review of
-- last month's priorities that comes with each publication.
ALTER TABLE priority_items ADD COLUMN goal_id BIGINT  REFERENCES goals (id);

CREATE TABLE priority_reviews (
    priority_id BIGINT  NOT NULL REFERENCES priorities (id) ON DELETE CASCADE,
    position    BIGINT  NOT NULL,
    text        TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('done', 'carried-over', 'dropped')),
    PRIMARY KEY (priority_id, position)
);
