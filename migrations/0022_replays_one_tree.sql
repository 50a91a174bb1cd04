-- alignbot schema, part 22: the replay memory in one B-tree.
--
-- Each shared `/moment` writes its request's replay entry in the share's
-- transaction. Kept as a rowid table with a unique index on the hash and an
-- index on the expiry, one entry wrote three pages to the WAL (the table's
-- last leaf and a leaf of each index), three of the ten a lone share wrote
-- (BENCHMARKS.md, issue 14).
--
-- The expiry is a function of the request: the end of the five-minute
-- window of the timestamp its signature covers. So (expires_at,
-- signature_hash) is unique exactly when the hash is, and as the key of a
-- WITHOUT ROWID table it is the only tree: a new entry lands on the last
-- leaf (requests arrive in timestamp order), and housekeeping's prune is a
-- range at the start of the same tree. The entries of the last five
-- minutes are copied, so a copy of a request acted on just before the
-- upgrade is still refused after it.
CREATE TABLE request_replays_by_expiry (
    expires_at     INTEGER NOT NULL,
    signature_hash TEXT    NOT NULL,
    PRIMARY KEY (expires_at, signature_hash)
) WITHOUT ROWID;
INSERT INTO request_replays_by_expiry (expires_at, signature_hash)
    SELECT expires_at, signature_hash FROM request_replays;
DROP TABLE request_replays;
ALTER TABLE request_replays_by_expiry RENAME TO request_replays;
