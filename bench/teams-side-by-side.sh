#!/bin/sh
# Teams activities (bench-teams) beside Slack's /moment (bench-moments), from
# one session, interleaved so that the machine's noise hits both alike.
# BENCHMARKS.md, "Microsoft Teams activities (issue 16)".
#
#   cargo build --release --bins
#   bench/teams-side-by-side.sh [rounds] [bin dir]      # default: 3, target/release
#
# Prints each run's table row (the last line of each bench's output), then
# nothing else: take the medians from the rows.
set -eu
# Each connection shares every story as one person: without this the hourly
# limit holds them (bench-teams sets it for its bot itself).
export ALIGNBOT_PRIVACY_MOMENTS_PER_HOUR=0
rounds=${1:-3}
bin=${2:-target/release}
for i in $(seq "$rounds"); do
  echo "## round $i"
  echo "teams @32: $("$bin/bench-teams" --requests 20000 --concurrency 32 --warmup 1000 --bot "$bin/alignbot" | tail -n 1)"
  echo "slack @32: $("$bin/bench-moments" --requests 20000 --concurrency 32 --warmup 1000 --bot "$bin/alignbot" | tail -n 1)"
  echo "teams @1:  $("$bin/bench-teams" --requests 3000 --concurrency 1 --warmup 300 --bot "$bin/alignbot" | tail -n 1)"
  echo "slack @1:  $("$bin/bench-moments" --requests 3000 --concurrency 1 --warmup 300 --bot "$bin/alignbot" | tail -n 1)"
done
