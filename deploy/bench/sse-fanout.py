#!/usr/bin/env python3
"""SSE fan-out: N concurrent event streams on one training job of a real thawd over loopback.

Usage: python3 deploy/bench/sse-fanout.py [--thawd .build/release/thawd] [--streams 1000]
                                          [--cycles 3] [--window 3] [--per-class 500]

Starts thawd (fresh data dir, port 0) and submits one small-cnn job on Fashion-MNIST with
1 + 2 x cycles x window epochs. After a warm-up epoch, windows of `--window` epochs alternate:
without streams, then with `--streams` SSE streams open on the job (opened with `Last-Event-ID` =
the last stored event, held to the window's end, then closed), `--cycles` times. Interleaving
keeps the drift of a shared machine from reading as a cost or a gain of the streams. Prints one
JSON line:
- `complete_streams`: streams (over all windows) whose ids were exactly the stored ids after their
  Last-Event-ID, in order, up to the point (waited for before closing) where every stream had every
  event stored so far;
- delivery latency of each live event to each stream: the time epoll reported the stream's socket
  readable with the event in it, minus the event's stored `created_at` (same machine, wall clock,
  so it includes the commit and the fan-out; p50/p99/max in ms);
- the three events whose slowest delivery was slowest (a p99 over ~30 events x 1,000 streams is
  set by the worst one or two events);
- thawd's RSS (VmRSS) before the first window and its peak while streams were open;
- the job's training throughput (`images_per_second` of its epoch events): median of the epochs run
  wholly without streams vs. of those run wholly with them (the warm-up epoch excluded).
Raises its own RLIMIT_NOFILE soft limit to the hard one (thawd raises its own at start).
"""
import argparse
import json
import os
import resource
import shutil
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request


def start_thawd(binary, data_dir, extra):
    proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir] + extra,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if "listening on http://" in line:
            port = int(line.split("listening on http://")[1].split()[0].rsplit(":", 1)[1])
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()  # keep draining
            return proc, port
        if proc.poll() is not None:
            break
    sys.exit("thawd did not start")


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def api(port, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


class Stream:
    """One SSE client: HTTP/1.1, chunked framing decoded by hand, events parsed as they complete."""

    def __init__(self, port, job, last_event_id):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setblocking(False)
        self.sock.sendall(f"GET /v1/jobs/{job}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          f"Accept: text/event-stream\r\nLast-Event-ID: {last_event_id}\r\n\r\n".encode())
        self.raw = b""
        self.head_done = False
        self.text = b""
        self.ids = []
        self.received_at = {}
        self.ended = False
        self.status = None

    def on_readable(self, now):
        try:
            data = self.sock.recv(1 << 16)
        except BlockingIOError:
            return
        if not data:
            self.ended = True
            return
        self.raw += data
        if not self.head_done:
            end = self.raw.find(b"\r\n\r\n")
            if end < 0:
                return
            self.status = int(self.raw[:end].split(b" ")[1])
            self.raw = self.raw[end + 4:]
            self.head_done = True
        while True:  # chunked framing
            line_end = self.raw.find(b"\r\n")
            if line_end < 0:
                break
            size = int(self.raw[:line_end].split(b";")[0], 16)
            if len(self.raw) < line_end + 2 + size + 2:
                break
            self.text += self.raw[line_end + 2:line_end + 2 + size]
            self.raw = self.raw[line_end + 2 + size + 2:]
            if size == 0:
                self.ended = True
        while True:
            end = self.text.find(b"\n\n")
            if end < 0:
                break
            block, self.text = self.text[:end], self.text[end + 2:]
            fields = dict(l.split(b": ", 1) for l in block.split(b"\n") if b": " in l and not l.startswith(b":"))
            if b"id" in fields:
                event_id = int(fields[b"id"])
                self.ids.append(event_id)
                self.received_at[event_id] = now
            elif fields.get(b"event") == b"end":
                self.ended = True


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--thawd", default=".build/release/thawd")
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--window", type=int, default=3)
    parser.add_argument("--per-class", type=int, default=500)
    args = parser.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    data_dir = tempfile.mkdtemp(prefix="thaw-ssebench-")
    proc, port = start_thawd(args.thawd, data_dir, ["--max-streams", str(args.streams + 16)])
    try:
        model = api(port, "POST", "/v1/models", {"name": "base", "architecture": "small-cnn"})["id"]
        job = api(port, "POST", "/v1/jobs", {
            "name": "fanout", "model": {"id": model}, "num_classes": 10,
            "dataset": {"id": "fashion-mnist", "per_class": args.per_class, "validation_fraction": 0.1, "seed": 1},
            "phases": [{"name": "all", "trainable": "all", "epochs": 1 + 2 * args.cycles * args.window,
                        "lr": 0.003, "schedule": "constant"}],
            "optimizer": {"type": "sgd"}, "batch_size": 64, "seed": 1,
            "early_stopping": {"monitor": "val_loss", "patience": 1000, "restore_best": False},
        })["id"]

        def epochs_done():
            return len(api(port, "GET", f"/v1/jobs/{job}/metrics")["data"])

        def stored_events():
            return api(port, "GET", f"/v1/jobs/{job}/events?format=json&limit=5000")["data"]

        def wait_epochs(n, sample=None):
            while epochs_done() < n:
                time.sleep(0.5)

        rss_before = None
        rss_peak = 0.0
        windows = []  # (opened_at, connected_at, closed_at, after, target, streams)
        for cycle in range(args.cycles):
            wait_epochs(1 + (2 * cycle + 1) * args.window)  # warm-up + the window without streams
            if rss_before is None:
                rss_before = rss_mib(proc.pid)
            after = stored_events()[-1]["id"]
            opened_at = time.time()
            selector = selectors.DefaultSelector()
            streams = []
            for _ in range(args.streams):
                stream = Stream(port, job, after)
                streams.append(stream)
                selector.register(stream.sock, selectors.EVENT_READ, stream)
            connected_at = None
            target = None
            last_rss_sample = last_poll = 0.0
            end_epoch = 1 + (2 * cycle + 2) * args.window
            while True:
                ready = selector.select(timeout=0.2)
                now = time.time()  # what epoll reported readable had arrived by now, however long parsing takes
                for key, _ in ready:
                    key.data.on_readable(now)
                if connected_at is None and all(st.head_done for st in streams):
                    connected_at = now  # every stream has its 200: later events reach them live
                if now - last_rss_sample > 0.2:
                    rss_peak = max(rss_peak, rss_mib(proc.pid))
                    last_rss_sample = now
                if target is None and now - last_poll > 1.0:
                    last_poll = now
                    if epochs_done() >= end_epoch:
                        target = stored_events()[-1]["id"]
                if target is not None and all((st.ids and st.ids[-1] >= target) or st.ended for st in streams):
                    break
            for stream in streams:
                stream.sock.close()
            windows.append((opened_at, connected_at, time.time(), after, target, streams))
        while api(port, "GET", f"/v1/jobs/{job}")["status"] not in ("succeeded", "failed", "stopped", "cancelled"):
            time.sleep(1)

        stored = stored_events()
        created = {e["id"]: e["created_at"] for e in stored}
        stored_ids = [e["id"] for e in stored]
        complete, live, latencies, per_event = 0, 0, [], []
        kinds = {e["id"]: e["type"] for e in stored}
        for opened_at, connected_at, closed_at, after, target, streams in windows:
            expected = [i for i in stored_ids if after < i <= target]
            complete += sum(1 for st in streams if st.status == 200 and st.ids[:len(expected)] == expected)
            timed = [i for i in expected if created[i] > connected_at]
            live += len(timed)
            for i in timed:
                got = [(st.received_at[i] - created[i]) * 1000 for st in streams if i in st.received_at]
                latencies += got
                if got:
                    per_event.append((max(got), statistics.median(got), i, kinds[i]))
        metrics = api(port, "GET", f"/v1/jobs/{job}/metrics")["data"]
        epoch_end = {e["data"]["global_epoch"]: e["created_at"] for e in stored if e["type"] == "epoch"}
        with_streams, without = [], []
        for m in metrics[1:]:
            end = epoch_end[m["global_epoch"]]
            start = end - m["seconds"]
            if any(start > c and end < z for _, c, z, _, _, _ in windows):
                with_streams.append(m["images_per_second"])
            elif all(end < o or start > z for o, _, z, _, _, _ in windows):
                without.append(m["images_per_second"])
        result = {
            "bench": "sse-fanout", "streams": args.streams, "windows": len(windows),
            "complete_streams": complete, "of": args.streams * len(windows),
            "live_events": live, "deliveries_timed": len(latencies),
            "latency_ms_p50": round(percentile(latencies, 50), 2) if latencies else None,
            "latency_ms_p99": round(percentile(latencies, 99), 2) if latencies else None,
            "latency_ms_max": round(max(latencies), 2) if latencies else None,
            "rss_mib_before": round(rss_before, 1), "rss_mib_peak": round(rss_peak, 1),
            "rss_growth_mib": round(rss_peak - rss_before, 1),
            "images_per_second_without": round(statistics.median(without), 1) if without else None,
            "images_per_second_with": round(statistics.median(with_streams), 1) if with_streams else None,
            "epochs_without": len(without), "epochs_with": len(with_streams),
            # The three events whose slowest delivery was slowest: [id, type, median ms, max ms].
            "slowest_events": [[i, k, round(med, 1), round(mx, 1)] for mx, med, i, k in sorted(per_event)[-3:]],
            "loadavg_1min": os.getloadavg()[0],
        }
        if without and with_streams:
            result["throughput_ratio"] = round(result["images_per_second_with"] / result["images_per_second_without"], 3)
        print(json.dumps(result))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
