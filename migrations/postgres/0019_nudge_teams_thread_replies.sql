-- The teams one nudge covers (PostgreSQL twin of ../0019_nudge_teams_thread_replies.sql;
-- see there for why).
CREATE TABLE nudge_teams (
    nudge_id BIGINT NOT NULL REFERENCES nudges (id) ON DELETE CASCADE,
    team_key TEXT   NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (nudge_id, team_key)
);
CREATE INDEX nudge_teams_team ON nudge_teams (team_key);

-- Where a reply typed into a proposal's thread is in Slack (see
-- ../0019_nudge_teams_thread_replies.sql).
ALTER TABLE proposal_comments ADD COLUMN slack_channel TEXT;
ALTER TABLE proposal_comments ADD COLUMN slack_ts TEXT;
CREATE INDEX proposal_comments_by_slack_ts ON proposal_comments (slack_ts);
