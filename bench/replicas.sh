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
# The server binaries come from /usr/lib/postgresql/<newest>/bin (Debian's
# `postgresql` package). initdb refuses to run as root: as root the cluster
# runs as the `postgres` user. The cluster keeps fsync=on,
# synchronous_commit=on and full_page_writes=on (PostgreSQL's and Debian's
# defaults); only the port, the socket directory, loopback listening and
# max_connections=200 are set.
set -eu

BIN=${BIN:-target/release}
RUNS=${RUNS:-3}
REQUESTS=${REQUESTS:-5000}
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
PORT=${PGPORT:-25432}
DIR=$(mktemp -d /tmp/alignbot-bench-pg.XXXXXX)

as_pg() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

[ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
as_pg "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$DIR/initdb.log"
as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w \
    -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
trap 'as_pg "$PGBIN/pg_ctl" -D "$DIR/data" -m fast stop >/dev/null; rm -rf "$DIR"' EXIT INT TERM

ADMIN="postgres://postgres@127.0.0.1:$PORT/postgres"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PORT (fsync=on, synchronous_commit=on)"
echo "other load on this machine:"; uptime

"$BIN/bench-replicas" --bot "$BIN/alignbot" --postgres-url "$ADMIN" --runs "$RUNS" --requests "$REQUESTS"

as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres bench_nudges
"$BIN/bench-nudges" --bot "$BIN/alignbot" --replicas 2 \
    --database-url "postgres://postgres@127.0.0.1:$PORT/bench_nudges"
