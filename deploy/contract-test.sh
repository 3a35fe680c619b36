#!/usr/bin/env bash
# The API contract test: docs/openapi.yaml checked against a live thawd by schemathesis (PyPI), every
# check it has, zero failures allowed. A real thawd (the debug build the Swift tests use, or
# THAWD_BINARY) runs on a temporary data dir with a tiny synthetic image folder registered, plus the
# built-in fashion-mnist when Debian's dataset-fashion-mnist is installed.
#
#   bash deploy/contract-test.sh            # after `swift build --product thawd`
#
# THAW_SCHEMATHESIS_VENV picks the virtual environment (default /var/tmp/thaw-schemathesis, kept
# between runs); THAW_SCHEMATHESIS_SEED the generator's seed (default 15, so CI runs the same cases
# every time; any integer explores others). Extra arguments go to `schemathesis run`.
set -euo pipefail
cd "$(dirname "$0")/.."
version=4.32.5
venv=${THAW_SCHEMATHESIS_VENV:-/var/tmp/thaw-schemathesis}
st="$venv/bin/schemathesis"
if ! [ -x "$st" ] || [ "$("$st" --version 2>/dev/null | awk '{print $NF}')" != "$version" ]; then
    . deploy/python-venv.sh
    make_venv "$venv" "schemathesis==$version"
fi

thawd=${THAWD_BINARY:-.build/debug/thawd}
[ -x "$thawd" ] || { echo "contract-test.sh: no thawd at $thawd (swift build --product thawd)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/thaw-contract.XXXXXX")
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# Two classes of 8x8 grayscale PNGs (train and test splits), written with the standard library only.
python3 - "$work/datasets/shapes" <<'EOF'
import os, struct, sys, zlib
root = sys.argv[1]
def png(pixels, size=8):
    rows = b"".join(b"\x00" + bytes(pixels[y * size:(y + 1) * size]) for y in range(size))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
for split, count in (("train", 6), ("test", 2)):
    for label, shade in (("dark", 40), ("light", 210)):
        folder = os.path.join(root, split, label)
        os.makedirs(folder)
        for i in range(count):
            with open(os.path.join(folder, f"{i}.png"), "wb") as f:
                f.write(png([(shade + 7 * i + x) % 256 for x in range(64)]))
EOF

# One worker with one engine thread: schema-valid jobs the fuzzer submits do train, on the side. The
# memory cap keeps those small.
"$thawd" --host 127.0.0.1 --port 0 --data-dir "$work/data" --dataset-root "$work/datasets" \
    --workers 1 --blas-threads 1 --max-job-memory 1GiB >"$work/thawd.log" 2>&1 &
pid=$!
port=
for _ in $(seq 1 300); do
    port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/thawd.log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$port" ]; then
    echo "contract-test.sh: thawd did not start; its log:" >&2
    cat "$work/thawd.log" >&2
    exit 1
fi
url="http://127.0.0.1:$port"
curl -sSf -X POST "$url/v1/datasets" -d '{"name": "shapes", "path": "shapes", "channels": 1, "image_size": 8}' >/dev/null

status=0
"$st" --no-color --config-file deploy/schemathesis.toml run docs/openapi.yaml --url "$url" --checks all --max-examples 25 \
    --seed "${THAW_SCHEMATHESIS_SEED:-15}" --generation-database none "$@" || status=$?
if ! kill -0 "$pid" 2>/dev/null; then
    echo "contract-test.sh: thawd died during the run; its log:" >&2
    tail -50 "$work/thawd.log" >&2
    exit 1
fi
exit "$status"
