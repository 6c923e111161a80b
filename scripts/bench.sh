#!/usr/bin/env bash
# Builds Tandem and reports the figures in BENCHMARKS.md: the shipped app's size (raw, gzip,
# brotli), the keystroke-to-other-browser latency through the relay on loopback, and the long
# reliability runs: the simulation over 10,000 seeds (TANDEM_SIM_SEEDS) and each fuzz target
# for FUZZ_SECONDS (scripts/fuzz.sh); and the relay's throughput under co-editing load at 200,
# 800, 1000 and 2000 clients (scripts/bench-relay.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh --test
scripts/build.sh >/dev/null
echo "==> size of the shipped app"
node tests/bench/size.mjs
echo "==> co-editing latency"
(cd tests && node bench/latency.mjs "${1:-100}")
echo "==> relay throughput and memory under co-editing load"
scripts/bench-relay.sh
echo "==> deterministic simulation, long mode"
TANDEM_SIM_SEEDS="${TANDEM_SIM_SEEDS:-10000}" cargo test --release -p tandem-simulation -- --nocapture
echo "==> fuzzing, ${FUZZ_SECONDS:-60} s per target"
scripts/fuzz.sh
