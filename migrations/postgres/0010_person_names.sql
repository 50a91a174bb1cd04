-- PostgreSQL twin of ../0010_person_names.sql: the same tables, columns and indexes in
-- PostgreSQL's dialect (BIGINT ids and times, identity columns for SQLite's
-- INTEGER PRIMARY KEY, DOUBLE PRECISION for REAL).

-- alignbot schema, part 10: people's names (from users.info), cached so the
-- privacy guard can tell a colleague named in a story from a patient, a
-- pupil or a client, without asking the platform on the request path.
--
-- A table of its own rather than columns on person_tz: a zone there is
-- NOT NULL (a row means "zone known"), while many people have a name and no
-- zone set, and the two are refreshed on different terms (names age and
-- are looked up again; a zone changes only with a profile-change event).
CREATE TABLE person_names (
    person_id    TEXT    PRIMARY KEY,
    real_name    TEXT,               -- "Siobhan Murphy"; NULL when not set
    display_name TEXT,               -- "Siobhan"; NULL when not set
    fetched_at   BIGINT  NOT NULL    -- ms since the epoch, when last learned
);
