-- alignbot schema, part 19: the teams one nudge covers, and where a
-- thread reply counted as a comment is.
--
-- A leader of several teams gets one monthly team-update draft (and one
-- reminder) with a section per team, each posted on its own. The nudge row
-- is per (job, month, leader); this table says which teams its sections
-- are, so the DM can be re-rendered in place when one section is posted
-- and the reminder lists only the teams that had not posted. Whether a
-- team posted stays in `team_updates` (one row per team and month).
CREATE TABLE nudge_teams (
    nudge_id INTEGER NOT NULL REFERENCES nudges (id) ON DELETE CASCADE,
    team_key TEXT    NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (nudge_id, team_key)
);
CREATE INDEX nudge_teams_team ON nudge_teams (team_key);

-- A reply typed straight into a proposal's thread counts as a comment
-- (the `message.channels` event). Where it is in Slack, so that deleting it
-- there uncounts it and editing it there updates the stored text. Comments
-- sent with the Comment button have neither.
ALTER TABLE proposal_comments ADD COLUMN slack_channel TEXT;
ALTER TABLE proposal_comments ADD COLUMN slack_ts TEXT;
CREATE INDEX proposal_comments_by_slack_ts ON proposal_comments (slack_ts);
