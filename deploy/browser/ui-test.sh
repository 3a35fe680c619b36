#!/usr/bin/env bash
# The web UI in a real browser (deploy/browser/ui_test.py): headless Chromium from Debian's chromium
# and chromium-driver, driven by Selenium (PyPI, pinned, in a venv under /var/tmp), against two real
# thawds on temporary data dirs: one with --auth-token-file (the whole walk-through), one without
# (the page must not ask for a token). Fashion-MNIST from Debian's dataset-fashion-mnist.
#
#   bash deploy/browser/ui-test.sh          # after `swift build --product thawd`
#
# Screenshots of every page go to .build/ui-screenshots/ (THAW_UI_SCREENSHOTS overrides).
set -euo pipefail
cd "$(dirname "$0")/../.."
version=4.50.0
venv=${THAW_SELENIUM_VENV:-/var/tmp/thaw-selenium}
shots=${THAW_UI_SCREENSHOTS:-.build/ui-screenshots}
[ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
need=()
for cmd_pkg in chromium:chromium chromedriver:chromium-driver; do
    command -v "${cmd_pkg%%:*}" >/dev/null || need+=("${cmd_pkg##*:}")
done
[ -d /usr/share/datasets/fashion-mnist ] || need+=(dataset-fashion-mnist)
if [ "${#need[@]}" -gt 0 ]; then
    ${sudo_cmd:-} apt-get update -qq
    DEBIAN_FRONTEND=noninteractive ${sudo_cmd:-} apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi
if ! [ -x "$venv/bin/python" ] || [ "$("$venv/bin/python" -c 'import selenium; print(selenium.__version__)' 2>/dev/null)" != "$version" ]; then
    . deploy/python-venv.sh
    make_venv "$venv" "selenium==$version"
fi

thawd=${THAWD_BINARY:-.build/debug/thawd}
[ -x "$thawd" ] || { echo "ui-test.sh: no thawd at $thawd (swift build --product thawd)" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/thaw-ui.XXXXXX")
# Every thawd this script (or ui_test.py, which restarts one) starts writes its pid to $work/*.pid.
cleanup() {
    for file in "$work"/*.pid; do
        [ -e "$file" ] || continue
        pid=$(cat "$file")
        if kill -0 "$pid" 2>/dev/null; then kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; fi
    done
    rm -rf "$work"
}
trap cleanup EXIT

# Starts a thawd on a free port and sets $started_url. Its command line goes to $work/NAME.cmd
# (NUL-separated) so ui_test.py can start it again on the same port and data dir.
start_thawd() {
    local name=$1; shift
    mkdir -p "$work/$name"
    local command=("$thawd" --host 127.0.0.1 --port 0 --data-dir "$work/$name/data" --dataset-root "$work/$name/datasets"
                   --workers 1 --max-job-memory 1GiB "$@")
    "${command[@]}" >"$work/$name.log" 2>&1 &
    echo $! > "$work/$name.pid"
    printf '%s\0' "${command[@]}" > "$work/$name.cmd"
    local port=
    for _ in $(seq 1 300); do
        port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$name.log" | head -1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    [ -n "$port" ] || { echo "ui-test.sh: thawd ($name) did not start; its log:" >&2; cat "$work/$name.log" >&2; exit 1; }
    started_url="http://127.0.0.1:$port"
}

# Two classes of 8x8 grayscale PNGs for the datasets page to register, standard library only.
python3 - "$work/secured/datasets/shapes" <<'PY'
import os, struct, sys, zlib
def png(pixels, size=8):
    rows = b"".join(b"\x00" + bytes(pixels[y * size:(y + 1) * size]) for y in range(size))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)) \
        + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
for label, shade in (("dark", 40), ("light", 210)):
    os.makedirs(os.path.join(sys.argv[1], label))
    for i in range(4):
        with open(os.path.join(sys.argv[1], label, f"{i}.png"), "wb") as f:
            f.write(png([(shade + 7 * i + x) % 256 for x in range(64)]))
PY
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$work/token"
start_thawd secured --auth-token-file "$work/token"
secured=$started_url
start_thawd open
open=$started_url
rm -rf "$shots"
if ! OPENBLAS_NUM_THREADS=1 "$venv/bin/python" deploy/browser/ui_test.py "$secured" "$work/token" "$open" "$shots" "$work/secured"; then
    echo "ui-test.sh: the browser test failed; thawd's log:" >&2
    tail -40 "$work/secured.log" "$work/secured-restarted.log" 2>/dev/null >&2
    exit 1
fi
echo "ui-test.sh: screenshots in $shots"
