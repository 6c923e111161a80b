#!/usr/bin/env bash
# Installs what is missing and runs every test: formatting and lints (native and wasm32), the
# native unit and relay integration tests, and the browser end-to-end tests in Debian's Chromium
# against the relay started exactly as scripts/run.sh starts it.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-tools.sh --test
export PATH="$PWD/tests/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy (native)"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> cargo clippy (wasm32)"
cargo clippy -p tandem-app -p tandem-domain -p tandem-protocol -p tandem-sync-engine --all-targets --target wasm32-unknown-unknown -- -D warnings
echo "==> cargo test (native: protocol, domain, sync engine, relay, the app's browser-free parts)"
mkdir -p target
cargo test --workspace --exclude tandem-simulation 2>&1 | tee target/cargo-test.log
# The relay's integration tests again, on PostgreSQL: those that start the relay binary, each
# binary with a private cluster of its own (tests/common/postgres.rs).
pg_tests=$(grep -l 'RelayProcess::start' sync-server/tests/*.rs | xargs -n1 basename | sed 's/\.rs$//' \
  | sed 's/^/--test /' | tr '\n' ' ')
echo "==> cargo test (relay integration tests on PostgreSQL)"
# shellcheck disable=SC2086 # one word per flag
TANDEM_TEST_STORE=postgres cargo test -p tandem-sync-server $pg_tests 2>&1 | tee target/cargo-test-pg.log
cat target/cargo-test-pg.log >>target/cargo-test.log
pg_count=$(grep -oE '^test result: ok\. [0-9]+' target/cargo-test-pg.log | awk '{s += $4} END {print s + 0}')
echo "==> $pg_count relay tests ran on PostgreSQL"
echo "==> deterministic simulation (${TANDEM_SIM_SEEDS:-300} seeds; scripts/bench.sh runs 10,000)"
cargo test -p tandem-simulation -- --nocapture 2>&1 | tee -a target/cargo-test.log
# cargo test exits non-zero on failure; also refuse a run that executed nothing.
if ! grep -qE '^test result: ok\. [1-9]' target/cargo-test.log; then
  echo "cargo test ran no tests" >&2
  exit 1
fi

scripts/build.sh
echo "==> building the fake members the browser tests send against the app (tools/hostile-peer)"
cargo build -p tandem-hostile-peer
echo "==> browser end-to-end tests (Playwright, Debian Chromium)"
rm -f tests/test-results/results.json
(cd tests && npx playwright test)

# One closing line for the whole run, counted from both runners' own reports.
node tests/bench/summary.mjs target/cargo-test.log tests/test-results/results.json
