#!/usr/bin/env bash
# A thawd job's own epoch `images_per_second` on an RGB photo folder beside thaw-bench's engine figure
# for the same network, input size, batch, optimizer and threads, in one run (#16: the data pipeline
# and the job machinery cost under 5% of the engine's figure).
#
#   deploy/bench/job-vs-engine.sh                    # resnet18, 3x224x224, batch 32, 2 threads
#   SIZE=112 BATCH=64 deploy/bench/job-vs-engine.sh
#
# The folder is examples/rgb-finetune/make_photos.py's (Fashion-MNIST upscaled to PHOTO px and
# tinted, half JPEG, half PNG): PER_CLASS photos of each of 10 classes, no validation split, so every
# epoch is PER_CLASS * 10 / BATCH full batches. The job trains every group with SGD (momentum 0.9,
# weight decay 5e-4, as thaw-bench's step) and torchvision's photo recipe (random-resized-crop over
# the whole photo, flip) decoded and augmented by its background loader. The engine figure is
# thaw-bench's training step on in-memory tensors, timed before and after the job; the ratio is the
# job's median epoch (the first dropped: it pays the first allocations) over their mean.
#
# Prints one JSON line per measurement, then a summary line. Needs dataset-fashion-mnist and
# python3-numpy / python3-pil (deploy/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=${ARCH:-resnet18}; size=${SIZE:-224}; batch=${BATCH:-32}; threads=${THREADS:-2}
epochs=${EPOCHS:-4}; per_class=${PER_CLASS:-32}; photo=${PHOTO:-$((size * 8 / 7 + 32))}
py=/usr/bin/python3

swift build -c release --product thawd >&2
swift build -c release --product thaw-bench >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/thaw-job-vs-engine.XXXXXX")
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

engine() {
    .build/release/thaw-bench engine --arch "$arch" --size "$size" --batch "$batch" --threads "$threads" \
        --mode train --warmup 1 --windows 3 --steps 2
}

mkdir -p "$work/datasets"
"$py" examples/rgb-finetune/make_photos.py "$work/datasets/photos" --size "$photo" \
    --per-class "$per_class" --test-per-class 0 >&2
rm -r "$work/datasets/photos/test"  # empty class folders; the job has no test evaluation
before=$(engine)
echo "$before"

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
.build/release/thawd --data-dir "$work" --port "$port" --workers 1 --blas-threads "$threads" > "$work/thawd.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.2
done

during=$("$py" - "http://127.0.0.1:$port" "$arch" "$size" "$batch" "$epochs" <<'EOF'
import json, statistics, sys, time, urllib.error, urllib.request

base, arch, size, batch, epochs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: {error.code} {error.read().decode()}")

dataset = call("POST", "/v1/datasets", {"name": "photos", "path": "photos", "channels": 3})
job = call("POST", "/v1/jobs", {
    "name": "job-vs-engine", "model": {"architecture": arch}, "input_size": [3, size, size], "batch_size": batch, "seed": 1,
    "dataset": {"id": dataset["id"], "validation_fraction": 0, "crop_fraction": 0.875},
    "optimizer": {"type": "sgd", "momentum": 0.9, "weight_decay": 5e-4},
    "phases": [{"name": "all", "trainable": "all", "epochs": epochs, "lr": 0.05, "schedule": "constant",
                "augment": {"random_resized_crop": True}}],
})
while True:
    state = call("GET", f"/v1/jobs/{job['id']}")
    if state["status"] in ("succeeded", "failed", "cancelled", "stopped"):
        break
    time.sleep(1)
if state["status"] != "succeeded":
    sys.exit(f"job {job['id']} {state['status']}: {state.get('error')}")
events = call("GET", f"/v1/jobs/{job['id']}/events?format=json&limit=5000")["data"]
measured = [e["data"] for e in events if e["type"] == "epoch"]
later = measured[1:] or measured
print(json.dumps({
    "kind": "job_epochs", "arch": arch, "shape": f"3x{size}x{size}", "batch": batch, "epochs": len(measured),
    "images_per_second": [round(e["images_per_second"], 2) for e in measured],
    "loader_wait_seconds": [round(e["loader_wait_seconds"], 3) for e in measured],
    "train_seconds": [round(e["train_seconds"], 2) for e in measured],
    "img_s_median_after_first": round(statistics.median(e["images_per_second"] for e in later), 2),
}))
EOF
)
echo "$during"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
after=$(engine)
echo "$after"

"$py" - "$before" "$during" "$after" <<'EOF'
import json, sys
before, job, after = (json.loads(a) for a in sys.argv[1:])
engine = (before["img_s"] + after["img_s"]) / 2
flags = open("/proc/cpuinfo").read()
print(json.dumps({
    "kind": "summary", "job_img_s": job["img_s_median_after_first"], "engine_img_s": round(engine, 2),
    "engine_before_after": [before["img_s"], after["img_s"]],
    "job_over_engine": round(job["img_s_median_after_first"] / engine, 3),
    "cpu": "avx512f" if " avx512f" in flags else "avx2" if " avx2" in flags else "neither",
}))
EOF
