-- The monthly progress update a team's leader posts to the team channel.
--
-- One row per team and month, written when the leader posts (from the
-- draft the bot sent them). The unique key is the database's guarantee
-- that two leaders pressing "Post" at once post one update: the second
-- insert conflicts and is told it was already posted. The draft itself is
-- not stored: it is composed from the goals when it is sent, so it always
-- shows the latest check-ins.
CREATE TABLE team_updates (
    id INTEGER PRIMARY KEY,
    team_key TEXT NOT NULL,
    -- The month the update was posted for (YYYY-MM); it reports on the
    -- month before.
    period TEXT NOT NULL,
    author TEXT NOT NULL,
    -- The leader's own sentence, shown as written; NULL: posted as is.
    sentence TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (team_key, period)
);

-- A measured goal added without a start ("reduce waits to 30 min") takes
-- its first check-in as the start, so "reduce to 30" runs downhill from
-- the first value instead of counting up from 0. Set when such a goal is
-- added; cleared (with a conditional UPDATE) by its first check-in.
ALTER TABLE goals ADD COLUMN start_from_first_check_in INTEGER NOT NULL DEFAULT 0;

-- Why a leader declined a proposal, posted in its thread (NULL for
-- proposals declined before the reason was asked).
ALTER TABLE proposals ADD COLUMN decline_reason TEXT;
