#!/usr/bin/env bash
# Builds Tandem and reports the figures in BENCHMARKS.md: the shipped app's size (raw, gzip,
# brotli), the start-up of a returning user's home page with 20 vacancies (Lighthouse 12's mobile
# run, and warm start at 1× and 4× CPU), the keystroke-to-other-browser latency through the relay
# on loopback with where its time goes, issue 11's large vacancy (opening it, a keystroke in it),
# and the long reliability runs: the simulation over 10,000 seeds (TANDEM_SIM_SEEDS)
# and each fuzz target for FUZZ_SECONDS (scripts/fuzz.sh); and the relay's throughput under
# co-editing load at 200, 800, 1000 and 2000 clients (scripts/bench-relay.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh --test
scripts/build.sh >/dev/null
echo "==> size of the shipped app"
node tests/bench/size.mjs
echo "==> start-up: Lighthouse mobile and warm start, home page with 20 vacancies"
# Lighthouse 13 needs Node 22; 12.2.3 runs on this Node 20. Kept out of tests/package.json (the
# tests do not need it), in a folder of its own that later runs reuse.
LIGHTHOUSE_DIR="${LIGHTHOUSE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tandem-bench/lighthouse}"
if [ "$(node -p "try { require('$LIGHTHOUSE_DIR/node_modules/lighthouse/package.json').version } catch { '' }")" != 12.2.3 ]; then
  mkdir -p "$LIGHTHOUSE_DIR"
  echo '{ "private": true }' > "$LIGHTHOUSE_DIR/package.json"
  npm i -E --no-audit --no-fund --prefix "$LIGHTHOUSE_DIR" lighthouse@12.2.3 >/dev/null
fi
(cd tests && LIGHTHOUSE_DIR="$LIGHTHOUSE_DIR" CHROME_PATH=/usr/bin/chromium node bench/startup.mjs)
echo "==> co-editing latency"
(cd tests && node bench/latency.mjs "${1:-400}")
echo "==> large vacancy (200 candidates, 8,000 ratings, 20,000 text edits): open, keystroke"
cargo build --profile relay -p tandem-large-vacancy
(cd tests && node bench/large.mjs)
echo "==> relay throughput and memory under co-editing load"
scripts/bench-relay.sh
echo "==> deterministic simulation, long mode"
TANDEM_SIM_SEEDS="${TANDEM_SIM_SEEDS:-10000}" cargo test --release -p tandem-simulation -- --nocapture
echo "==> fuzzing, ${FUZZ_SECONDS:-60} s per target"
scripts/fuzz.sh
