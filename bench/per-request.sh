#!/bin/sh
# What one /moment costs the bot, counted by the kernel rather than timed:
# context switches, system calls and CPU time per request, over 5 s of a
# bench-moments run (issue 14). Counts hold up on a busy machine far better
# than latencies do.
#
# usage: bench/per-request.sh BOT CONCURRENCY [VAR=value …]
#   e.g. bench/per-request.sh target/release/alignbot 1
#        bench/per-request.sh target/release/alignbot 32 TOKIO_WORKER_THREADS=1
#        BENCH=target/release/bench-moments \
#          bench/per-request.sh ~/.cache/alignbot-bench/limit/target/release/moment-ack-limit 1
# A BOT named moment-ack-limit is the lean reference of ../shared/bench
# (one SQLite transaction per request, one tokio worker, as run.sh starts
# it), driven over --url with the same workload, so "one hop" is counted
# the same way. Needs perf (perf_event_paranoid ≤ 1 or root) and python3.
set -eu
BOT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); C=$2; shift 2
BENCH=${BENCH:-$(dirname "$BOT")/bench-moments}
LOG=$(mktemp /tmp/per-request.XXXXXX)
if [ "$(basename "$BOT")" = moment-ack-limit ]; then
  SECRET=bench-8f14e45fceea167a5a36dedd4bea2543 PORT=${PORT:-3391}
  db=$(mktemp -d /tmp/per-request-limit.XXXXXX)/limit.db
  env PORT="$PORT" SLACK_SIGNING_SECRET=$SECRET DB_PATH="$db" LIMIT_TX=one WORKERS=1 "$@" \
    "$BOT" > "$LOG.peer" 2>&1 < /dev/null &
  pid=$!
  for _ in $(seq 1 50); do curl -s -m 1 -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done
  "$BENCH" --url "http://127.0.0.1:$PORT/slack/events" --secret $SECRET --db "$db" \
    --requests "${N:-200000}" --concurrency "$C" --warmup 500 > "$LOG" 2>&1 &
  B=$!
  sleep 4
else
  env "$@" "$BENCH" --requests "${N:-200000}" --concurrency "$C" --warmup 500 --bot "$BOT" > "$LOG" 2>&1 &
  B=$!
  sleep 4
  pid=$(pgrep -f "$BOT --config" | head -1)
  db=$(grep workdir: "$LOG" | awk '{print $2}')/bench.db
fi
count() { python3 -c "import sqlite3,sys; print(sqlite3.connect('file:'+sys.argv[1]+'?mode=ro',uri=True).execute('select count(*) from moments').fetchone()[0])" "$db"; }
a=$(count)
perf stat -x, -e context-switches,raw_syscalls:sys_enter,task-clock -p "$pid" -- sleep 5 2> "$LOG.stat"
b=$(count)
n=$((b - a))
kill "$B" 2>/dev/null || true
kill "$pid" 2>/dev/null || true
wait 2>/dev/null || true
# bench-moments, stopped early, leaves its folder (and a WAL of up to GBs).
rm -rf "$(dirname "$db")" "$LOG" "$LOG.peer"
# task-clock is in ms: CPU ms per request.
awk -F, -v n="$n" '{printf "%s/req %.3f  ", $3, $1/n} END {printf " (%d requests in 5 s = %d/s)\n", n, n/5}' "$LOG.stat"
rm -f "$LOG.stat"
