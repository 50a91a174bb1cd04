-- Plan years: how a goal's year ended, and the goal it carries over.
--
-- `plan_year` (since 0002) names the year a goal belongs to; with
-- `[org] plan_year_start` other than January it is the calendar year the plan
-- year ends in. Existing goals keep the year they were given at creation.
--
-- `outcome` says how a closed goal ended: 'achieved' (met), 'dropped',
-- 'not-met', 'carried-over', or 'not-reported' (closed by the year's turn
-- because nobody chose); NULL while active and for goals closed before this
-- migration. `status` stays 'achieved' or 'dropped' so every reader keeps
-- working: only 'achieved' is ever met.
ALTER TABLE goals ADD COLUMN outcome TEXT;

-- The goal of last year this one carries over. Unique: a goal is carried
-- over once, however many presses or runs race to do it.
ALTER TABLE goals ADD COLUMN carried_from INTEGER REFERENCES goals (id);
CREATE UNIQUE INDEX goals_carried_once ON goals (carried_from);
