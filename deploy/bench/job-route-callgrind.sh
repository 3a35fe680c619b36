#!/usr/bin/env bash
# Instructions per request of a release thawd's GET /healthz and GET /v1/jobs/{id} (a finished job),
# counted by valgrind's callgrind: unlike requests/s, the count does not move with the load other
# processes put on the machine, so it is the before/after figure for the job route (#15).
# Usage: deploy/bench/job-route-callgrind.sh [requests=2000] [out-dir]
# Needs: valgrind and binutils (apt-get install -y valgrind binutils), python3, curl, Fashion-MNIST
# (deploy/setup.sh).
# Builds thawd in release mode unless THAWD points at a binary. Loopback only.
# Prints one line per route ("route instructions/request") and leaves the callgrind files in out-dir
# for callgrind_annotate.
set -euo pipefail
requests="${1:-2000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/thaw-callgrind.XXXXXX)"
out="${2:-$work/out}"
mkdir -p "$out"
port=18492
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    wait 2>/dev/null || true
    rm -rf "$work/thawd"
}
trap cleanup EXIT

if [ -z "${THAWD:-}" ]; then
    (cd "$root" && swift build -c release --product thawd >/dev/null)
    THAWD="$root/.build/release/thawd"
fi
# valgrind 3.19 gives up on Swift 6.3's DWARF 5: measure a copy without debug info (symbols stay).
objcopy --strip-debug "$THAWD" "$work/thawd-bin"
THAWD="$work/thawd-bin"

wait_up() { for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done; return 1; }

# 1. A finished job, trained by a plain thawd (the same job as http-bench.sh).
"$THAWD" --data-dir "$work/thawd" --port "$port" 2> "$work/thawd.log" & pid=$!
wait_up
job=$(curl -sf -X POST "http://127.0.0.1:$port/v1/jobs" -H 'Content-Type: application/json' -d '{"name": "http-bench",
    "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist", "classes": [0, 1], "per_class": 20},
    "phases": [{"trainable": "all", "epochs": 1, "lr": 0.01}], "batch_size": 8}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
for _ in $(seq 1 600); do
    status=$(curl -sf "http://127.0.0.1:$port/v1/jobs/$job" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
    case "$status" in succeeded|failed|stopped|cancelled) break ;; esac
    sleep 0.2
done
kill "$pid"; wait "$pid" || true; pid=""

# 2. The same data dir under callgrind, instrumentation off until the warm-up is done.
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.%p" \
    "$THAWD" --data-dir "$work/thawd" --port "$port" 2> "$work/valgrind.log" & pid=$!
wait_up

# One keep-alive connection, `count` sequential GETs, every answer checked.
get() {
    python3 - "$port" "$1" "$2" <<'PY'
import http.client, sys
port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(count):
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    assert r.status == 200, r.status
PY
}
get "/v1/jobs/$job" 100
get /healthz 100
callgrind_control -i on "$pid" >/dev/null 2>&1
for route in /healthz "/v1/jobs/$job"; do
    callgrind_control -z "$pid" >/dev/null 2>&1
    get "$route" "$requests"
    callgrind_control -d "${route//\//_}" "$pid" >/dev/null 2>&1
    file=$(ls -t "$out"/callgrind.* | head -1)
    total=$(grep -m1 '^summary:\|^totals:' "$file" | awk '{print $2}')
    echo "$route $((total / requests)) instructions/request ($requests requests; $file)"
done
