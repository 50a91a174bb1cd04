-- Privacy: taking a story down, people who asked not to be named, and
-- "post as written" overrides of the privacy guard.

-- A moment taken down: its story is erased from `moments`; this row keeps
-- only that it was removed, by whom and when (never the text).
CREATE TABLE moment_removals (
    id          INTEGER PRIMARY KEY,
    moment_id   INTEGER NOT NULL UNIQUE,
    author      TEXT    NOT NULL,
    removed_by  TEXT    NOT NULL,
    removed_at  INTEGER NOT NULL,
    -- the month of an already-sent digest that quoted it ('2026-11'), if any
    digest_sent TEXT
);

-- People who asked not to be named in future moments.
CREATE TABLE privacy_opt_outs (
    person_id  TEXT    PRIMARY KEY,
    created_at INTEGER NOT NULL
);

-- A person recognized in a moment who pressed "Don't name me".
CREATE TABLE moment_unnamed (
    moment_id  INTEGER NOT NULL,
    person_id  TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (moment_id, person_id)
);

-- "Post as written" after the guard held a story: who, when, which kinds of
-- findings (comma-separated kinds, never the text).
CREATE TABLE privacy_overrides (
    id          INTEGER PRIMARY KEY,
    person_id   TEXT    NOT NULL,
    moment_id   INTEGER,
    findings    TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);

-- Where each month's moments digest was posted, so that a takedown can
-- update it in place (chat.update) instead of asking an admin.
CREATE TABLE digest_posts (
    month     TEXT    PRIMARY KEY,
    channel   TEXT    NOT NULL,
    ts        TEXT    NOT NULL
);

CREATE INDEX privacy_overrides_by_time ON privacy_overrides (created_at);
