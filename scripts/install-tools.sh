#!/usr/bin/env bash
# Installs what building and testing Tandem needs and this machine lacks. Each step is skipped
# when its tool is already there at the right version, so repeated runs take seconds.
#
#   scripts/install-tools.sh          build tools (wasm target, Trunk, wasm-bindgen, wasm-opt)
#   scripts/install-tools.sh --test   the same, plus Chromium and Playwright for browser tests, and
#                                     PostgreSQL, which the relay tests start privately
#
# Afterwards, put the npm tools on PATH:  export PATH="$PWD/tests/node_modules/.bin:$PATH"
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# The CLI must match the wasm-bindgen crate exactly; Cargo.lock is the truth (app pins it with =).
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

step() { printf '\n==> %s\n' "$*"; }

# Debian packages; the package lists are refreshed once per run, and only if something is missing.
apt_updated=
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  apt-get install -y -qq "$@"
}

# Each list is read whole before grep looks at it: `grep -q` would stop reading early, and under
# pipefail the writer's broken pipe would count as a failure.
installed_targets=$(rustup target list --installed)
if ! grep -qx wasm32-unknown-unknown <<<"$installed_targets"; then
  step "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi
installed_components=$(rustup component list --installed)
for component in rustfmt clippy; do
  if ! grep -q "^$component" <<<"$installed_components"; then
    step "adding $component"
    rustup component add "$component"
  fi
done

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  step "installing Trunk $TRUNK_VERSION (compiles from source: several minutes, once per machine)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: a yanked transitive dependency in its lock file makes that fail.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  step "installing Node.js and npm from Debian"
  apt_install nodejs npm
fi

# wasm-opt (npm "binaryen") and Playwright are pinned in tests/package-lock.json.
if [ ! -x tests/node_modules/.bin/wasm-opt ] || [ ! -x tests/node_modules/.bin/playwright ] \
   || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
  step "installing npm packages (binaryen for wasm-opt, Playwright)"
  (cd tests && npm ci --no-audit --no-fund)
fi

if [ "${1:-}" = "--test" ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    step "installing Debian's chromium and chromium-driver"
    apt_install chromium chromium-driver
  fi
  # The relay tests start a cluster of their own from these binaries (initdb, pg_ctl); the
  # package's own service is not used.
  if ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && ! command -v initdb >/dev/null; then
    step "installing Debian's PostgreSQL"
    apt_install postgresql
  fi
fi
