-- alignbot schema, part 8: priorities linked to goals, and the review of
-- last month's priorities that comes with each publication.
ALTER TABLE priority_items ADD COLUMN goal_id INTEGER REFERENCES goals (id);

CREATE TABLE priority_reviews (
    priority_id INTEGER NOT NULL REFERENCES priorities (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    outcome     TEXT    NOT NULL CHECK (outcome IN ('done', 'carried-over', 'dropped')),
    PRIMARY KEY (priority_id, position)
);
