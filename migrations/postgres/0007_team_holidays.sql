-- PostgreSQL twin of ../0007_team_holidays.sql: the same tables, columns and indexes in
-- PostgreSQL's dialect (BIGINT ids and times, identity columns for SQLite's
-- INTEGER PRIMARY KEY, DOUBLE PRECISION for REAL).

-- alignbot schema, part 7: a team's holidays (local dates, comma-separated
-- YYYY-MM-DD), from the config file. Nudges due on one wait for the team's
-- next working day.
ALTER TABLE teams ADD COLUMN holidays TEXT NOT NULL DEFAULT '';
