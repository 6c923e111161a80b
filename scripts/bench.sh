#!/usr/bin/env bash
# Builds Tandem and reports the figures in BENCHMARKS.md: the shipped app's size (raw, gzip,
# brotli) and the keystroke-to-other-browser latency through the relay on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh --test
scripts/build.sh >/dev/null
echo "==> size of the shipped app"
node tests/bench/size.mjs
echo "==> co-editing latency"
(cd tests && node bench/latency.mjs "${1:-100}")
