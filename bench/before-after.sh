#!/bin/sh
# Two builds of alignbot, interleaved (A, B, A, B, …), with bench-moments at
# 1 and 32 connections: on a shared machine the load changes from minute to
# minute, so only interleaved runs compare (issue 14).
#
# usage: bench/before-after.sh BOT_A BOT_B [RUNS] [-- bench-moments options…]
#   e.g. bench/before-after.sh /tmp/main/alignbot target/release/alignbot 3
#   BENCH: the bench-moments binary (default: next to BOT_B)
#   REQUESTS: measured requests per level (default 20000)
# Prints one table row per run and level (bench-moments' own rows, with the
# build's name in front); medians are left to the reader.
set -eu
A=$1 B=$2; shift 2
RUNS=3
if [ $# -gt 0 ] && [ "$1" != "--" ]; then RUNS=$1; shift; fi
[ "${1:-}" = "--" ] && shift
BENCH=${BENCH:-$(dirname "$B")/bench-moments}
echo "# $(date -u +%FT%TZ); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| build | date | nproc | requests | concurrency | req/s | p50 ms | p90 ms | p99 ms | max ms | peak RSS MB | 2xx | non-2xx | delivered/s | rows == 2xx |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
i=0
while [ "$i" -lt "$RUNS" ]; do
  for bot in "$A" "$B"; do
    "$BENCH" --bot "$bot" --requests "${REQUESTS:-20000}" --concurrency 1,32 "$@" 2>&1 |
      grep -E '^\| 20' | sed "s#^#| $bot #"
  done
  i=$((i + 1))
done
echo "# done $(date -u +%FT%TZ); load $(cut -d' ' -f1-3 /proc/loadavg)"
