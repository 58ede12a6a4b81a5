#!/usr/bin/env bash
# Installs every tool Peakday needs to build, run and test, skipping what is already there.
# Versions (README, Setup): cargo-leptos 0.3.10 (0.3.11 needs a newer rustc), the wasm-bindgen
# CLI equal to Cargo.lock's wasm-bindgen, npm's binaryen 132 for wasm-opt (Debian's 108 breaks the
# release WASM), Debian's chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[setup] %s\n' "$*"; }

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v oha >/dev/null 2>&1 || command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v brotli >/dev/null 2>&1 || need_apt+=(brotli)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  # Its release profile asks for fat LTO and one codegen unit, which a build tool does not need
  # (measured on 2 cores: 11 min 42 s without them, 12 min 24 s with).
  log "building cargo-leptos 0.3.10 (about 12 minutes on 2 cores, once per machine)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version 0.3.10 --locked
fi

# The CLI must equal the wasm-bindgen version resolved in Cargo.lock.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock 2>/dev/null || true)
bindgen_version=${bindgen_version:-0.2.130}
if ! wasm-bindgen --version 2>/dev/null | grep -q "$bindgen_version"; then
  log "building wasm-bindgen-cli $bindgen_version (about 2 minutes, once per machine)"
  # Without --locked: its lock file names a crate version the registry here lacks.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$bindgen_version"
fi

# PostgreSQL runs on machines of this kind; the storage tests need it at 127.0.0.1:5432.
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    log "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
fi

# wasm-opt from npm's binaryen 132, in tools/ (scripts/env.sh puts it first on PATH). Debian's
# binaryen 108 exports wasm-bindgen's externref table as the funcref one: the release WASM then
# fails at start on every page (scripts/check-wasm.mjs catches it after each build).
if ! tools/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q 'version 132'; then
  log "installing wasm-opt (npm ci in tools/)"
  (cd tools && npm ci --no-audit --no-fund)
fi

if [ -f end2end/package-lock.json ] && [ ! -d end2end/node_modules/@playwright/test ]; then
  log "installing Playwright (npm ci in end2end/)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi
log "tools ready"
