#!/usr/bin/env bash
# Load benchmark of POST /v1/decisions (the bare evaluator over HTTP) beside the server's own
# 404 route, the HTTP floor: requests per second with wrk (2 threads, 16 connections), with and
# without the decision log, for each `sortie` binary given, alternating binaries ROUNDS times
# (default 3) so that they are compared in the same run on this shared machine. The floor is
# measured twice: a bare GET, and the same POSTs as the decisions (wrk's script makes their
# bodies on the same two cores, which the bare GET does not pay for). With FLUSH_MS=N, binaries
# that have --decision-log-flush-ms are also measured with the log flushed every N ms.
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
    # The same POSTs (bodies made by the same script) to the 404 route: the floor for this load.
    postFloor=$(SORTIE_PATH=/no-such-route rate -s Benchmarks/service/decision.lua "http://127.0.0.1:$port")
    plain=$(rate -s Benchmarks/service/decision.lua "http://127.0.0.1:$port")
    kill -TERM "$server"; wait "$server" || true
    start_server "$binary" --decision-log "$work/decisions-$round.jsonl"
    logged=$(rate -s Benchmarks/service/decision.lua "http://127.0.0.1:$port")
    kill -TERM "$server"; wait "$server" || true
    server=""
    echo "round $round  $binary  404-route GET $floor/s POST $postFloor/s  decisions $plain/s  decisions+log $logged/s  ($(awk "BEGIN{printf \"%.0f%%, %.0f%% of the GET floor; %.0f%%, %.0f%% of the POST floor\", 100*$plain/$floor, 100*$logged/$floor, 100*$plain/$postFloor, 100*$logged/$postFloor}"))"
    # The buffered log (--decision-log-flush-ms FLUSH_MS), for the binaries that have it.
    if [ -n "${FLUSH_MS:-}" ] && "$binary" serve --help 2>&1 | grep -q -- --decision-log-flush-ms; then
      start_server "$binary" --decision-log "$work/buffered-$round.jsonl" --decision-log-flush-ms "$FLUSH_MS"
      buffered=$(rate -s Benchmarks/service/decision.lua "http://127.0.0.1:$port")
      kill -TERM "$server"; wait "$server" || true
      server=""
      echo "round $round  $binary  decisions+log flushed every ${FLUSH_MS} ms $buffered/s  ($(awk "BEGIN{printf \"%.0f%% of the GET floor; %.0f%% of the POST floor\", 100*$buffered/$floor, 100*$buffered/$postFloor}"))"
    fi
  done
done
