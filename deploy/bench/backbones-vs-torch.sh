#!/usr/bin/env bash
# torchvision ResNets in Thaw's engine beside PyTorch CPU, in one run on one machine: training (all
# layers), frozen body (head only) and inference throughput for resnet18 and resnet50 at 3x224x224
# batch 32 and resnet18 at 3x112x112 batch 64; Thaw on its best kernels and with `--lowering avx2`
# (what a CPU without AVX-512 runs); peak RSS per process; per-layer convolution efficiency against
# this machine's sgemm (batch 8).
#
#   deploy/bench/backbones-vs-torch.sh [rounds]     # default 1; PyTorch from deploy/torch-env.sh
#
# Each measurement is its own process (peak RSS is per mode), and Thaw and PyTorch alternate within
# a configuration so that background load hits both alike. JSON lines go to
# .build/bench/backbones-vs-torch.jsonl, then a markdown table of medians over rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-1}
threads=${THREADS:-2}
timing=${TIMING:---warmup 2 --windows 3 --steps 2}
python=${PYTHON:-$(deploy/torch-env.sh)}
swift build -c release --product thaw-bench >&2
bench=.build/release/thaw-bench
out=.build/bench/backbones-vs-torch.jsonl
mkdir -p "$(dirname "$out")"
: > "$out"
for round in $(seq 1 "$rounds"); do
    for config in "resnet18 224 32" "resnet50 224 32" "resnet18 112 64"; do
        read -r arch size batch <<< "$config"
        for mode in train frozen infer; do
            # shellcheck disable=SC2086
            "$bench" engine --arch "$arch" --size "$size" --batch "$batch" --mode "$mode" --threads "$threads" $timing | tee -a "$out"
            # shellcheck disable=SC2086
            "$python" deploy/bench/torch_peer.py --arch "$arch" --size "$size" --batch "$batch" --mode "$mode" \
                --threads "$threads" $timing | "$python" -c 'import json,sys
for l in sys.stdin:
    d=json.loads(l); d["engine"]="torch"; print(json.dumps(d))' | tee -a "$out"
            # shellcheck disable=SC2086
            "$bench" engine --arch "$arch" --size "$size" --batch "$batch" --mode "$mode" --threads "$threads" \
                --lowering avx2 $timing | tee -a "$out"
        done
    done
done
for arch in resnet18 resnet50; do
    "$bench" engine --arch "$arch" --size 224 --batch 8 --mode conv --threads "$threads" | tee -a "$out"
done
"$python" - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(xs): return statistics.median(xs) if xs else float("nan")
tp = {}
for r in rows:
    if r.get("kind") == "throughput":
        r["img_s"] = r.get("img_s", r.get("img_s_median"))
        engine = r["engine"] + ("-avx2" if r.get("lowering") == "avx2" else "")
        tp.setdefault((r["arch"], r["size"], r["batch"], r["mode"], engine), []).append(r)
print("\n| arch | input | batch | mode | Thaw img/s | Thaw AVX2 img/s | PyTorch img/s | Thaw / PyTorch | AVX2 / PyTorch | Thaw RSS MiB | PyTorch RSS MiB |")
print("|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
for arch, size, batch in [("resnet18", 224, 32), ("resnet50", 224, 32), ("resnet18", 112, 64)]:
    for mode in ["train", "frozen", "infer"]:
        get = lambda e: tp.get((arch, size, batch, mode, e), [])
        t, a, p = (med([r["img_s"] for r in get(e)]) for e in ("thaw", "thaw-avx2", "torch"))
        trss, prss = (med([r.get("peak_rss_mib", float("nan")) for r in get(e)]) for e in ("thaw", "torch"))
        print(f"| {arch} | 3x{size}x{size} | {batch} | {mode} | {t:.1f} | {a:.1f} | {p:.1f} | {t/p:.2f}x | {a/p:.2f}x | {trss:.0f} | {prss:.0f} |")
print("\n| arch | layer | k | stride | cin→cout | H | lowering | GFLOP/s | % of sgemm |")
print("|---|---|---:|---:|---|---:|---|---:|---:|")
for r in rows:
    if r.get("kind") == "conv_forward":
        print(f"| {r['arch']} | {r['layer']} | {r.get('kernel', 3)} | {r['stride']} | {r['cin']}→{r['cout']} | {r['hw']} | {r['lowering']} | {r['gflops']:.1f} | {r['pct_of_sgemm']:.0f}% |")
    if r.get("kind") == "conv_forward_total":
        print(f"| {r['arch']} | all | | | | | {r['lowering']} | {r['gflops']:.1f} | {r['pct_of_sgemm']:.0f}% |")
PY
