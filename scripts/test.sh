#!/usr/bin/env bash
# Runs every test: formatting and lints, unit tests, storage tests on SQLite and PostgreSQL,
# HTTP tests through the real router, and the browser journeys in Chromium. Installs whatever is
# missing first. Prints how long each step took.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS
step() { printf '\n==> %s (%ss so far)\n' "$*" "$((SECONDS - started))"; }

step "setup"
bash scripts/setup.sh
source scripts/env.sh

step "formatting"
cargo fmt --all -- --check

step "build: the release front end and the debug server (scripts/build.sh)"
bash scripts/build.sh

step "lints (clippy, warnings are errors)"
cargo clippy -p peakday-app -p peakday-server --all-targets -- -D warnings

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT

step "unit, storage (SQLite + PostgreSQL) and HTTP tests"
cargo test -p peakday-app -p peakday-server 2>&1 | tee "$logs/cargo.log"

step "browser journeys and accessibility on the release front end (Playwright, Chromium)"
(cd end2end && PEAKDAY_BIN="$CARGO_TARGET_DIR/debug/peakday" npx playwright test) 2>&1 |
  tee "$logs/playwright.log"

rust=$(grep -oE '^test result: ok\. [0-9]+ passed' "$logs/cargo.log" | awk '{ n += $4 } END { print n + 0 }')
browser=$(grep -oE '^ +[0-9]+ passed' "$logs/playwright.log" | awk '{ n += $1 } END { print n + 0 }')
step "done: $rust Rust tests and $browser browser tests"
echo "$((rust + browser)) passed, 0 failed"
