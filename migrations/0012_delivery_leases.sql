-- Delivery for several processes on one database (issues 10 and 15).
--
-- outbox.claimed_by  the worker holding the row's lease (`lease_until`); every
--                    update that finishes a send is fenced on both, so a worker
--                    whose lease ran out cannot overwrite another's outcome
ALTER TABLE outbox ADD COLUMN claimed_by TEXT;

-- Pacing shared by every worker: a channel (lane) may be sent to again at
-- `next_send_at` (ms). The lane '*' is the whole workspace: a 429's
-- Retry-After pauses every worker through it.
CREATE TABLE lane_pace (
    lane         TEXT    PRIMARY KEY,
    next_send_at INTEGER NOT NULL
);
CREATE INDEX lane_pace_next ON lane_pace (next_send_at);

-- Delivery paused because Slack refused the token (invalid_auth,
-- token_revoked, 401/403, a proxy's 404). Rows stay pending; one worker asks
-- auth.test at `next_check_at` (with backoff) and clears the row when the
-- token works again. An uninstall (install_state) is a different thing: only a
-- verified event starts the retention clock there.
CREATE TABLE delivery_auth (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    paused_at     INTEGER NOT NULL,
    error         TEXT    NOT NULL,
    checks        INTEGER NOT NULL DEFAULT 0,
    next_check_at INTEGER NOT NULL
);

-- Signed requests already acted on: the SHA-256 of the X-Slack-Signature
-- header, kept until the request's timestamp leaves the five-minute window
-- (then Slack's signature check refuses it anyway). Pruned by housekeeping.
CREATE TABLE request_replays (
    signature_hash TEXT    PRIMARY KEY,
    expires_at     INTEGER NOT NULL
);
CREATE INDEX request_replays_expiry ON request_replays (expires_at);
