#!/usr/bin/env python3
"""Drives one run of the example against a live thawd (standard library only): registers the photo
folder, pretrains resnet18 from scratch on five classes, promotes it, fine-tunes it on the other five
(a head phase from the activation cache, then every group at discriminative LRs), promotes that and
runs an evaluate job on the test split. Prints each epoch's figures and a JSON summary line.

    python3 drive.py URL DATASET_PATH    # DATASET_PATH relative to thawd's --dataset-root
"""
import hashlib
import json
import os
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
URL, PATH = sys.argv[1], sys.argv[2]


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=600) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        sys.exit(f"{method} {path}: HTTP {error.code}: {error.read().decode()}")


def weights_sha256(model_id):
    with urllib.request.urlopen(f"{URL}/v1/models/{model_id}/weights", timeout=600) as response:
        return hashlib.sha256(response.read()).hexdigest()


def spec(name, **ids):
    with open(os.path.join(HERE, name)) as f:
        text = f.read()
    for placeholder, value in ids.items():
        text = text.replace(f"<{placeholder.replace('_', ' ')}>", value)
    return json.loads(text)


def run(body):
    """Submits a job and waits for it; its final object, epoch rows and wall seconds."""
    started = time.monotonic()
    job = call("POST", "/v1/jobs", body)
    while job["status"] not in ("succeeded", "stopped", "failed", "cancelled"):
        time.sleep(1)
        job = call("GET", f"/v1/jobs/{job['id']}")
    wall = time.monotonic() - started
    if job["status"] not in ("succeeded", "stopped"):
        sys.exit(f"job {job['name']} {job['status']}: {json.dumps(job.get('error'))}")
    rows = call("GET", f"/v1/jobs/{job['id']}/metrics?limit=1000")["data"]
    print(f"\n{job['name']}: {job['status']} in {wall:.1f} s")
    for r in rows:
        print(f"  {r['phase']:>8} epoch {r['global_epoch']:>2}: train_loss {r['train_loss']:.4f}  val_accuracy {r.get('val_accuracy') or 0:.3f}"
              f"  {r['images_per_second']:.1f} img/s  train {r['train_seconds']:.2f} s  cache {r['cache_seconds']:.2f} s"
              f"  from_cache {str(r['from_cache']).lower()}")
    return job, rows, wall


def phase_figures(rows, phase):
    mine = [r for r in rows if r["phase"] == phase]
    return {
        "epochs": len(mine),
        "from_cache": all(r["from_cache"] for r in mine),
        "cache_seconds": round(sum(r["cache_seconds"] for r in mine), 3),
        "train_seconds_per_epoch": round(sum(r["train_seconds"] for r in mine) / max(1, len(mine)), 3),
        "images_per_second": round(sum(r["images_per_second"] for r in mine) / max(1, len(mine)), 1),
        "seconds": round(sum(r["seconds"] for r in mine), 2),
        "val_accuracy": mine[-1].get("val_accuracy") if mine else None,
    }


def main():
    dataset = call("POST", "/v1/datasets", {"name": "rgb-fashion", "path": PATH})
    print(f"dataset {dataset['id']}: {json.dumps(dataset.get('num_images'))} images, classes {dataset.get('classes')}")
    pre, pre_rows, pre_wall = run(spec("pretrain.json", dataset_id=dataset["id"]))
    base = call("POST", "/v1/models", {"from_job": pre["id"], "name": "rgb-resnet18-base"})
    fine, fine_rows, fine_wall = run(spec("finetune.json", dataset_id=dataset["id"], base_model_id=base["id"]))
    tuned = call("POST", "/v1/models", {"from_job": fine["id"], "name": "rgb-resnet18-tuned"})
    weights_before = weights_sha256(tuned["id"])
    evaluation, _, eval_wall = run(spec("evaluate.json", dataset_id=dataset["id"], tuned_model_id=tuned["id"]))
    e = evaluation["result"]["evaluation"]
    print(f"  evaluate: {e['split']} {e['count']} images, accuracy {e['accuracy']:.4f} (flip TTA {e.get('tta_accuracy', 0):.4f}), "
          f"per class {json.dumps(e['per_class_accuracy'])}")
    unchanged = weights_sha256(tuned["id"]) == weights_before
    print(f"  the evaluated model's weights are {'unchanged' if unchanged else 'CHANGED'} (sha256 {weights_before[:16]}…)")
    summary = {
        "pretrain": {"wall_seconds": round(pre_wall, 1), "test_accuracy": pre["result"].get("test_accuracy"),
                     "scratch": phase_figures(pre_rows, "scratch")},
        "finetune": {"wall_seconds": round(fine_wall, 1), "test_accuracy": fine["result"].get("test_accuracy"),
                     "tta_accuracy": fine["result"].get("tta_accuracy"),
                     "head": phase_figures(fine_rows, "head"), "all": phase_figures(fine_rows, "all")},
        "evaluate": {"wall_seconds": round(eval_wall, 1), "accuracy": e["accuracy"], "loss": e["loss"],
                     "tta_accuracy": e.get("tta_accuracy"), "count": e["count"],
                     "weights_unchanged": unchanged},
    }
    print("SUMMARY " + json.dumps(summary))
    if not unchanged:
        sys.exit("the evaluate job changed the model's weights")


if __name__ == "__main__":
    main()
