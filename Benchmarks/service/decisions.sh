#!/usr/bin/env bash
# Load benchmark of POST /v1/decisions (the bare evaluator over HTTP) beside the server's own
# 404 route, the HTTP floor: requests per second with wrk (2 threads, 16 connections), with and
# without the decision log, for each `sortie` binary given, alternating binaries ROUNDS times
# (default 3) so that they are compared in the same run on this shared machine.
#   Benchmarks/service/decisions.sh [SORTIE_BINARY...]   (default: a release build of the tree)
# Bounded: DURATION seconds per measurement (default 8). Installs wrk if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${DURATION:-8}"
ROUNDS="${ROUNDS:-3}"
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || sudo apt-get install -y -qq wrk >/dev/null; }
if [ $# -eq 0 ]; then
  swift build -c release --product sortie >&2
  set -- .build/release/sortie
fi
work="$(mktemp -d)"
server=""
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/policies"
sed -n '/^apiVersion/,/^YAML$/p' Benchmarks/service/run.sh | sed '$d' > "$work/policies/bench.yaml"
start_server() {
  local log="$work/serve.log"
  "$1" serve --policies "$work/policies" --store "sqlite:$work/data-$RANDOM/sortie.db" --port 0 --log-level warning "${@:2}" > /dev/null 2> "$log" &
  server=$!
  for _ in $(seq 100); do grep -q "listening on http://" "$log" && break; sleep 0.1; done
  port="$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$log")"
}
rate() { wrk -t2 -c16 -d"${DURATION}s" "$@" | sed -n 's/Requests\/sec: *\([0-9.]*\)/\1/p'; }
for round in $(seq "$ROUNDS"); do
  for binary in "$@"; do
    start_server "$binary" --no-decision-log
    floor=$(rate "http://127.0.0.1:$port/no-such-route")
    plain=$(rate -s Benchmarks/service/decision.lua "http://127.0.0.1:$port")
    kill -TERM "$server"; wait "$server" || true
    start_server "$binary" --decision-log "$work/decisions-$round.jsonl"
    logged=$(rate -s Benchmarks/service/decision.lua "http://127.0.0.1:$port")
    kill -TERM "$server"; wait "$server" || true
    server=""
    echo "round $round  $binary  404-route $floor/s  decisions $plain/s  decisions+log $logged/s  ($(awk "BEGIN{printf \"%.0f%%, %.0f%%\", 100*$plain/$floor, 100*$logged/$floor}") of the floor)"
  done
done
