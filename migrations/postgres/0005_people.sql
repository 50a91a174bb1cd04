-- PostgreSQL twin of ../0005_people.sql: the same tables, columns and indexes in
-- PostgreSQL's dialect (BIGINT ids and times, identity columns for SQLite's
-- INTEGER PRIMARY KEY, DOUBLE PRECISION for REAL).

-- alignbot schema, part 5: what people asked of their nudges.

CREATE TABLE person_prefs (
    person_id        TEXT    PRIMARY KEY,
    away_until       TEXT,               -- 'YYYY-MM-DD', local date, inclusive
    mute_moments     BIGINT  NOT NULL DEFAULT 0,
    mute_progress    BIGINT  NOT NULL DEFAULT 0,
    mute_priorities  BIGINT  NOT NULL DEFAULT 0,
    updated_at       BIGINT  NOT NULL
);
