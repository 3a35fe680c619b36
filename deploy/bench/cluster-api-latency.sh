#!/usr/bin/env bash
# API p99 on each node while all train (docs/benchmarks.md, "PostgreSQL store: API latency on each
# node while all train"). Three release thawd nodes on one database of a throwaway PostgreSQL
# cluster and one shared --artifacts directory; enough Fashion-MNIST jobs are queued that every
# node's workers train (and more wait), then each node in turn answers REQUESTS GET /v1/jobs/{id}
# (a new connection per request, as the single-node `thaw-bench api` does), cycling over every job,
# so most answers are about jobs another node trains. Prints one JSON line per node.
#   deploy/pg-test-cluster.sh deploy/bench/cluster-api-latency.sh [REQUESTS] [-- thawd flags]
# Defaults: 2000 requests per node; each node --workers 1 --blas-threads 1 (3 training threads on
# the machine). Needs .build/release/thawd (swift build -c release --product thawd) and Debian's
# dataset-fashion-mnist.
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-2000}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
flags=("$@")
[ ${#flags[@]} -eq 0 ] && flags=(--workers 1 --blas-threads 1)
case "$requests" in ''|*[!0-9]*) echo "cluster-api-latency: REQUESTS must be a number, got '$requests'" >&2; exit 2;; esac
[ -n "${THAW_TEST_POSTGRES_URI:-}" ] || { echo "cluster-api-latency: run it under deploy/pg-test-cluster.sh" >&2; exit 2; }
thawd=.build/release/thawd
[ -x "$thawd" ] || { echo "cluster-api-latency: $thawd is missing (swift build -c release --product thawd)" >&2; exit 2; }

work=$(mktemp -d /tmp/thaw-cluster-bench.XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
db=cluster_bench_$$
psql "$THAW_TEST_POSTGRES_URI" -qc "CREATE DATABASE $db"
uri="${THAW_TEST_POSTGRES_URI%/*}/$db"
nodes=(n1 n2 n3)
for node in "${nodes[@]}"; do
    mkdir -p "$work/$node"
    OPENBLAS_NUM_THREADS=1 "$thawd" --port 0 --data-dir "$work/$node" --store "$uri" --node-id "$node" \
        --artifacts "$work/artifacts" "${flags[@]}" > "$work/$node.log" 2>&1 &
    pids+=($!)
    disown $!  # killed by the trap; no "Killed" line from the shell
done
for node in "${nodes[@]}"; do
    for _ in $(seq 300); do grep -q 'listening on' "$work/$node.log" && break; sleep 0.1; done
    grep -q 'listening on' "$work/$node.log" || { cat "$work/$node.log" >&2; exit 1; }
done
ports=()
for node in "${nodes[@]}"; do ports+=("$(grep -o 'listening on http://127.0.0.1:[0-9]*' "$work/$node.log" | grep -o '[0-9]*$')"); done

python3 - "$requests" "${ports[@]}" <<'EOF'
import http.client, json, sys, time

requests, ports = int(sys.argv[1]), [int(p) for p in sys.argv[2:]]
names = ["n1", "n2", "n3"]

def call(port, method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, body=json.dumps(body) if body is not None else None,
              headers={"Content-Type": "application/json"} if body is not None else {})
    r = c.getresponse()
    data = r.read()
    c.close()
    if r.status >= 300:
        raise SystemExit(f"{method} {path} on :{port} answered {r.status}: {data[:300]!r}")
    return json.loads(data) if data else None

model = call(ports[0], "POST", "/v1/models", {"name": "bench", "architecture": "small-cnn"})["id"]
workers = sum(n.get("workers", 0) for n in call(ports[0], "GET", "/v1/nodes")["data"])
jobs = []
# Twice as many jobs as workers: every worker trains, and the rest wait in the queue. Long enough
# (full Fashion-MNIST, 20 epochs) that none ends during the measurement; cancelled afterwards.
for i in range(2 * workers):
    job = call(ports[i % 3], "POST", "/v1/jobs", {
        "name": f"load-{i}", "model": {"id": model}, "num_classes": 10,
        "dataset": {"id": "fashion-mnist", "validation_fraction": 0.05, "seed": 1},
        "phases": [{"name": "all", "trainable": "all", "epochs": 20, "lr": 0.001, "schedule": "constant"}],
        "optimizer": {"type": "adamw"}, "batch_size": 64, "seed": i})
    jobs.append(job["id"])

def running_nodes():
    views = [call(ports[0], "GET", f"/v1/jobs/{j}") for j in jobs]
    return {v["node"] for v in views if v["status"] == "running"}

deadline = time.time() + 300
while time.time() < deadline and running_nodes() != set(names):
    time.sleep(0.5)
if running_nodes() != set(names):
    raise SystemExit(f"not every node trains: {running_nodes()}")
# Past the data load (the full Fashion-MNIST train set) and model build: every worker is in its batches.
time.sleep(15)

cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
flags = next((l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags")), [])
simd = " ".join(f for f in flags if f in ("avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni"))
print(json.dumps({"cpu": cpu, "simd_flags": simd, "jobs": len(jobs), "workers": workers}))
for name, port in zip(names, ports):
    load = float(open("/proc/loadavg").read().split()[0])
    latencies = []
    for k in range(requests):
        path = f"/v1/jobs/{jobs[k % len(jobs)]}"
        t0 = time.perf_counter()
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        c.close()
        latencies.append((time.perf_counter() - t0) * 1000)
        if r.status != 200:
            raise SystemExit(f"GET {path} on {name} answered {r.status}")
    latencies.sort()
    pct = lambda p: round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 2)
    still = running_nodes()
    print(json.dumps({"node": name, "requests": requests, "p50_ms": pct(0.5), "p90_ms": pct(0.9),
                      "p99_ms": pct(0.99), "max_ms": round(latencies[-1], 2), "load_avg_1m_at_start": load,
                      "nodes_training_after": sorted(still)}))
for j in jobs:
    try:
        call(ports[0], "POST", f"/v1/jobs/{j}/cancel", {})
    except SystemExit:
        pass
EOF
