#!/usr/bin/env bash
# Runs Peakday on the embedded SQLite default (data/peakday.db), seeded with demo data on first
# start. Installs whatever is missing first. Extra arguments go to `peakday serve`.
#
# Without a head-end of your own (PEAKDAY_HEAD_END_URL), a demo head-end runs beside the portal
# (end2end/head-end-stand-in.mjs, the one the browser tests use): it registers every device
# enrolled a moment later, so the demo shows devices going from pending to Registered.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
bash scripts/build.sh

if [[ -z "${PEAKDAY_HEAD_END_URL:-}" ]]; then
  addr="${PEAKDAY_ADDR:-127.0.0.1:3000}"
  head_end_port="${PEAKDAY_DEMO_HEAD_END_PORT:-3090}"
  export PEAKDAY_HEAD_END_URL="http://127.0.0.1:$head_end_port/sync"
  export PEAKDAY_HEAD_END_SECRET="${PEAKDAY_HEAD_END_SECRET:-peakday-demo-head-end-secret-32-bytes}"
  HEAD_END_PORT="$head_end_port" PORTAL_URL="http://$addr" HEAD_END_SECRET="$PEAKDAY_HEAD_END_SECRET" \
    node end2end/head-end-stand-in.mjs &
  head_end=$!
  trap 'kill "$head_end" 2>/dev/null || true' EXIT
  echo "Demo head-end at $PEAKDAY_HEAD_END_URL (set PEAKDAY_HEAD_END_URL to use a real one)."
fi
"$CARGO_TARGET_DIR/debug/peakday" serve "$@"
