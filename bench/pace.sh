#!/bin/sh
# The workspace pace against a strict per-second limit (issue 15): the
# 10,000-person moments nudge delivered to bench-nudges' fake Slack (100
# chat.postMessage per sliding second, 429 + Retry-After: 1 beyond), at the
# bot's pace of 80, in three configurations run interleaved RUNS times:
#   - in-process worker on SQLite (bench-nudges alone);
#   - one `serve` replica on PostgreSQL;
#   - two `serve` replicas on PostgreSQL.
# Starts a throwaway PostgreSQL cluster (as bench/replicas.sh does), a fresh
# database per run, and removes it at the end. Prints each run's table row.
#
#   cargo build --release --locked --bins
#   bench/pace.sh                  # RUNS=3 TEAMS=100 TEAM_SIZE=100 PACE=80
#   CONFIGS=pg2 PACE=100 RUNS=1 bench/pace.sh    # one configuration only
#
# BIN names the directory of the release binaries (default target/release).
set -eu

BIN=${BIN:-target/release}
RUNS=${RUNS:-3}
TEAMS=${TEAMS:-100}
TEAM_SIZE=${TEAM_SIZE:-100}
PACE=${PACE:-80}
CONFIGS=${CONFIGS:-sqlite pg1 pg2}
PORT=${PGPORT:-25433}
PGDIR_PREFIX=alignbot-bench-pace
. "$(dirname "$0")/throwaway-pg.sh"

echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PORT; pace $PACE, fake limit 100/s, $TEAMS x $TEAM_SIZE people"
COMMON="--teams $TEAMS --team-size $TEAM_SIZE --pace $PACE --slack-limit 100"
run=1
while [ "$run" -le "$RUNS" ]; do
    for config in $CONFIGS; do
        echo "== run $run: $config ($(uptime | sed 's/.*load average/load average/'))"
        case $config in
        sqlite) "$BIN/bench-nudges" $COMMON | tail -n 1 ;;
        pg*)
            n=${config#pg}
            db="bench_pace_${run}_$n"
            as_pg "$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$db"
            "$BIN/bench-nudges" $COMMON --bot "$BIN/alignbot" --replicas "$n" \
                --database-url "postgres://postgres@127.0.0.1:$PORT/$db" | tail -n 1
            ;;
        esac
    done
    run=$((run + 1))
done
