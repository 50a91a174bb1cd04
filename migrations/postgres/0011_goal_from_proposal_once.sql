-- PostgreSQL twin of ../0011_goal_from_proposal_once.sql: the same tables, columns and indexes in
-- PostgreSQL's dialect (BIGINT ids and times, identity columns for SQLite's
-- INTEGER PRIMARY KEY, DOUBLE PRECISION for REAL).

-- A goal comes from a proposal once.
--
-- Two leaders approving the same proposal at once used to make two goals.
-- The app now decides a proposal with a conditional UPDATE (only an open
-- proposal can be decided); this unique index is the database's own
-- guarantee behind it, so no other path can link a second goal to one
-- proposal. Partial, because goals added directly have no proposal; the
-- syntax is the same in SQLite and PostgreSQL.
--
-- Databases that already hold duplicates from the race keep every goal
-- (nothing is deleted: people may have checked in on them), but only one
-- stays linked to its proposal: the one the proposal names, else the first.
-- The others become ordinary goals that a leader can close as dropped.
UPDATE goals
SET proposal_id = NULL
WHERE proposal_id IS NOT NULL
  AND id <> COALESCE(
      (SELECT p.goal_id FROM proposals p
        WHERE p.id = goals.proposal_id
          AND p.goal_id IN (SELECT g.id FROM goals g WHERE g.proposal_id = goals.proposal_id)),
      (SELECT MIN(g.id) FROM goals g WHERE g.proposal_id = goals.proposal_id));

CREATE UNIQUE INDEX goals_from_proposal_once ON goals (proposal_id)
    WHERE proposal_id IS NOT NULL;
