-- The workspace pace as a sliding window in the database (PostgreSQL twin
-- of ../0020_rate_slots.sql; see there for why). Workers take a free slot
-- with FOR UPDATE SKIP LOCKED, so two replicas never wait on one slot.
CREATE TABLE rate_slots (
    slot    BIGINT PRIMARY KEY,
    free_at BIGINT NOT NULL
);
CREATE INDEX rate_slots_free ON rate_slots (free_at);

-- The cell-rate meter this replaces kept its time in lane_pace's row '+'.
DELETE FROM lane_pace WHERE lane = '+';
