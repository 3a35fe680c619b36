#!/usr/bin/env bash
# Loopback load benchmark: Thaw's HTTPServer vs nginx serving the same JSON bytes as a static file.
# Usage: deploy/bench/http-bench.sh [seconds=10]
# Needs: wrk, nginx (apt-get install -y wrk nginx), python3. Pins everything to CPUs 0-1.
# Prints a Markdown table for docs/benchmarks.md. All traffic goes to 127.0.0.1 only.
set -euo pipefail
seconds="${1:-10}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d /tmp/thaw-http-bench.XXXXXX)"
chmod 755 "$work"
ours_port=18480
nginx_port=18481
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# 1. Build the server module in release mode and link the bench server against it.
(cd "$root" && swift build -c release --target HTTPServer >/dev/null)
rel="$root/.build/release"
swiftc -O -module-name BenchServer -I "$rel/Modules" -Xcc -fmodule-map-file="$root/Sources/COpenSSL/module.modulemap" \
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

taskset -c 0,1 "$work/bench-server" "$ours_port" "$work/www/hello.json" & pids+=($!)
taskset -c 0,1 nginx -p "$work" -c "$work/nginx.conf" -g 'daemon off;' & pids+=($!)
for port in $ours_port $nginx_port; do
    for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/hello.json" >/dev/null && break; sleep 0.1; done
done
cmp <(curl -s "http://127.0.0.1:$ours_port/hello.json") <(curl -s "http://127.0.0.1:$nginx_port/hello.json")

# wrk summary → "rps p50 p99" (latencies in ms).
measure() {
    local out
    out=$(taskset -c 0,1 wrk "$@" --latency)
    awk '
        function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
        /Requests\/sec/ { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx|Socket errors/ { errors = errors " " $0 }
        END { printf "%.0f %.3f %.3f%s\n", rps, p50, p99, errors }' <<< "$out"
}

# 3. Throughput: 64 connections, 2 threads; a short warm-up each, then the measured runs.
taskset -c 0,1 wrk -t2 -c64 -d2s "http://127.0.0.1:$ours_port/hello.json" >/dev/null
taskset -c 0,1 wrk -t2 -c64 -d2s "http://127.0.0.1:$nginx_port/hello.json" >/dev/null
read -r ours_rps ours_p50 ours_p99 ours_err <<< "$(measure -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$ours_port/hello.json")"
read -r nginx_rps nginx_p50 nginx_p99 nginx_err <<< "$(measure -t2 -c64 -d"${seconds}s" "http://127.0.0.1:$nginx_port/hello.json")"

# 4. 1,000 idle keep-alive connections held while another client is measured.
python3 "$root/deploy/bench/idle-connections.py" "$ours_port" 1000 $((seconds + 4)) "$work/idle-ready" > "$work/idle.out" & idle_pid=$!
pids+=($idle_pid)
for _ in $(seq 1 100); do [ -f "$work/idle-ready" ] && break; sleep 0.1; done
[ -f "$work/idle-ready" ] || { echo "idle connections did not open" >&2; exit 1; }
read -r idle_rps idle_p50 idle_p99 idle_err <<< "$(measure -t1 -c4 -d"${seconds}s" "http://127.0.0.1:$ours_port/hello.json")"
wait "$idle_pid"
idle_alive=$(cat "$work/idle.out")

ratio=$(awk -v a="$ours_rps" -v b="$nginx_rps" 'BEGIN { printf "%.0f", 100 * a / b }')
echo "Body: $bytes bytes of JSON; wrk -t2 -c64 -d${seconds}s; all processes pinned to CPUs 0-1 ($(nproc) online)."
echo
echo "| server | requests/s | p50 ms | p99 ms | notes |"
echo "|---|---:|---:|---:|---|"
echo "| Thaw HTTPServer | $ours_rps | $ours_p50 | $ours_p99 | ${ratio}% of nginx${ours_err:+; $ours_err} |"
echo "| nginx $(nginx -v 2>&1 | sed 's|.*/||') (static file, 2 workers) | $nginx_rps | $nginx_p50 | $nginx_p99 | ${nginx_err} |"
echo "| Thaw HTTPServer, 1,000 idle keep-alive conns held, wrk -t1 -c4 | $idle_rps | $idle_p50 | $idle_p99 | $idle_alive still answering afterwards${idle_err:+; $idle_err} |"
