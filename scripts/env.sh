# Sourced by the other scripts: one build cache for every command, outside the clone (a fresh
# CI clone then reuses it). Compiler flags live in .cargo/config.toml, not in RUSTFLAGS:
# cargo-leptos appends its own `--cfg erase_components` to RUSTFLAGS, and a doubled flag would
# give `cargo leptos build` and `cargo test` different fingerprints and two builds of everything.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/peakday/target}"
unset RUSTFLAGS
# cargo-leptos writes the site (pkg/, public files) inside the workspace; the server is told so.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$PWD/target/site}"
export PATH="$HOME/.cargo/bin:$PATH"
