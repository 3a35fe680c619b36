#!/usr/bin/env bash
# Loopback load benchmark: Thaw's HTTPServer, and a real release thawd (GET /healthz and
# GET /v1/jobs/{id} of a finished job), each beside nginx serving the same bytes as static files.
# Usage: deploy/bench/http-bench.sh [seconds=10]
# Needs: wrk, nginx (apt-get install -y wrk nginx), python3, Fashion-MNIST (deploy/setup.sh) for the
# stored job. Pins everything to CPUs 0-1.
# Prints Markdown tables for docs/benchmarks.md. All traffic goes to 127.0.0.1 only.
set -euo pipefail
seconds="${1:-10}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/thaw-http-bench.XXXXXX)"
chmod 755 "$work"
ours_port=18480
nginx_port=18481
thawd_port=18482
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# 1. Build thawd and the server module in release mode and link the bench server against the latter.
(cd "$root" && swift build -c release --product thawd >/dev/null && swift build -c release --target HTTPServer >/dev/null)
rel="$root/.build/release"
swiftc -O -module-name BenchServer -I "$rel/Modules" -Xcc -fmodule-map-file="$root/Sources/COpenSSL/module.modulemap" \
    -Xcc -fmodule-map-file="$root/Sources/CEpoll/module.modulemap" \
    "$root/deploy/bench/BenchServer.swift" "$rel"/HTTP1.build/*.o "$rel"/HTTPServer.build/*.o "$rel"/OpenSSL.build/*.o \
    -lssl -lcrypto -o "$work/bench-server"

# 2. The same bytes for both servers.
mkdir -p "$work/www"
printf '{"jobs":[{"id":1,"state":"running"},{"id":2,"state":"queued"}],"status":"ok"}' > "$work/www/hello.json"
chmod -R a+rX "$work/www"
bytes=$(wc -c < "$work/www/hello.json")

cat > "$work/nginx.conf" <<NGINX
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60;
    types { application/json json; }
    default_type application/json;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
    }
}
NGINX

# A real thawd with its own data dir; one small job trained to the end gives a stored job whose
# object no longer changes, so nginx can serve a copy of the very bytes thawd answers.
taskset -c 0,1 "$rel/thawd" --data-dir "$work/thawd" --port "$thawd_port" 2> "$work/thawd.log" & pids+=($!)
thawd_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$thawd_port/healthz" >/dev/null && break; sleep 0.1; done
job=$(curl -sf -X POST "http://127.0.0.1:$thawd_port/v1/jobs" -H 'Content-Type: application/json' -d '{"name": "http-bench",
    "model": {"architecture": "small-cnn"}, "dataset": {"id": "fashion-mnist", "classes": [0, 1], "per_class": 20},
    "phases": [{"trainable": "all", "epochs": 1, "lr": 0.01}], "batch_size": 8}' \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
job_status=""
for _ in $(seq 1 600); do
    job_status=$(curl -sf "http://127.0.0.1:$thawd_port/v1/jobs/$job" | python3 -c 'import json, sys; print(json.load(sys.stdin)["status"])')
    case "$job_status" in succeeded|failed|stopped|cancelled) break ;; esac
    sleep 0.2
done
case "$job_status" in succeeded|failed|stopped|cancelled) ;; *) echo "job $job did not finish ($job_status)" >&2; exit 1 ;; esac
mkdir -p "$work/www/v1/jobs"
curl -sf "http://127.0.0.1:$thawd_port/healthz" > "$work/www/healthz"
curl -sf "http://127.0.0.1:$thawd_port/v1/jobs/$job" > "$work/www/v1/jobs/$job"
chmod -R a+rX "$work/www"
cmp <(curl -s "http://127.0.0.1:$thawd_port/v1/jobs/$job") "$work/www/v1/jobs/$job"
health_bytes=$(wc -c < "$work/www/healthz")
job_bytes=$(wc -c < "$work/www/v1/jobs/$job")

taskset -c 0,1 "$work/bench-server" "$ours_port" "$work/www/hello.json" & pids+=($!)
bench_pid=$!
taskset -c 0,1 nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' & pids+=($!)
for port in $ours_port $nginx_port; do
    for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/hello.json" >/dev/null && break; sleep 0.1; done
done
cmp <(curl -s "http://127.0.0.1:$ours_port/hello.json") <(curl -s "http://127.0.0.1:$nginx_port/hello.json")
cmp <(curl -s "http://127.0.0.1:$thawd_port/v1/jobs/$job") <(curl -s "http://127.0.0.1:$nginx_port/v1/jobs/$job")

# wrk summary → "rps p50 p99" (latencies in ms).
measure() {
    local out
    out=$(taskset -c 0,1 wrk "$@" --latency)
    awk '/requests in/ { print $1 }' <<< "$out" > "$work/last-requests"
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx|Socket errors/ { errors = errors " " $0 }
        END { printf "%.0f %.3f %.3f%s\n", rps, p50, p99, errors }' <<< "$out"
}

# Context switches of all of a process's threads so far: a count the machine's noise moves far less
# than requests/s (each thread hand-off of a request is one).
switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { s += $2 } END { print s + 0 }'; }
# wrk's request count of the last measured run, kept by measure().
per_request() { awk -v a="$1" -v b="$2" -v n="$(cat "$work/last-requests")" 'BEGIN { printf "%.2f", (b - a) / n }'; }

# 3. Throughput: 64 connections, 2 threads; a short warm-up each, then the measured runs.
taskset -c 0,1 wrk -t2 -c64 -d2s "http://127.0.0.1:$ours_port/hello.json" >/dev/null
taskset -c 0,1 wrk -t2 -c64 -d2s "http://127.0.0.1:$nginx_port/hello.json" >/dev/null
s0=$(switches "$bench_pid")
read -r ours_rps ours_p50 ours_p99 ours_err <<< "$(measure -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$ours_port/hello.json")"
ours_switches=$(per_request "$s0" "$(switches "$bench_pid")")
read -r nginx_rps nginx_p50 nginx_p99 nginx_err <<< "$(measure -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$nginx_port/hello.json")"
taskset -c 0,1 wrk -t2 -c64 -d2s "http://127.0.0.1:$thawd_port/healthz" >/dev/null
s0=$(switches "$thawd_pid")
read -r th_rps th_p50 th_p99 th_err <<< "$(measure -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$thawd_port/healthz")"
th_switches=$(per_request "$s0" "$(switches "$thawd_pid")")
read -r nh_rps nh_p50 nh_p99 nh_err <<< "$(measure -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$nginx_port/healthz")"
s0=$(switches "$thawd_pid")
read -r tj_rps tj_p50 tj_p99 tj_err <<< "$(measure -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$thawd_port/v1/jobs/$job")"
tj_switches=$(per_request "$s0" "$(switches "$thawd_pid")")
read -r nj_rps nj_p50 nj_p99 nj_err <<< "$(measure -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$nginx_port/v1/jobs/$job")"

# 4. 1,000 idle keep-alive connections held while another client is measured.
python3 "$root/deploy/bench/idle-connections.py" "$ours_port" 1000 $((seconds + 4)) "$work/idle-ready" > "$work/idle.out" & idle_pid=$!
pids+=($idle_pid)
for _ in $(seq 1 100); do [ -f "$work/idle-ready" ] && break; sleep 0.1; done
[ -f "$work/idle-ready" ] || { echo "idle connections did not open" >&2; exit 1; }
read -r idle_rps idle_p50 idle_p99 idle_err <<< "$(measure -t1 -c4 -d"${seconds}s" "http://127.0.0.1:$ours_port/hello.json")"
wait "$idle_pid"
idle_alive=$(cat "$work/idle.out")

percent() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", 100 * a / b }'; }
ratio=$(percent "$ours_rps" "$nginx_rps")
nginx_name="nginx $(nginx -v 2>&1 | sed 's|.*/||')"
echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
echo
echo "Body: $bytes bytes of JSON; wrk -t2 -c64 -d${seconds}s; all processes pinned to CPUs 0-1 ($(nproc) online)."
echo
echo "| server | requests/s | p50 ms | p99 ms | notes |"
echo "|---|---:|---:|---:|---|"
echo "| Thaw HTTPServer | $ours_rps | $ours_p50 | $ours_p99 | ${ratio}% of nginx; $ours_switches context switches a request${ours_err:+; $ours_err} |"
echo "| $nginx_name (static file, 2 workers) | $nginx_rps | $nginx_p50 | $nginx_p99 | ${nginx_err} |"
echo "| Thaw HTTPServer, 1,000 idle keep-alive conns held, wrk -t1 -c4 | $idle_rps | $idle_p50 | $idle_p99 | $idle_alive still answering afterwards${idle_err:+; $idle_err} |"
echo
echo "thawd (release, 1 worker, idle), same run, wrk -t2 -c64 -d${seconds}s; nginx serves copies of thawd's answers:"
echo
echo "| route | thawd requests/s | nginx requests/s | thawd / nginx | thawd p50 / p99 ms | nginx p50 / p99 ms | notes |"
echo "|---|---:|---:|---:|---|---|---|"
echo "| GET /healthz ($health_bytes bytes) | $th_rps | $nh_rps | $(percent "$th_rps" "$nh_rps")% | $th_p50 / $th_p99 | $nh_p50 / $nh_p99 | $th_switches context switches a request${th_err:+; $th_err}${nh_err:+; $nh_err} |"
echo "| GET /v1/jobs/{id} ($job_bytes bytes, a $job_status job) | $tj_rps | $nj_rps | $(percent "$tj_rps" "$nj_rps")% | $tj_p50 / $tj_p99 | $nj_p50 / $nj_p99 | $tj_switches context switches a request${tj_err:+; $tj_err}${nj_err:+; $nj_err} |"
