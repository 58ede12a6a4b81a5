# Sourced by the other scripts: one build cache for every command, outside the clone (a fresh
# CI clone then reuses it). Compiler flags live in .cargo/config.toml alone: a RUSTFLAGS from
# the environment would replace them for plain cargo but be merged by cargo-leptos, and flags
# that differ give `cargo leptos build` and `cargo test` two builds of every dependency.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/peakday/target}"
unset RUSTFLAGS
# cargo-leptos writes the site (pkg/, public files) inside the workspace; the server is told so.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$PWD/target/site}"
# tools/ first: cargo-leptos runs the first `wasm-opt` on PATH, and it must be npm's binaryen 132.
export PATH="$PWD/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
