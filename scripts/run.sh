#!/usr/bin/env bash
# Runs Peakday on the embedded SQLite default (data/peakday.db), seeded with demo data on first
# start. Installs whatever is missing first. Extra arguments go to `peakday serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/env.sh
cargo leptos build --split
exec "$CARGO_TARGET_DIR/debug/peakday" serve "$@"
