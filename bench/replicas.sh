#!/bin/sh
# The PostgreSQL and replicas benchmarks (issue 15), whole: starts a
# throwaway PostgreSQL cluster with its default (Debian's) durability
# settings, runs bench-replicas (signed /moment on SQLite, PostgreSQL with
# one replica and with two, interleaved) and bench-nudges (10,000 DMs
# delivered by two `serve` replicas on PostgreSQL), then stops the cluster
# and deletes it.
#
#   cargo build --release --locked --bins
#   bench/replicas.sh                  # RUNS=3 REQUESTS=5000 by default
#
# BIN names the directory of the release binaries (default target/release).
# The cluster is throwaway-pg.sh's: default durability, deleted at the end.
set -eu

BIN=${BIN:-target/release}
RUNS=${RUNS:-3}
REQUESTS=${REQUESTS:-5000}
PORT=${PGPORT:-25432}
PGDIR_PREFIX=alignbot-bench-pg
. "$(dirname "$0")/throwaway-pg.sh"

ADMIN="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PORT (fsync=on, synchronous_commit=on)"
echo "other load on this machine:"; uptime

"$BIN/bench-replicas" --bot "$BIN/alignbot" --postgres-url "$ADMIN" --runs "$RUNS" --requests "$REQUESTS"

as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres bench_nudges
"$BIN/bench-nudges" --bot "$BIN/alignbot" --replicas 2 \
    --database-url "postgres://postgres@127.0.0.1:$PORT/bench_nudges"
