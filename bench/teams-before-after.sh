#!/bin/sh
# Two builds of alignbot, interleaved (A, B, A, B, …), under bench-teams
# (Teams activities, JWT on) at 32 connections and at one: on a shared
# machine the load changes from minute to minute, so only interleaved runs
# compare. BENCHMARKS.md, "Microsoft Teams activities (issue 16)", Session 4.
#
# usage: bench/teams-before-after.sh BOT_A BOT_B [RUNS]
#   e.g. bench/teams-before-after.sh /tmp/main/alignbot target/release/alignbot 3
#   BENCH: the bench-teams binary (default: next to BOT_B)
#   REQUESTS: measured requests at 32 connections (default 20000; a tenth,
#   at least 1000, at one connection)
# Prints one table row per run and level (bench-teams' own rows, with the
# build's path in front); medians are left to the reader.
set -eu
A=$1 B=$2 RUNS=${3:-3}
BENCH=${BENCH:-$(dirname "$B")/bench-teams}
N=${REQUESTS:-20000}
N1=$((N / 10 > 1000 ? N / 10 : 1000))
echo "# $(date -u +%FT%TZ); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
i=0
while [ "$i" -lt "$RUNS" ]; do
  for bot in "$A" "$B"; do
    "$BENCH" --bot "$bot" --requests "$N" --concurrency 32 --warmup 1000 | tail -n 1 | sed "s#^#| $bot #"
    "$BENCH" --bot "$bot" --requests "$N1" --concurrency 1 --warmup 100 | tail -n 1 | sed "s#^#| $bot #"
  done
  i=$((i + 1))
done
echo "# done $(date -u +%FT%TZ); load $(cut -d' ' -f1-3 /proc/loadavg)"
