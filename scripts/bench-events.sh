#!/usr/bin/env bash
# Peak-day benchmarks (numbers, not pass/fail), on SQLite and PostgreSQL: calling an event for a
# program with 100,000 enrolled, registered devices (reservation computed and stored, dispatch
# queued), then opt-outs by 200 signed-in customers at 500 per second offered.
# Usage: scripts/bench-events.sh [devices, default 100000] [seconds of opt-outs, default 5]
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${1:-100000}"
seconds="${2:-5}"
source scripts/env.sh
echo "==> building bench-events (release)"
cargo build --release -p peakday-server --bin bench-events >/tmp/peakday-bench-build.log 2>&1 ||
  { tail -40 /tmp/peakday-bench-build.log; exit 1; }
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
run() {
  RUST_LOG=error "$CARGO_TARGET_DIR/release/bench-events" --database-url "$1" --devices "$devices" \
    --sessions 200 --rate 500 --seconds "$seconds"
}
echo
echo "==> SQLite"
run "sqlite://$data/events.db"
if command -v psql >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  echo
  echo "==> PostgreSQL"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS peakday_bench_events" -c "CREATE DATABASE peakday_bench_events"
  run "postgres://postgres@127.0.0.1:5432/peakday_bench_events"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE peakday_bench_events WITH (FORCE)"
fi
