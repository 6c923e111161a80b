#!/usr/bin/env bash
# Fuzzes everything Tandem reads from outside (relay frames, sealed envelopes, share links,
# document bytes) with cargo-fuzz / libFuzzer, each target for a bounded time, one after another.
#
#   scripts/fuzz.sh                      # every target, 60 s each
#   FUZZ_SECONDS=600 scripts/fuzz.sh doc_load
#
# FUZZ_SECONDS    fuzzing time per target (default 60; building comes on top)
# FUZZ_SANITIZER  none (default) or address. Everything fuzzed is safe Rust, so what we hunt is
#                 panics, which need no sanitizer; AddressSanitizer costs about half the speed.
#
# Prints, per target, the executions done, their rate and whether it crashed; exits non-zero if
# any target crashed. A crashing input is written to fuzz/artifacts/<target>/; reproduce it with
# `cargo fuzz run <target> <file>`, fix the cause and keep the input as a regression test in the
# crate that owns the code. Not part of the test suite: run it by hand (under `nice` on a shared
# machine) and put the figures in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-none}"
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(frame_decode envelope_open link_parse doc_load)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
# cargo fuzz needs -Z flags: a nightly toolchain if there is one, else the stable compiler told
# to allow them.
if rustup run nightly rustc --version >/dev/null 2>&1; then
  fuzz=(cargo +nightly fuzz)
else
  export RUSTC_BOOTSTRAP=1
  fuzz=(cargo fuzz)
fi

echo "==> seed corpus"
cargo run --quiet --manifest-path fuzz/Cargo.toml --example seed_corpus -- fuzz/corpus

logs=fuzz/target/logs
mkdir -p "$logs"
summary=()
crashed=0
for target in "${targets[@]}"; do
  echo "==> building $target"
  "${fuzz[@]}" build --sanitizer "$sanitizer" "$target"
  echo "==> fuzzing $target for ${seconds}s (log: $logs/$target.log)"
  status=0
  "${fuzz[@]}" run --sanitizer "$sanitizer" "$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -timeout=30 -print_final_stats=1 >"$logs/$target.log" 2>&1 ||
    status=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logs/$target.log" | tail -n1 | grep -o '[0-9]*$' || true)
  if [ -z "$runs" ]; then
    runs=$(grep -o 'Done [0-9]* runs' "$logs/$target.log" | tail -n1 | grep -o '[0-9]\+' || true)
  fi
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$logs/$target.log" | tail -n1 | grep -o '[0-9]*$' || true)
  corpus=$(find "fuzz/corpus/$target" -type f | wc -l)
  if [ "$status" -eq 0 ]; then
    result="no crash"
  else
    crashed=1
    artifact=$(grep -o 'Test unit written to [^ ]*' "$logs/$target.log" | tail -n1 | sed 's/Test unit written to //' || true)
    result="CRASHED (exit $status${artifact:+, input $artifact}); see $logs/$target.log"
    grep -m3 -E 'panicked at|ERROR: libFuzzer' "$logs/$target.log" || true
  fi
  summary+=("$(printf '%-14s %12s runs %8s exec/s %6s inputs in corpus   %s' \
    "$target" "${runs:-?}" "${rate:-?}" "$corpus" "$result")")
done

echo "==> fuzzing summary (${seconds}s per target, sanitizer $sanitizer)"
printf '%s\n' "${summary[@]}"
exit "$crashed"
