#!/usr/bin/env bash
# Builds the app (release wasm, by Trunk, into app/dist) and the relay (target/relay/tandem-relay).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/tests/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "==> building the app (release)"
(cd app && trunk build --release --offline)
node scripts/compile-off-main.mjs app/dist
# The service worker lists this build's files, so it is written after Trunk and before compressing.
node scripts/write-sw.mjs app/dist
node scripts/precompress.mjs app/dist
echo "==> building the relay"
cargo build --profile relay -p tandem-sync-server --bin tandem-relay
