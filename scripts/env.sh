# Sourced by the other scripts: one build cache for every command, outside the clone (a fresh
# CI clone then reuses it), and the same compiler flags cargo-leptos uses for its dev builds, so
# `cargo leptos build` and `cargo test` share one build of the dependencies instead of two.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/peakday/target}"
export RUSTFLAGS="${RUSTFLAGS:---cfg erase_components}"
# cargo-leptos writes the site (pkg/, public files) inside the workspace; the server is told so.
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$PWD/target/site}"
export PATH="$HOME/.cargo/bin:$PATH"
