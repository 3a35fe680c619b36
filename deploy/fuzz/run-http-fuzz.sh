#!/usr/bin/env bash
# Fuzzes the HTTP1 parser with libFuzzer for a bounded time.
# Usage: deploy/fuzz/run-http-fuzz.sh [seconds=60]
# The target is Sources/http1-fuzz, built with `swift build -Xswiftc -sanitize=fuzzer` in its own
# scratch directory (so the normal .build is untouched). Crashes land in .build/fuzz/artifacts/:
# replay one with `.build/debug/http1-fuzz FILE` and add it as a regression test in Tests/HTTP1Tests.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build/fuzz"
mkdir -p "$out/corpus" "$out/artifacts"
cd "$root"
swift build -c release -Xswiftc -sanitize=fuzzer,address --product http1-fuzz --scratch-path "$out/build" >&2
bin="$out/build/release/http1-fuzz"

# Seeds: valid and malformed heads and bodies, first byte = split point.
seed() { printf '%b' "$2" > "$out/corpus/$1"; }
seed get '\x07GET /v1/jobs?x=1 HTTP/1.1\r\nHost: a\r\n\r\n'
seed post '\x20POST /v1/jobs HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc'
seed chunked '\x30POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n0\r\nT: 1\r\n\r\n'
seed body '\x03a;ext="q"\r\n0123456789\r\n0\r\n\r\n'
seed smuggle '\x10POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'
seed absolute '\x09GET http://h:1/a%20b?c=d+e HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'
seed host '\x05GET / HTTP/1.1\r\nHost: [::ffff:192.0.2.1]:80\r\n\r\n'
seed tls '\x04\x16\x03\x01\x00\xf4\x01\x00\x00\xf0\x03\x03'
seed zeros '\x02000000000000000000000000000001\r\na\r\n0\r\n\r\n'

cd "$out"
"$bin" -max_total_time="$seconds" -max_len=4096 -timeout=5 \
    -artifact_prefix="$out/artifacts/" "$out/corpus"
