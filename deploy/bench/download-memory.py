#!/usr/bin/env python3
"""Download memory: N concurrent `GET /v1/models/{id}/weights` of a vgg16 file from a real thawd.

Usage: python3 deploy/bench/download-memory.py [--thawd .build/release/thawd] [--clients 64]

Registers a built-in vgg16 (1000 classes: a 553 MB safetensors file), restarts thawd so that the
registration's own allocations are not in the baseline, then runs `--clients` curl processes at
once, each downloading the whole file to /dev/null, and one more in this process that hashes what
it receives. Samples thawd's VmRSS every 50 ms and prints one JSON line: RSS before, peak, growth,
the bytes served, the wall time, and whether the hashed copy matched the ETag. The job route
(`/v1/jobs/{id}/weights`) serves through the same code (`Daemon.download`).
"""
import argparse
import hashlib
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def start_thawd(binary, data_dir):
    proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while True:
        line = proc.stdout.readline()
        if "listening on http://" in line:
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # keep draining
            return proc, int(line.split("listening on http://")[1].split()[0].rsplit(":", 1)[1])
        if not line and proc.poll() is not None:
            sys.exit("thawd did not start")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--thawd", default=".build/release/thawd")
    parser.add_argument("--clients", type=int, default=64)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="thaw-dlbench-")

    proc, port = start_thawd(args.thawd, data_dir)
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/models", method="POST",
                                 data=json.dumps({"name": "vgg16", "architecture": "vgg16"}).encode(),
                                 headers={"Content-Type": "application/json"})
    model = json.loads(urllib.request.urlopen(req, timeout=600).read())
    proc.terminate()
    proc.wait(timeout=60)

    proc, port = start_thawd(args.thawd, data_dir)
    try:
        url = f"http://127.0.0.1:{port}/v1/models/{model['id']}/weights"
        time.sleep(1)
        rss_before = rss_mib(proc.pid)
        samples = [rss_before]
        done = threading.Event()

        def sample():
            while not done.is_set():
                samples.append(rss_mib(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        started = time.time()
        curls = [subprocess.Popen(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{size_download}", url],
                                  stdout=subprocess.PIPE, text=True) for _ in range(args.clients)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        conn.request("GET", f"/v1/models/{model['id']}/weights")
        response = conn.getresponse()
        etag = response.getheader("ETag").strip('"')
        digest = hashlib.sha256()
        hashed = 0
        while True:
            chunk = response.read(1 << 20)
            if not chunk:
                break
            digest.update(chunk)
            hashed += len(chunk)
        results = [c.communicate()[0].split() for c in curls]
        elapsed = time.time() - started
        done.set()
        sampler.join()
        ok = sum(1 for code, size in results if code == "200" and int(size) == model["weights"]["size"])
        print(json.dumps({
            "bench": "download-memory", "clients": args.clients + 1, "file_bytes": model["weights"]["size"],
            "complete_downloads": ok + (1 if hashed == model["weights"]["size"] else 0),
            "sha256_matches_etag": digest.hexdigest() == etag == model["weights"]["sha256"],
            "bytes_served": model["weights"]["size"] * (args.clients + 1),
            "seconds": round(elapsed, 2),
            "rss_mib_before": round(rss_before, 1), "rss_mib_peak": round(max(samples), 1),
            "rss_growth_mib": round(max(samples) - rss_before, 1),
        }))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
