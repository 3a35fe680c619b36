#!/usr/bin/env bash
# Thaw's engine beside PyTorch CPU in one run on one machine: training / frozen-body / inference
# throughput (batch 64, 2 threads) for small-cnn and resnet-mini, the head-only speed-up, peak RSS,
# and 3x3 convolution efficiency against this machine's sgemm.
#
#   deploy/bench/engine-vs-torch.sh [rounds]      # default 2 rounds; PyTorch from deploy/torch-env.sh
#
# Also runs resnet-mini with `--lowering im2col` and `--lowering avx2` (see docs/benchmarks.md).
#
# Each measurement is its own process (so peak RSS is per mode), and Thaw and PyTorch alternate
# within a round so that background load hits both alike. Prints JSON lines to
# .build/bench/engine-vs-torch.jsonl and a markdown table of medians over rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-2}
threads=${THREADS:-2}
peer=${TORCH_PEER:-deploy/bench/torch_peer.py}
python=${PYTHON:-$(deploy/torch-env.sh)}
swift build -c release --product thaw-bench >&2
bench=.build/release/thaw-bench
out=.build/bench/engine-vs-torch.jsonl
mkdir -p "$(dirname "$out")"
: > "$out"
for round in $(seq 1 "$rounds"); do
    for arch in small-cnn resnet-mini; do
        for mode in train frozen infer; do
            "$bench" engine --arch "$arch" --mode "$mode" --threads "$threads" --batch 64 | tee -a "$out"
            "$python" "$peer" --arch "$arch" --mode "$mode" --threads "$threads" --batch 64 \
                | "$python" -c 'import json,sys
for l in sys.stdin:
    d=json.loads(l); d["engine"]="torch"; print(json.dumps(d))' | tee -a "$out"
        done
    done
    # The same engine with im2col + sgemm for every convolution (what the direct 3x3 kernels change),
    # and with the AVX2 kernels only (what a CPU without AVX-512 runs).
    for lowering in im2col avx2; do
        for mode in train frozen infer; do
            "$bench" engine --arch resnet-mini --mode "$mode" --threads "$threads" --batch 64 --lowering "$lowering" | tee -a "$out"
        done
    done
    "$bench" engine --arch resnet-mini --mode conv --threads "$threads" --batch 64 | tee -a "$out"
done
"$python" - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(xs): return statistics.median(xs) if xs else float("nan")
tp = {}
for r in rows:
    if r.get("kind", "throughput") == "throughput" and ("img_s" in r or "img_s_median" in r):
        r["img_s"] = r.get("img_s", r.get("img_s_median"))  # torch_peer.py names it img_s_median
        engine = r["engine"] + ("-" + r["lowering"] if r.get("lowering") in ("im2col", "avx2") else "")
        tp.setdefault((r["arch"], r["mode"], engine), []).append(r)
print("\n| arch | mode | Thaw img/s | PyTorch img/s | Thaw / PyTorch | Thaw peak RSS MiB |")
print("|---|---|---:|---:|---:|---:|")
for arch in ["small-cnn", "resnet-mini"]:
    for mode in ["train", "frozen", "infer"]:
        t = tp.get((arch, mode, "thaw"), []); p = tp.get((arch, mode, "torch"), [])
        ti, pi = med([r["img_s"] for r in t]), med([r["img_s"] for r in p])
        rss = med([r.get("peak_rss_mib", float("nan")) for r in t])
        print(f"| {arch} | {mode} | {ti:.0f} | {pi:.0f} | {ti/pi:.2f}x | {rss:.0f} |")
print("\n| resnet-mini mode | Thaw, im2col + sgemm only | Thaw, AVX2 direct kernels | Thaw, best direct kernels | best / im2col | PyTorch | AVX2 / PyTorch |")
print("|---|---:|---:|---:|---:|---:|---:|")
for mode in ["train", "frozen", "infer"]:
    a = med([r["img_s"] for r in tp.get(("resnet-mini", mode, "thaw-im2col"), [])])
    v = med([r["img_s"] for r in tp.get(("resnet-mini", mode, "thaw-avx2"), [])])
    b = med([r["img_s"] for r in tp.get(("resnet-mini", mode, "thaw"), [])])
    t = med([r["img_s"] for r in tp.get(("resnet-mini", mode, "torch"), [])])
    print(f"| {mode} | {a:.0f} | {v:.0f} | {b:.0f} | {b/a:.2f}x | {t:.0f} | {v/t:.2f}x |")
print("\n| arch | Thaw frozen-body step speed-up (frozen / train img/s) | PyTorch's |")
print("|---|---:|---:|")
for arch in ["small-cnn", "resnet-mini"]:
    f = lambda e, m: med([r["img_s"] for r in tp.get((arch, m, e), [])])
    print(f"| {arch} | {f('thaw','frozen')/f('thaw','train'):.2f}x | {f('torch','frozen')/f('torch','train'):.2f}x |")
sg = [r for r in rows if r.get("kind") == "sgemm"]
conv, lowerings = {}, []
for r in rows:
    if r.get("kind") in ("conv_forward", "conv_forward_total"):
        low = r.get("lowering", "im2col")
        if low not in lowerings: lowerings.append(low)
        conv.setdefault(r.get("layer", "all 3x3 convs, time-weighted"), {}).setdefault(low, []).append(r)
if conv:
    print("\nsgemm ceiling (square 1024/2048, best of the two, median over rounds): %.1f GFLOP/s" %
          med([r["sgemm_gflops"] for r in rows if r.get("kind") == "conv_forward_total"]))
    print("\n| resnet-mini 3x3 conv (forward, batch 64) | " + " | ".join(f"{l} GFLOP/s (% of sgemm)" for l in lowerings) + " |")
    print("|---|" + "---:|" * len(lowerings))
    for name, by in conv.items():
        first = next(iter(by.values()))[0]
        extra = f" ({first['cin']}->{first['cout']}, {first['hw']}x{first['hw']}, stride {first['stride']})" if "cin" in first else ""
        cells = [f"{med([r['gflops'] for r in by.get(l, [])]):.1f} ({med([r['pct_of_sgemm'] for r in by.get(l, [])]):.0f}%)" for l in lowerings]
        print(f"| {name}{extra} | " + " | ".join(cells) + " |")
PY
