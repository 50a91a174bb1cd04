-- alignbot schema, part 7: a team's holidays (local dates, comma-separated
-- YYYY-MM-DD), from the config file. Nudges due on one wait for the team's
-- next working day.
ALTER TABLE teams ADD COLUMN holidays TEXT NOT NULL DEFAULT '';
