-- The teams one nudge covers (PostgreSQL twin of ../0019_nudge_teams.sql;
-- see there for why).
CREATE TABLE nudge_teams (
    nudge_id BIGINT NOT NULL REFERENCES nudges (id) ON DELETE CASCADE,
    team_key TEXT   NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (nudge_id, team_key)
);
CREATE INDEX nudge_teams_team ON nudge_teams (team_key);
