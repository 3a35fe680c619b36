#!/usr/bin/env python3
"""Holds N idle keep-alive connections to a loopback server (each made one request first).

Usage: idle-connections.py <port> <count> <hold-seconds> <ready-file>
Writes the ready file once all connections are open, holds them, then checks every one still
answers a second request and prints "idle_alive=<n>/<count>". Loopback only; bounded in count and time.
"""
import socket
import sys
import time

port, count, hold, ready = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def roundtrip(sock):
    sock.sendall(request)
    data = b""
    while not data.endswith(b"ok"):
        chunk = sock.recv(4096)
        if not chunk:
            return False
        data += chunk
    return data.startswith(b"HTTP/1.1 200")


socks = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if not roundtrip(s):
        sys.exit("initial request failed")
    socks.append(s)
open(ready, "w").write("ready\n")
time.sleep(hold)
alive = 0
for s in socks:
    try:
        alive += roundtrip(s)
    except OSError:
        pass
    s.close()
print(f"idle_alive={alive}/{count}")
