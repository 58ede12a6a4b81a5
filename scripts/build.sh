#!/usr/bin/env bash
# Builds what `run.sh` and `test.sh` serve: the front end users get (release WASM: wasm-opt'd,
# split into lazily loaded islands, precompressed) and the server in debug, the build `cargo test`
# and `cargo clippy` share. Checks the WASM would start in a browser (scripts/check-wasm.mjs).
# Assumes scripts/setup.sh ran.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh

# The front end first: it empties the site folder.
cargo leptos build --release --precompress --split --frontend-only
node scripts/check-wasm.mjs target/site/pkg
# The server finds the front end's hashed names in the site root (peakday_server::find_hash_file).
cp "$CARGO_TARGET_DIR/release/hash.txt" target/site/hash.txt
cargo leptos build --server-only
