#!/usr/bin/env bash
# Side by side with the peers (issue 14), in one run on one machine.
#
# usage: bench/side-by-side.sh [--fresh] [BOT [BENCH]] [-- run.sh options…]
#   BOT    the alignbot binary (default: target/release/alignbot)
#   BENCH  the bench-moments binary (default: next to BOT), for --fresh
#
# Default: ../shared/bench/run.sh (oha against Bolt for JavaScript, the lean
# axum + sqlx reference, and this build as the target `alignbot`). oha
# repeats ONE signed request, and alignbot answers a repeated signed request
# as a replay (200, nothing stored): its `rows_eq_2xx` check fails by design,
# and its figures are those of the replay path.
#
# --fresh: the same three, driven by bench-moments with every request signed
# afresh (1 and 32 connections), so every target stores every story; the
# peers are started from the shared harness's copy (~/.cache/alignbot-bench).
#
# The run script sets ALIGNBOT_PRIVACY_MOMENTS_PER_HOUR=0 for run.sh only:
# oha sends every request as one person, who would reach the hourly limit
# after ten shares (bench-moments rotates people and keeps the limit on).
# The privacy guard stays on and the delivery worker runs in both.
# Needs ../shared/bench/setup.sh to have run once (oha, the peers, the limit).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FRESH=0
if [ "${1:-}" = "--fresh" ]; then FRESH=1; shift; fi
BOT=$REPO/target/release/alignbot
if [ $# -gt 0 ] && [ "$1" != "--" ]; then BOT=$1; shift; fi
BOT=$(cd "$(dirname "$BOT")" && pwd)/$(basename "$BOT")
BENCH=$(dirname "$BOT")/bench-moments
if [ $# -gt 0 ] && [ "$1" != "--" ]; then BENCH=$1; shift; fi
[ "${1:-}" = "--" ] && shift
[ -x "$BOT" ] || { echo "no alignbot binary at $BOT (cargo build --release)" >&2; exit 1; }

# The shared harness: $SHARED_BENCH, else ../shared/bench next to the
# repository (or next to the main checkout, for a git worktree).
SHARED=${SHARED_BENCH:-}
for d in "$REPO/../shared/bench" "$(git -C "$REPO" rev-parse --git-common-dir 2>/dev/null)/../../shared/bench"; do
  if [ -z "$SHARED" ] && [ -x "$d/run.sh" ]; then SHARED=$d; fi
done
[ -n "$SHARED" ] || { echo "../shared/bench not found; set SHARED_BENCH" >&2; exit 1; }

if [ $FRESH = 0 ]; then
  RUN=$(mktemp /tmp/run-alignbot.XXXXXX)
  cat > "$RUN" <<EOS
#!/bin/sh
cd "\$(mktemp -d)" && mkdir -p config && cp "$REPO/config/alignbot.toml" config/
export DATABASE_URL="sqlite://\$DB_PATH" ALIGNBOT_LISTEN="127.0.0.1:\$PORT" ALIGNBOT_SCHEDULER=off \\
       SLACK_BOT_TOKEN=xoxb-bench SLACK_API_URL=http://127.0.0.1:9/api/ RUST_LOG=warn \\
       ALIGNBOT_PRIVACY_MOMENTS_PER_HOUR=0
exec "$BOT" serve
EOS
  chmod +x "$RUN"
  EXTRA_PATH=/slack/commands exec "$SHARED/run.sh" --only limit,bolt-js,alignbot \
    --extra "$RUN" 3310 alignbot "$@"
fi

# --fresh
[ -x "$BENCH" ] || { echo "no bench-moments at $BENCH" >&2; exit 1; }
WORK=${ALIGNBOT_BENCH_DIR:-$HOME/.cache/alignbot-bench}
[ -x "$WORK/limit/target/release/moment-ack-limit" ] || { echo "run $SHARED/setup.sh first" >&2; exit 1; }
SECRET=bench-8f14e45fceea167a5a36dedd4bea2543
REQUESTS=${REQUESTS:-20000}
OUT=$(mktemp -d /tmp/side-by-side.XXXXXX)
echo "# $(date -u +%FT%TZ); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
peer() { # name dir port cmd…
  local name=$1 dir=$2 port=$3; shift 3
  (cd "$dir" && PORT=$port SLACK_SIGNING_SECRET=$SECRET DB_PATH=$OUT/$name.db \
     exec "$@") > "$OUT/$name.log" 2>&1 < /dev/null &
  local pid=$!
  for _ in $(seq 1 100); do
    curl -s -m 1 -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.2
  done
  "$BENCH" --url "http://127.0.0.1:$port/slack/events" --secret "$SECRET" --db "$OUT/$name.db" \
    --requests "$REQUESTS" --concurrency 1,32 | tee "$OUT/$name.txt" | grep -E '^\| 20|^target'
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
echo "## limit (lean reference)"
peer limit "$WORK/limit" 3301 env LIMIT_TX=one WORKERS=1 ./target/release/moment-ack-limit
echo "## bolt-js"
peer bolt-js "$WORK/peers/bolt-js" 3303 node app.js
echo "## alignbot ($BOT)"
"$BENCH" --bot "$BOT" --requests "$REQUESTS" --concurrency 1,32 | tee "$OUT/alignbot.txt" | grep -E '^\| 20'
