#!/usr/bin/env bash
# The relay under co-editing load, side by side with y-websocket.
#
# 1. For each client count (default 200 800 1000 2000), a fresh relay (relay profile, its own
#    temporary data directory, so every append is fsynced to a real file) and `tandem-loadgen`
#    against it: rooms of four, each client sending RATE small sealed edits a second for
#    SECONDS_EACH. Prints the load generator's figures and, from the relay's /metrics, what
#    the disk did: commit batches, their size, and their commit time (median, 99th percentile,
#    longest). Then the same workload against y-websocket 1.5.4 (installed from npm into a
#    temporary directory, run with its own server) by tests/bench/yjs-loadgen.cjs.
# 2. Capacity at the latency target: for each server, client counts from SWEEP in turn until two
#    in a row miss the target (p99 above P99_MS, default 50, or less than 99% of the expected
#    deliveries); prints the most deliveries a second each kept within it, and their ratio.
#    SWEEP= (empty) skips this part.
# 3. HOLD connections (default 10,000; 0 skips) joined at once and held, each sending one edit a
#    second for two seconds: the relay's memory per connection.
# 4. The kill -9 check under load for KILL_ROUNDS rounds (default 100; the test suite runs 3):
#    acknowledged appends, none lost or stored twice.
# YJS=0 leaves y-websocket out. Connection caps are lifted for the run (all clients share one
# address).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --profile relay -p tandem-sync-server -p tandem-loadgen --bin tandem-relay --bin tandem-loadgen >/dev/null
PORT="${TANDEM_BENCH_PORT:-8790}"
YJS_PORT=$((PORT + 1))
RATE="${RATE:-10}"
SECONDS_EACH="${SECONDS_EACH:-10}"
P99_MS="${P99_MS:-50}"
SWEEP="${SWEEP-50 100 150 200 300 400 600 800 1000 1200 1400 1600 2000}"
yjs_dir=""
yjs=""
if [ "${YJS:-1}" != 0 ]; then
  yjs_dir=$(mktemp -d)
  trap '[ -n "$yjs" ] && kill "$yjs"; rm -rf "$yjs_dir"' EXIT
  (cd "$yjs_dir" && npm install --silent --no-audit --no-fund y-websocket@1.5.4 yjs ws >/dev/null)
  cp tests/bench/yjs-loadgen.cjs "$yjs_dir/"
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || echo "(cannot raise the open-file limit; large runs may be refused)"

# What the disk did during a run, from the relay's /metrics (on stdin): its commit batches (one
# transaction and one fsync each), their size (mean; the 99th percentile as the histogram's
# bucket bound, a power of two) and how long they took: median and 99th percentile interpolated
# within the histogram's buckets (steps of the square root of 2, as Prometheus's
# histogram_quantile does), and the longest.
commit_figures() {
  awk '
    /^tandem_commit_batch_(size|seconds)_bucket/ {
      name = ($1 ~ /size/) ? "size" : "secs"
      match($1, /le="[^"]*"/); le = substr($1, RSTART + 4, RLENGTH - 5)
      k = ++n[name]; bound[name, k] = le; cum[name, k] = $2 + 0
    }
    /^tandem_commit_batch_(size|seconds)_(sum|count) / { v[$1] = $2 }
    /^tandem_commit_batch_longest_seconds / { longest = $2 }
    # The value below which a share p of the observations fall, interpolated in its bucket.
    function quantile(name, p, interpolate,   i, rank, lo, prev) {
      rank = p * cum[name, n[name]]; lo = 0; prev = 0
      for (i = 1; i <= n[name]; i++) {
        if (cum[name, i] >= rank && cum[name, i] > 0) {
          if (bound[name, i] == "+Inf") return lo
          if (!interpolate) return bound[name, i] + 0
          return lo + (bound[name, i] - lo) * (rank - prev) / (cum[name, i] - prev)
        }
        lo = bound[name, i] + 0; prev = cum[name, i]
      }
      return lo
    }
    END {
      count = v["tandem_commit_batch_size_count"]
      if (count > 0)
        printf "commit batches %d: size mean %.1f, p99 <= %d; commit p50 %.2f ms, p99 %.1f ms, max %.1f ms, mean %.2f ms\n",
          count, v["tandem_commit_batch_size_sum"] / count, quantile("size", 0.99, 0),
          1000 * quantile("secs", 0.5, 1), 1000 * quantile("secs", 0.99, 1), 1000 * longest,
          1000 * v["tandem_commit_batch_seconds_sum"] / count
    }'
}

# One run of the workload with n clients against a fresh relay; prints what the load generator
# and the relay's /metrics say.
run_relay() {
  local n=$1 data relay
  data=$(mktemp -d)
  target/relay/tandem-relay --listen "127.0.0.1:$PORT" --data-dir "$data" \
    --static-dir "$data/none" --max-connections 12000 --max-connections-per-address 0 \
    --messages-per-second-per-address 10000000 >/dev/null 2>&1 &
  relay=$!
  for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  target/relay/tandem-loadgen --url "ws://127.0.0.1:$PORT/sync" --clients "$n" \
    --rate "$RATE" --seconds "$SECONDS_EACH" --relay-pid "$relay" || true
  curl -fs "http://127.0.0.1:$PORT/metrics" | commit_figures
  kill "$relay"
  wait "$relay" 2>/dev/null || true
  rm -rf "$data"
}

# The same workload against y-websocket. Its server is started once and kept for every run (each
# run's rooms are new), warmed by a short run first: a Node server in service has its JIT warm,
# and a fresh one would measure the warm-up. The relay is fresh for each run (a new data file);
# it has no warm-up to speak of.
run_yjs() {
  (cd "$yjs_dir" && node yjs-loadgen.cjs "ws://127.0.0.1:$YJS_PORT" "$1" "$RATE" \
    "$SECONDS_EACH" "$yjs" 2>/dev/null) || true
}
if [ -n "$yjs_dir" ]; then
  HOST=127.0.0.1 PORT="$YJS_PORT" node "$yjs_dir/node_modules/y-websocket/bin/server.js" \
    >/dev/null 2>&1 &
  yjs=$!
  sleep 1
  SECONDS_EACH=5 run_yjs 200 >/dev/null
fi

# From a run's output: "<deliveries/s> <share %> <p99 ms>", or nothing if it printed no figures.
figures() {
  awk '/^deliveries /{gsub(/[(%]/, "", $0); rate=$7; sub(/\/s$/, "", rate); share=$8}
       /^latency /{p99=$6}
       END{if (rate != "") print rate, share, p99}'
}

# Runs `$1 n` for each n of SWEEP until two in a row miss the target; prints the best that met it.
sweep() {
  local run=$1 name=$2 best_rate=0 best_n=0 best_p99="" misses=0 out rate share p99
  for n in $SWEEP; do
    out=$($run "$n")
    read -r rate share p99 <<<"$(figures <<<"$out")" || true
    echo "    $name, $n clients: ${rate:-?}/s, ${share:-?}% of expected, p99 ${p99:-?} ms" >&2
    # The relay's refusals and what its disk did meanwhile, so a miss can be told apart.
    grep -E '^(appends sent|commit batches)' <<<"$out" | sed 's/^/      /' >&2 || true
    if [ -n "${rate:-}" ] && awk -v s="$share" -v p="$p99" -v t="$P99_MS" 'BEGIN{exit !(s >= 99 && p <= t)}'; then
      misses=0
      if awk -v a="$rate" -v b="$best_rate" 'BEGIN{exit !(a > b)}'; then
        best_rate=$rate best_n=$n best_p99=$p99
      fi
    else
      misses=$((misses + 1))
      [ "$misses" -ge 2 ] && break
    fi
  done
  echo "$best_rate $best_n $best_p99"
}

for n in ${*:-200 800 1000 2000}; do
  echo "==> $n clients"
  run_relay "$n"
  if [ -n "$yjs_dir" ]; then
    echo "==> $n clients, y-websocket 1.5.4"
    run_yjs "$n"
  fi
done

if [ -n "$SWEEP" ]; then
  echo "==> capacity at p99 <= $P99_MS ms and >= 99% delivered (client counts: $SWEEP)"
  read -r relay_rate relay_n relay_p99 <<<"$(sweep run_relay "Tandem relay")"
  echo "Tandem relay: $relay_rate deliveries/s at $relay_n clients (p99 ${relay_p99:-–} ms)"
  if [ -n "$yjs_dir" ]; then
    read -r yjs_rate yjs_n yjs_p99 <<<"$(sweep run_yjs "y-websocket")"
    echo "y-websocket 1.5.4: $yjs_rate deliveries/s at $yjs_n clients (p99 ${yjs_p99:-–} ms)"
    awk -v a="$relay_rate" -v b="$yjs_rate" \
      'BEGIN{if (b > 0) printf "ratio: %.1f times y-websocket'\''s deliveries within the target\n", a / b}'
  fi
fi

HOLD="${HOLD:-10000}"
if [ "$HOLD" != 0 ]; then
  echo "==> $HOLD connections held at once, each sending 1 edit a second for 2 s"
  RATE=1 SECONDS_EACH=2 run_relay "$HOLD"
fi

echo "==> kill -9 under load, ${KILL_ROUNDS:-100} rounds"
TANDEM_KILL_ROUNDS="${KILL_ROUNDS:-100}" cargo test -q -p tandem-sync-server --test durability \
  appends_acknowledged_under_load -- --nocapture 2>&1 | grep -E "acknowledged appends|test result|panicked"
