#!/usr/bin/env bash
# The relay under co-editing load: for each client count (default 200 800 1000 2000), a fresh
# relay (relay profile, its own temporary data directory, so every append is fsynced to a real
# file) and `tandem-loadgen` against it: rooms of four, each client sending RATE small sealed
# edits a second for SECONDS. Prints the load generator's figures and the relay's commit batches
# from /metrics. Connection caps are lifted for the run (all clients share one address).
# Then the same workload against y-websocket 1.5.4 (installed from npm into a temporary
# directory, run with its own server), by tests/bench/yjs-loadgen.cjs, so the figures stand side
# by side. YJS=0 skips that side. Last, the kill -9 check under load for KILL_ROUNDS rounds
# (default 100; the test suite runs 3): acknowledged appends, none lost or stored twice.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --profile relay -p tandem-sync-server -p tandem-loadgen --bin tandem-relay --bin tandem-loadgen >/dev/null
PORT="${TANDEM_BENCH_PORT:-8790}"
YJS_PORT=$((PORT + 1))
yjs_dir=""
if [ "${YJS:-1}" != 0 ]; then
  yjs_dir=$(mktemp -d)
  trap 'rm -rf "$yjs_dir"' EXIT
  (cd "$yjs_dir" && npm install --silent --no-audit --no-fund y-websocket@1.5.4 yjs ws >/dev/null)
  cp tests/bench/yjs-loadgen.cjs "$yjs_dir/"
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || echo "(cannot raise the open-file limit; large runs may be refused)"
for clients in "${@:-200 800 1000 2000}"; do
  for n in $clients; do
    data=$(mktemp -d)
    target/relay/tandem-relay --listen "127.0.0.1:$PORT" --data-dir "$data" \
      --static-dir "$data/none" --max-connections 12000 --max-connections-per-address 0 \
      --messages-per-second-per-address 10000000 >/dev/null 2>&1 &
    relay=$!
    for _ in $(seq 50); do
      curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
      sleep 0.1
    done
    echo "==> $n clients"
    target/relay/tandem-loadgen --url "ws://127.0.0.1:$PORT/sync" --clients "$n" \
      --rate "${RATE:-10}" --seconds "${SECONDS_EACH:-10}" --relay-pid "$relay" || true
    curl -fs "http://127.0.0.1:$PORT/metrics" \
      | awk '/^tandem_commit_batch_(size|seconds)_(sum|count) /{v[$1]=$2}
             END{n=v["tandem_commit_batch_size_count"]; if (n > 0)
               printf "commit batches %d, mean %.1f appends, mean %.1f ms\n", n,
                 v["tandem_commit_batch_size_sum"]/n, 1000*v["tandem_commit_batch_seconds_sum"]/n}'
    kill "$relay"
    wait "$relay" 2>/dev/null || true
    rm -rf "$data"
    if [ -n "$yjs_dir" ]; then
      HOST=127.0.0.1 PORT="$YJS_PORT" node "$yjs_dir/node_modules/y-websocket/bin/server.js" \
        >/dev/null 2>&1 &
      yjs=$!
      sleep 1
      echo "==> $n clients, y-websocket 1.5.4"
      (cd "$yjs_dir" && node yjs-loadgen.cjs "ws://127.0.0.1:$YJS_PORT" "$n" "${RATE:-10}" \
        "${SECONDS_EACH:-10}" "$yjs" 2>/dev/null) || true
      kill "$yjs"
      wait "$yjs" 2>/dev/null || true
    fi
  done
done
echo "==> kill -9 under load, ${KILL_ROUNDS:-100} rounds"
TANDEM_KILL_ROUNDS="${KILL_ROUNDS:-100}" cargo test -q -p tandem-sync-server --test durability \
  appends_acknowledged_under_load -- --nocapture 2>&1 | grep -E "acknowledged appends|test result|panicked"
