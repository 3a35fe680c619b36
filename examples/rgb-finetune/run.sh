#!/usr/bin/env bash
# The RGB fine-tuning example end to end through a real thawd: builds the photo folder
# (make_photos.py), starts thawd on a temporary data dir, and runs drive.py (pretrain resnet18 on
# five classes, fine-tune on the other five: head from the activation cache, then all groups at
# discriminative LRs; an evaluate job on the test split). See README.md for the figures.
#
#   examples/rgb-finetune/run.sh               # debug thawd (the engine is optimized in debug too)
#   CONFIG=release examples/rgb-finetune/run.sh
#
# PER_CLASS (default 200) and TEST_PER_CLASS (100) size the folder; SIZE (72) its photos; WORK keeps
# the data dir (default: a temporary one, removed at the end). Needs Debian's dataset-fashion-mnist
# and python3-numpy (python3-pil for the JPEG half); installs them when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
config=${CONFIG:-debug}
# Debian's python3 with Debian's numpy and Pillow (a python3 earlier on PATH may lack them).
py=/usr/bin/python3
missing=()
[ -d /usr/share/datasets/fashion-mnist ] || missing+=(dataset-fashion-mnist)
"$py" -c 'import numpy' 2>/dev/null || missing+=(python3-numpy)
"$py" -c 'import PIL' 2>/dev/null || missing+=(python3-pil)
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
    ${sudo_cmd:-} apt-get update -qq
    DEBIAN_FRONTEND=noninteractive ${sudo_cmd:-} apt-get install -y -qq "${missing[@]}"
fi
swift build -c "$config" --product thawd >&2
thawd=".build/$config/thawd"

keep=${WORK:+yes}
work=${WORK:-$(mktemp -d "${TMPDIR:-/tmp}/thaw-rgb.XXXXXX")}
mkdir -p "$work/datasets"
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
    [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT

"$py" examples/rgb-finetune/make_photos.py "$work/datasets/photos" --size "${SIZE:-72}" \
    --per-class "${PER_CLASS:-200}" --test-per-class "${TEST_PER_CLASS:-100}"
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$thawd" --data-dir "$work" --port "$port" --workers 1 ${THREADS:+--blas-threads "$THREADS"} > "$work/thawd.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done
started=$(date +%s.%N)
"$py" examples/rgb-finetune/drive.py "http://127.0.0.1:$port" photos
echo "wall time of the three jobs: $("$py" -c "print(round($(date +%s.%N) - $started, 1))") s ($config thawd, $(nproc) cores)"
