#!/usr/bin/env bash
# Benchmarks (numbers, not pass/fail): the release front end's size (raw, gzip, brotli),
# requests per second for pages (each as a ratio to /healthz) on SQLite and PostgreSQL and for a
# static asset, memory under a flood of sign-ins, and saves under load.
# The server is pinned to core 0 and wrk to core 1, so they do not compete for a core.
# Usage: scripts/bench.sh [seconds per run, default 10] [connections, default 16]
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections="${2:-16}"
bash scripts/setup.sh >/dev/null
source scripts/env.sh
# Type-erased views in the release too (.cargo/config.toml): a smaller WASM
# (measured: 221.9 KB -> 211 KB brotli for WASM + JS).

echo "==> building the release (cargo leptos build --release --precompress --split)"
cargo leptos build --release --precompress --split >/tmp/peakday-bench-build.log 2>&1 ||
  { tail -40 /tmp/peakday-bench-build.log; exit 1; }
node scripts/check-wasm.mjs target/site/pkg

# Figures of a front end that does not start would be figures of nothing: every island must
# hydrate, with no error in the browser, before the bundle is measured.
echo "==> every island starts in Chromium (end2end/tests/islands.spec.ts, release build)"
(cd end2end && PEAKDAY_BIN="$CARGO_TARGET_DIR/release/peakday" npx playwright test islands.spec.ts \
  >/tmp/peakday-bench-islands.log 2>&1) ||
  { tail -40 /tmp/peakday-bench-islands.log; echo "the release front end does not start: no figures"; exit 1; }

echo
echo "==> front-end bundle (target/site/pkg)"
# The main module and its JS load on every page (the shell); the lazy alerts island's split
# module loads only on the alerts pages.
printf '%-70s %10s %10s %10s\n' file raw gzip brotli
total_br=0 shell_br=0
for file in target/site/pkg/*.wasm target/site/pkg/*.js target/site/pkg/peakday.*.css; do
  raw=$(stat -c %s "$file")
  gz=$(stat -c %s "$file.gz" 2>/dev/null || gzip -9 -c "$file" | wc -c)
  br=$(stat -c %s "$file.br" 2>/dev/null || brotli -c -q 11 "$file" | wc -c)
  printf '%-70s %10s %10s %10s\n' "$(basename "$file")" "$raw" "$gz" "$br"
  case "$(basename "$file")" in
    *.css) ;;
    peakday.*|__wasm_split.*) total_br=$((total_br + br)) shell_br=$((shell_br + br)) ;;
    *) total_br=$((total_br + br)) ;;
  esac
done
awk -v s="$shell_br" -v t="$total_br" 'BEGIN {
  printf "WASM + JS brotli, every page (the shell): %.1f KB (budget: 200 KB)\n", s / 1000
  printf "WASM + JS brotli, the whole portal:       %.1f KB (budget: 250 KB)\n", t / 1000 }'

data=$(mktemp -d)
server=""
# `|| true`: the server may be gone already, and under `set -e` a failing kill here would make
# the whole run exit 1.
trap 'kill $server 2>/dev/null || true; rm -rf "$data"' EXIT
asset=$(basename target/site/pkg/peakday.*.js)
have_postgres() { command -v psql >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }

# One wrk run: prints its latency and rate lines, and leaves the rate in $rate.
run() {
  echo
  echo "==> $1 ($duration s, $connections connections, server on core 0, wrk on core 1)"
  shift
  local out
  out=$(taskset -c 1 wrk -t1 -c"$connections" -d"${duration}s" --latency "$@")
  echo "$out" | grep -E 'Requests/sec|^ +(50|90|99)%|Non-2xx'
  rate=$(echo "$out" | awk '/Requests\/sec/ { print $2 }')
}

# Pages served from `$1` (a database URL, seeded on the server's first start): /healthz (one
# query) as the yardstick, then each page's rate and its ratio to it, so runs on different
# machines compare (issue 16's goals: /account 0.15, /account/alerts 0.1, /signin 0.35).
pages() {
  local label=$1 url=$2 port=$3
  taskset -c 0 env DATABASE_URL="$url" PEAKDAY_ADDR="127.0.0.1:$port" RUST_LOG=warn \
    "$CARGO_TARGET_DIR/release/peakday" serve >"$data/server-$port.log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  # Whatever else answers on the port (a server left running) must not be measured in its place.
  kill -0 "$server" 2>/dev/null ||
    { tail -5 "$data/server-$port.log"; echo "the release server did not start (is port $port taken?)"; exit 1; }
  local cookie
  cookie=$(curl -s -o /dev/null -D - -H "Origin: http://127.0.0.1:$port" \
    --data 'email=demo@peakday.example&password=peakday-demo' "http://127.0.0.1:$port/signin" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(peakday_session=[^;]*\).*/\1/p')
  [ -n "$cookie" ] || { echo "could not sign in"; exit 1; }
  curl -sf -H "Cookie: $cookie" "http://127.0.0.1:$port/account" | grep -q 3000012345 ||
    { echo "/account did not render the account"; exit 1; }
  run "health check /healthz (one query), $label" "http://127.0.0.1:$port/healthz"
  local health=$rate summary=""
  for page in /signin /account /account/alerts /account/programs; do
    if [ "$page" = /signin ]; then
      run "anonymous $page, $label" "http://127.0.0.1:$port$page"
    else
      run "signed-in $page, $label" -H "Cookie: $cookie" "http://127.0.0.1:$port$page"
    fi
    summary+=$(awk -v p="$page" -v r="$rate" -v h="$health" \
      'BEGIN { printf "  %-20s %9.0f req/s   %.3f of /healthz\n", p, r, r / h }')$'\n'
  done
  if [ "$label" = SQLite ]; then
    run "static asset /pkg/$asset (brotli)" -H "Accept-Encoding: br" "http://127.0.0.1:$port/pkg/$asset"
  fi
  kill "$server"; wait "$server" 2>/dev/null || true
  echo
  echo "==> pages against /healthz ($(printf '%.0f' "$health") req/s), $label"
  printf '%s' "$summary"
}

pages SQLite "sqlite://$data/bench.db" 3300
if have_postgres; then
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS peakday_bench_pages" -c "CREATE DATABASE peakday_bench_pages"
  pages PostgreSQL "postgres://postgres@127.0.0.1:5432/peakday_bench_pages" 3301
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE peakday_bench_pages WITH (FORCE)"
fi

# Memory under a flood of sign-ins: 200 at once, each for its own email from its own address,
# so every one reaches the password check (argon2id, 19 MiB each).
echo
echo "==> building bench-signin (release)"
cargo build --release -p peakday-server --bin bench-signin >/tmp/peakday-bench-build.log 2>&1 ||
  { tail -40 /tmp/peakday-bench-build.log; exit 1; }
echo
echo "==> 200 sign-ins at once: the server's memory"
"$CARGO_TARGET_DIR/release/bench-signin" --peakday "$CARGO_TARGET_DIR/release/peakday" --attempts 200

# Saving a preference change with 200 signed-in sessions at once, through the real router in
# process, on both databases: flat out, then at set rates (open loop).
echo
echo "==> building bench-saves (release)"
cargo build --release -p peakday-server --bin bench-saves >/tmp/peakday-bench-build.log 2>&1 ||
  { tail -40 /tmp/peakday-bench-build.log; exit 1; }
saves() {
  for rate in "" 500 1000; do
    RUST_LOG=error "$CARGO_TARGET_DIR/release/bench-saves" --database-url "$1" --sessions 200 \
      --seconds "$duration" ${rate:+--rate $rate} | tail -2
  done
}
echo
echo "==> saving preferences, 200 sessions, SQLite"
saves "sqlite://$data/saves.db"
if have_postgres; then
  echo
  echo "==> saving preferences, 200 sessions, PostgreSQL"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS peakday_bench" -c "CREATE DATABASE peakday_bench"
  saves "postgres://postgres@127.0.0.1:5432/peakday_bench"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE peakday_bench WITH (FORCE)"
fi
