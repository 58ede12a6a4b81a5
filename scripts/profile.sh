#!/usr/bin/env bash
# Instructions per request for one page (numbers, not pass/fail): the release server runs under
# valgrind's callgrind with counting off, serves 20 requests uncounted (caches, pools and
# statements warm), then 100 counted. Instruction counts do not move with the machine's load, so
# two builds compare exactly where wrk's rates vary by 10% from run to run.
# Usage: scripts/profile.sh PATH [anon|customer] [requests, default 100]
# Prints instructions per request and leaves the call tree in /tmp/peakday-profile/callgrind.out
# (`callgrind_annotate --inclusive=yes /tmp/peakday-profile/callgrind.out | head -60`).
# Needs the release server: `cargo build --release -p peakday-server --bin peakday` after
# `source scripts/env.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
path="${1:?usage: scripts/profile.sh PATH [anon|customer] [requests]}"
who="${2:-customer}"
requests="${3:-100}"
source scripts/env.sh
binary="$CARGO_TARGET_DIR/release/peakday"
[ -x "$binary" ] || { echo "no release server at $binary: build it first (see the top of this script)"; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)"; exit 1; }

out=/tmp/peakday-profile
rm -rf "$out" && mkdir -p "$out"
port=3390
server=""
trap 'kill $server 2>/dev/null || true' EXIT
DATABASE_URL="sqlite://$out/profile.db" PEAKDAY_ADDR="127.0.0.1:$port" RUST_LOG=warn \
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.out" \
  "$binary" serve >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.5; done
kill -0 "$server" 2>/dev/null || { tail -5 "$out/server.log"; echo "the server did not start"; exit 1; }

headers=()
if [ "$who" = customer ]; then
  cookie=$(curl -s -o /dev/null -D - -H "Origin: http://127.0.0.1:$port" \
    --data 'email=demo@peakday.example&password=peakday-demo' "http://127.0.0.1:$port/signin" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(peakday_session=[^;]*\).*/\1/p')
  [ -n "$cookie" ] || { echo "could not sign in"; exit 1; }
  headers=(-H "Cookie: $cookie")
fi
status=$(curl -s -o /dev/null -w '%{http_code}' "${headers[@]}" "http://127.0.0.1:$port$path")
echo "GET $path as $who: $status"
for _ in $(seq 1 20); do curl -s -o /dev/null "${headers[@]}" "http://127.0.0.1:$port$path"; done
callgrind_control -z "$server" >/dev/null 2>&1
callgrind_control -i on "$server" >/dev/null 2>&1
for _ in $(seq 1 "$requests"); do curl -s -o /dev/null "${headers[@]}" "http://127.0.0.1:$port$path"; done
callgrind_control -i off "$server" >/dev/null 2>&1
# The counted requests, dumped to callgrind.out.1 (the file written at exit counts nothing).
callgrind_control -d "$server" >/dev/null 2>&1
kill "$server"; wait "$server" 2>/dev/null || true
mv "$out/callgrind.out.1" "$out/callgrind.out"
total=$(callgrind_annotate "$out/callgrind.out" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
echo "instructions per request: $((total / requests))"
# Under valgrind a run lasts minutes, so work done by the clock lands in it: a statement's first
# use on one of the pool's connections (SQLite prepares it, about 190k instructions), or the
# session's once-a-minute last-seen write. Two builds compare on the count without them.
prepared=$(callgrind_annotate --inclusive=yes "$out/callgrind.out" |
  awk '/sqlite3_prepare_v3/ { gsub(",", "", $1); print $1; exit }')
echo "of which statements prepared while counting: $((${prepared:-0} / requests)) per request"
