#!/usr/bin/env bash
# Customer service's search at a real utility's size (numbers, not pass/fail): fills a SQLite
# file and a PostgreSQL database with generated accounts (1,000,000 by default; kept between
# runs, so only the first run pays for the generation), then prints latency percentiles per
# kind of query. Usage: scripts/bench-search.sh [accounts] [queries per kind]
set -euo pipefail
cd "$(dirname "$0")/.."
accounts="${1:-1000000}"
queries="${2:-200}"
bash scripts/setup.sh >/dev/null
source scripts/env.sh

echo "==> building bench-search (release)"
cargo build --release -p peakday-server --bin bench-search >/tmp/peakday-bench-build.log 2>&1 ||
  { tail -40 /tmp/peakday-bench-build.log; exit 1; }
bench="$CARGO_TARGET_DIR/release/bench-search"
data="$HOME/.cache/peakday/bench"
mkdir -p "$data"

echo
echo "==> SQLite ($data/search-$accounts.db)"
RUST_LOG=warn "$bench" --database-url "sqlite://$data/search-$accounts.db" \
  --accounts "$accounts" --queries "$queries"

if command -v psql >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  database="peakday_bench_search_$accounts"
  echo
  echo "==> PostgreSQL ($database)"
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$database'" |
    grep -q 1 || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $database"
  RUST_LOG=warn "$bench" --database-url "postgres://postgres@127.0.0.1:5432/$database" \
    --accounts "$accounts" --queries "$queries"
fi
