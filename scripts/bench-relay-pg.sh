#!/usr/bin/env bash
# Two relays on one PostgreSQL database under co-editing load, beside one relay on SQLite: for
# each client count (default 200 800 1000), `tandem-loadgen` with rooms of four, RATE edits a
# second per client for SECONDS_EACH seconds, first against a fresh relay on SQLite (as
# scripts/bench-relay.sh runs it), then one relay on a fresh PostgreSQL database, then two fresh
# relays sharing a fresh database, each room's clients split between them (so every delivery to half the room crosses relays through
# the database). PostgreSQL runs as a private cluster in a temporary folder (initdb, its own
# port, fsync and synchronous_commit on, as in production), as the `postgres` user when run as
# root, stopped at the end. Prints the load generator's figures and each relay's commit batches.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build --profile relay -p tandem-sync-server -p tandem-loadgen --bin tandem-relay --bin tandem-loadgen >/dev/null
PORT="${TANDEM_BENCH_PORT:-8790}"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL is missing: scripts/install-tools.sh --test" >&2; exit 1; }
pg_root=$(mktemp -d)
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$pg_root"
  as_pg=(runuser -u postgres --)
fi
pg() { (cd / && "${as_pg[@]}" "$pg_bin/$@"); }
pg_port=$((PORT + 10))
pg initdb -D "$pg_root/data" -U postgres --auth=trust -E UTF8 >/dev/null
pg pg_ctl -D "$pg_root/data" -l "$pg_root/log" -w \
  -o "-p $pg_port -k $pg_root -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
trap 'pg pg_ctl -D "$pg_root/data" -m fast -w stop >/dev/null; rm -rf "$pg_root"' EXIT
ulimit -n "$(ulimit -Hn)" 2>/dev/null || echo "(cannot raise the open-file limit; large runs may be refused)"

flags=(--max-connections 12000 --max-connections-per-address 0
       --messages-per-second-per-address 10000000)
# Starts a relay on $1 with the rest as extra flags; prints its pid.
start_relay() {
  local port=$1
  shift
  target/relay/tandem-relay --listen "127.0.0.1:$port" --static-dir /nonexistent "${flags[@]}" \
    "$@" >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 50); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "$pid"
}
batches() {
  curl -fs "http://127.0.0.1:$1/metrics" \
    | awk -v who="$2" '/^tandem_commit_batch_(size|seconds)_(sum|count) /{v[$1]=$2}
           END{n=v["tandem_commit_batch_size_count"]; if (n > 0)
             printf "%s: commit batches %d, mean %.1f appends, mean %.1f ms\n", who, n,
               v["tandem_commit_batch_size_sum"]/n, 1000*v["tandem_commit_batch_seconds_sum"]/n}'
}
loadgen() {
  target/relay/tandem-loadgen --clients "$1" --rate "${RATE:-10}" --seconds "${SECONDS_EACH:-10}" \
    "${@:2}" || true
}

for n in "${@:-200 800 1000}"; do
  data=$(mktemp -d)
  relay=$(start_relay "$PORT" --data-dir "$data")
  echo "==> $n clients, one relay on SQLite"
  loadgen "$n" --url "ws://127.0.0.1:$PORT/sync" --relay-pid "$relay"
  batches "$PORT" "relay"
  kill "$relay"; wait "$relay" 2>/dev/null || true
  rm -rf "$data"

  db="bench_one_$n"
  pg psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE $db"
  url="postgres://postgres@127.0.0.1:$pg_port/$db"
  relay=$(start_relay "$PORT" --database-url "$url")
  echo "==> $n clients, one relay on PostgreSQL"
  loadgen "$n" --url "ws://127.0.0.1:$PORT/sync" --relay-pid "$relay"
  batches "$PORT" "relay"
  kill "$relay"; wait "$relay" 2>/dev/null || true

  db="bench_two_$n"
  pg psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c "CREATE DATABASE $db"
  url="postgres://postgres@127.0.0.1:$pg_port/$db"
  a=$(start_relay "$PORT" --database-url "$url")
  b=$(start_relay "$((PORT + 1))" --database-url "$url")
  echo "==> $n clients, two relays on PostgreSQL (each room split between them)"
  loadgen "$n" --url "ws://127.0.0.1:$PORT/sync" --url "ws://127.0.0.1:$((PORT + 1))/sync" \
    --relay-pid "$a"
  batches "$PORT" "relay A"
  batches "$((PORT + 1))" "relay B"
  kill "$a" "$b"; wait "$a" "$b" 2>/dev/null || true
done
