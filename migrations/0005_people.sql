-- alignbot schema, part 5: what people asked of their nudges.

CREATE TABLE person_prefs (
    person_id        TEXT    PRIMARY KEY,
    away_until       TEXT,               -- 'YYYY-MM-DD', local date, inclusive
    mute_moments     INTEGER NOT NULL DEFAULT 0,
    mute_progress    INTEGER NOT NULL DEFAULT 0,
    mute_priorities  INTEGER NOT NULL DEFAULT 0,
    updated_at       INTEGER NOT NULL
);
