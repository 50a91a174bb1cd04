-- The workspace pace (`delivery.max_per_second`, issue 15) as a sliding
-- window held in the database: at most N Web API calls in any one second,
-- by every worker of every process together.
--
-- A call takes one of N slots (slot 0 .. N-1, N = max_per_second) whose
-- `free_at` (ms) has passed, and holds it while the call is in flight; when
-- the call is answered the slot frees one second after the answer, so the
-- slot's next call reaches Slack more than a second after this one did.
-- Slots are created when first needed (a higher setting adds more); slots
-- at or above the current setting are ignored.
CREATE TABLE rate_slots (
    slot    INTEGER PRIMARY KEY,
    free_at INTEGER NOT NULL
);
CREATE INDEX rate_slots_free ON rate_slots (free_at);

-- The cell-rate meter this replaces kept its time in lane_pace's row '+'.
DELETE FROM lane_pace WHERE lane = '+';
