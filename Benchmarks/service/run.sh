#!/usr/bin/env bash
# Load benchmark of the conversation service on loopback: creates per second and latency with
# 16 concurrent connections in all (wrk), against release `sortie serve` processes.
#   Benchmarks/service/run.sh            SQLite, a fresh file, once per durability mode
#   Benchmarks/service/run.sh postgres   PostgreSQL (a private cluster on loopback, as
#                                        scripts/test starts it), one then two instances
#                                        on one database, 16 connections split between them
# Bounded: DURATION seconds per run (default 10). Installs wrk from Debian's packages if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${DURATION:-10}"
STORE="${1:-sqlite}"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product sortie >&2
work="$(mktemp -d)"
servers=()
cleanup() {
  for pid in "${servers[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
  if declare -f stop_postgres_test_cluster >/dev/null; then stop_postgres_test_cluster; fi
}
trap cleanup EXIT
mkdir -p "$work/policies"
cat > "$work/policies/bench.yaml" <<'YAML'
apiVersion: sortie/v1
kind: Tenant
metadata: { name: bench }
spec:
  digitalChannels: true
  licenses: { premium: { outbound: true } }
  agentStates: [available]
  defaultProfile: bench
---
apiVersion: sortie/v1
kind: OutboundPolicy
metadata: { name: outbound }
spec: { allowedAgentStates: [available], wrapUpReasons: [done] }
---
apiVersion: sortie/v1
kind: MultimediaProfile
metadata: { name: bench }
spec: { channels: { sms: { maxOutboundTasks: 1000 }, email: { maxOutboundTasks: 1000 } } }
---
apiVersion: sortie/v1
kind: EntryPoint
metadata: { name: bench-sms }
spec: { channel: sms, address: "+33186950000" }
YAML
# Starts `sortie serve` with the given arguments; sets `port` to the port it listens on.
start_server() {
  local log="$work/serve-${#servers[@]}.log"
  .build/release/sortie serve --policies "$work/policies" --port 0 --log-level warning "$@" > /dev/null 2> "$log" &
  servers+=($!)
  for _ in $(seq 100); do grep -q "listening on http://" "$log" && break; sleep 0.1; done
  port="$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")"
}

if [ "$STORE" = postgres ]; then
  source scripts/postgres-test-cluster
  trap cleanup EXIT
  psql_url="$SORTIE_TEST_POSTGRES_URL"
  for instances in ${INSTANCES:-1 2}; do
    db="bench_$instances"
    psql -q "$psql_url" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
    url="${psql_url%/*}/$db"
    ports=()
    for i in $(seq "$instances"); do start_server --store "$url" --decision-log "$work/decisions-$i.jsonl"; ports+=("$port"); done
    echo "== PostgreSQL, $instances instance(s), 16 connections in all, ${DURATION}s"
    wrks=()
    for i in $(seq "$instances"); do
      wrk -t1 -c$((16 / instances)) -d"${DURATION}s" --latency -s Benchmarks/service/create.lua \
        "http://127.0.0.1:${ports[$((i - 1))]}" -- $((5 + i)) > "$work/wrk-$i.out" &
      wrks+=($!)
    done
    wait "${wrks[@]}"
    for i in $(seq "$instances"); do echo "instance $i:"; grep -E "Requests/sec|requests |p50 " "$work/wrk-$i.out"; done
    for pid in "${servers[@]}"; do kill -TERM "$pid"; wait "$pid" || true; done
    servers=()
    echo "conversations stored: $(psql -tA "$url" -c 'select count(*) from conversations')"
  done
  exit 0
fi

for durability in ${MODES:-full normal}; do
  rm -rf "$work/data"
  start_server --store "sqlite:$work/data/sortie.db" --decision-log "$work/data/decisions.jsonl" \
    --sqlite-durability "$durability"
  echo "== SQLite, synchronous=$durability, 16 connections, ${DURATION}s"
  wrk -t2 -c16 -d"${DURATION}s" --latency -s Benchmarks/service/create.lua "http://127.0.0.1:$port" \
    | grep -E "Requests/sec|requests |p50 "
  kill -TERM "${servers[0]}"; wait "${servers[0]}" || true
  servers=()
  rows="$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from conversations").fetchone()[0])' "$work/data/sortie.db")"
  echo "conversations stored: $rows"
done
