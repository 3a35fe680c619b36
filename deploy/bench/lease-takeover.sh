#!/usr/bin/env bash
# Time from a node's death (SIGKILL) to its job running on another node (docs/benchmarks.md,
# "Lease takeover"). Two thawd nodes on one database of a throwaway PostgreSQL cluster, one shared
# --artifacts directory; node a runs a Fashion-MNIST job, is killed once it stored a checkpoint, and
# the clock stops when GET /v1/jobs/{id} on node b shows the job running on b.
#   deploy/pg-test-cluster.sh deploy/bench/lease-takeover.sh [--heartbeat S --lease-timeout S]
# Needs .build/debug/thawd (swift build) and Debian's dataset-fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/../.."
flags=("$@")
[ $# -eq 0 ] && flags=(--heartbeat 5 --lease-timeout 30)
work=$(mktemp -d /tmp/thaw-lease-bench.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
db=lease_bench_$$
psql "$THAW_TEST_POSTGRES_URI" -qc "CREATE DATABASE $db"
uri="${THAW_TEST_POSTGRES_URI%/*}/$db"
start() {
    mkdir -p "$work/$1"
    .build/debug/thawd --port 0 --data-dir "$work/$1" --store "$uri" --node-id "$1" --artifacts "$work/artifacts" \
        --blas-threads 1 "${flags[@]}" > "$work/$1.log" 2>&1 &
    pids+=($!)
    until grep -q 'listening on' "$work/$1.log"; do sleep 0.1; done
}
port() { grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/$1.log" | grep -o '[0-9]*$'; }
field() { python3 -c "import sys, json; print(json.load(sys.stdin)$1)"; }
start a
A=$(port a)
model=$(curl -sS -X POST "localhost:$A/v1/models" -d '{"name":"b","architecture":"small-cnn"}' | field '["id"]')
job=$(curl -sS -X POST "localhost:$A/v1/jobs" -d '{"name":"takeover","model":{"id":"'"$model"'"},"num_classes":5,
  "dataset":{"id":"fashion-mnist","classes":[5,6,7,8,9],"per_class":30,"validation_fraction":0.2,"seed":1},
  "phases":[{"name":"head","trainable":["head"],"epochs":1,"lr":0.003},{"name":"ft","trainable":"all","epochs":6,"lr":0.001}],
  "batch_size":16,"seed":42}' | field '["id"]')
start b
B=$(port b)
until curl -sS "localhost:$B/v1/jobs/$job/events?format=json" | grep -q '"checkpoint"'; do sleep 0.1; done
kill -9 "${pids[0]}"
t0=$(date +%s.%N)
until curl -sS "localhost:$B/v1/jobs/$job" | python3 -c 'import sys, json; j = json.load(sys.stdin); sys.exit(0 if j["node"] == "b" and j["status"] == "running" else 1)'; do
    sleep 0.05
done
t1=$(date +%s.%N)
echo "${flags[*]}: node death to its job running elsewhere: $(python3 -c "print(round($t1 - $t0, 2))") s"
curl -sS "localhost:$B/v1/jobs/$job" | field '["attempts"]' | sed 's/^/attempts: /'
