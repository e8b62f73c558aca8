#!/usr/bin/env bash
# Load benchmark of the conversation service on loopback: creates per second and latency with
# 16 concurrent connections (wrk, 2 threads), against a release `sortie serve` on a fresh
# SQLite store, once per durability mode. Bounded: DURATION seconds per run (default 10).
#   Benchmarks/service/run.sh            (installs wrk from Debian's packages if missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${DURATION:-10}"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product sortie >&2
work="$(mktemp -d)"
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
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
for durability in ${MODES:-full normal}; do
  rm -rf "$work/data"
  .build/release/sortie serve --policies "$work/policies" --store "sqlite:$work/data/sortie.db" \
    --decision-log "$work/data/decisions.jsonl" --sqlite-durability "$durability" --port 0 --log-level warning \
    2> "$work/serve.log" &
  server=$!
  for _ in $(seq 100); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
  port="$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")"
  echo "== SQLite, synchronous=$durability, 16 connections, ${DURATION}s"
  wrk -t2 -c16 -d"${DURATION}s" --latency -s Benchmarks/service/create.lua "http://127.0.0.1:$port" \
    | grep -E "Requests/sec|requests |p50 "
  kill -TERM $server; wait $server || true
  rows="$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from conversations").fetchone()[0])' "$work/data/sortie.db")"
  echo "conversations stored: $rows"
done
