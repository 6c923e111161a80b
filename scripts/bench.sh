#!/usr/bin/env bash
# Builds Tandem and reports the figures in BENCHMARKS.md: the shipped app's size (raw, gzip,
# brotli), the keystroke-to-other-browser latency through the relay on loopback, and the long
# reliability runs: the simulation over 10,000 seeds (TANDEM_SIM_SEEDS) and each fuzz target
# for FUZZ_SECONDS (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh --test
scripts/build.sh >/dev/null
echo "==> size of the shipped app"
node tests/bench/size.mjs
echo "==> co-editing latency"
(cd tests && node bench/latency.mjs "${1:-100}")
echo "==> deterministic simulation, long mode"
TANDEM_SIM_SEEDS="${TANDEM_SIM_SEEDS:-10000}" cargo test --release -p tandem-simulation -- --nocapture
echo "==> fuzzing, ${FUZZ_SECONDS:-60} s per target"
scripts/fuzz.sh
