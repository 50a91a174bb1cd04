-- alignbot schema, part 6: people's time zones (from users.info), cached so
-- each nudge can wait for the job's hour in the recipient's own zone.
CREATE TABLE person_tz (
    person_id  TEXT    PRIMARY KEY,
    tz         TEXT    NOT NULL,   -- IANA name, e.g. America/Los_Angeles
    fetched_at INTEGER NOT NULL
);
