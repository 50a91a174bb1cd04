-- PostgreSQL twin of ../0006_person_tz.sql: the same tables, columns and indexes in
-- PostgreSQL's dialect (BIGINT ids and times, identity columns for SQLite's
-- INTEGER PRIMARY KEY, DOUBLE PRECISION for REAL).

-- alignbot schema, part 6: people's time zones (from users.info), cached so
-- each nudge can wait for the job's hour in the recipient's own zone.
CREATE TABLE person_tz (
    person_id  TEXT    PRIMARY KEY,
    tz         TEXT    NOT NULL,   -- IANA name, e.g. America/Los_Angeles
    fetched_at BIGINT  NOT NULL
);
