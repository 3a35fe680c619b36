#!/usr/bin/env python3
"""PyTorch doing what run.sh has thawd do, on the same photo folder and the same 2 threads, for the
figures beside Thaw's (README.md): resnet18 (torchvision's module tree, Tests/Fixtures/resnets) from
a seeded init pretrained on the first five classes, then fine-tuned on the other five — a head phase
(frozen body in inference mode, run forward on every batch: PyTorch has no activation cache) and an
unfrozen phase at fastai-style discriminative LRs — then tested with and without flip TTA.

Same recipe as pretrain.json / finetune.json: images decoded to RGB, short side resized to
64 / 0.875 = 73 px (bilinear, antialiased), center-cropped to 64x64, normalized by the training
split's per-channel mean and std; batch 32; AdamW (weight decay 0.01); fastai's one-cycle (cosine
warm-up and annealing to max/1e5, beta1 0.95 -> 0.85 -> 0.95); the best val_loss weights restored at
each job's end. Not the same: the stratified pick (a seeded shuffle here, Thaw's own pick there),
the random streams (flips, shuffles, head init), and Thaw's loader.

    PY=$(deploy/torch-env.sh) && "$PY" examples/rgb-finetune/torch_same.py FOLDER [--threads 2]

The torch environment has no Pillow, so the photos are decoded by Debian's python3 (python3-pil,
python3-numpy) running this file with --decode, into a temporary .npz the torch side reads.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

if "--decode" not in sys.argv:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../Tests/Fixtures/resnets"))
    from torchvision_resnet import resnet  # noqa: E402


def decode(root, names, size=64, crop_fraction=0.875):
    """Thaw's evaluation-style decode (short side to size / crop_fraction, center crop) -> NHWC floats."""
    from PIL import Image
    short = round(size / crop_fraction)
    xs, ys = [], []
    for label, name in enumerate(names):
        folder = os.path.join(root, name)
        for file in sorted(os.listdir(folder)):
            image = Image.open(os.path.join(folder, file)).convert("RGB")
            w, h = image.size
            scale = short / min(w, h)
            image = image.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.BILINEAR)
            w, h = image.size
            left, top = (w - size) // 2, (h - size) // 2
            xs.append(np.asarray(image.crop((left, top, left + size, top + size)), np.float32) / 255)
            ys.append(label)
    return np.stack(xs), np.array(ys)


def load_split(root, names):
    """The split as NCHW tensors, decoded by Debian's python3 (Pillow) into a temporary .npz."""
    import subprocess
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "split.npz")
        subprocess.run(["/usr/bin/python3", os.path.abspath(__file__), "--decode", root, out, ",".join(names)], check=True)
        data = np.load(out)
        return torch.from_numpy(data["x"]).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(data["y"]).long()


def stratified(labels, fraction, seed):
    g = torch.Generator().manual_seed(seed)
    train, validation = [], []
    for c in labels.unique():
        idx = (labels == c).nonzero().flatten()
        idx = idx[torch.randperm(len(idx), generator=g)]
        k = round(len(idx) * fraction)
        validation += idx[:k].tolist()
        train += idx[k:].tolist()
    return torch.tensor(train), torch.tensor(validation)


def one_cycle(optimizer, peaks, steps, pct, div):
    """fastai's fit_one_cycle per step: LR cos max/div -> max -> max/1e5, beta1 0.95 -> 0.85 -> 0.95."""
    def cos(a, b, p):
        return a + (1 + math.cos(math.pi * (1 - p))) * (b - a) / 2
    def at(step):
        p = step / max(1, steps)
        for group, peak in zip(optimizer.param_groups, peaks):
            if p < pct:
                q = p / pct
                group["lr"], beta = cos(peak / div, peak, q), cos(0.95, 0.85, q)
            else:
                q = (p - pct) / (1 - pct)
                group["lr"], beta = cos(peak, peak / 1e5, q), cos(0.85, 0.95, q)
            group["betas"] = (beta, group["betas"][1])
    return at


GROUPS = ["stem", "layer1", "layer2", "layer3", "layer4", "head"]


def group_of(name):
    for g in GROUPS[1:5]:
        if name.startswith(g + "."):
            return g
    return "head" if name.startswith("fc.") else "stem"


def evaluate(model, x, y, batch=256, flip=False):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            xb, yb = x[i:i + batch], y[i:i + batch]
            p = F.softmax(model(xb), 1)
            if flip:
                p = (p + F.softmax(model(xb.flip(3)), 1)) / 2
            loss += F.nll_loss(torch.log(p.clamp_min(1e-30)), yb, reduction="sum").item()
            correct += (p.argmax(1) == yb).sum().item()
    return loss / len(x), correct / len(x)


def train_phase(model, name, x, y, vx, vy, epochs, peaks_by_group, pct, div, trainable, batch, seed, best):
    for n, p in model.named_parameters():
        p.requires_grad = group_of(n) in trainable
    groups = {g: [p for n, p in model.named_parameters() if group_of(n) == g and p.requires_grad] for g in GROUPS}
    groups = {g: ps for g, ps in groups.items() if ps}
    optimizer = torch.optim.AdamW([{"params": ps} for ps in groups.values()], lr=1e-3, weight_decay=0.01)
    peaks = [peaks_by_group[g] for g in groups]
    steps_per_epoch = len(x) // batch if len(x) % batch == 1 else math.ceil(len(x) / batch)
    schedule = one_cycle(optimizer, peaks, epochs * steps_per_epoch, pct, div)
    frozen_body = trainable == {"head"}
    rows, step = [], 0
    for epoch in range(epochs):
        g = torch.Generator().manual_seed(seed * 1000 + epoch)
        order = torch.randperm(len(x), generator=g)
        model.train()
        if frozen_body:  # Keras/Thaw's policy: BatchNorm of frozen layers stays in inference mode
            for m in model.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.eval()
        started, seen, loss_sum = time.perf_counter(), 0, 0.0
        for b in range(steps_per_epoch):
            idx = order[b * batch:(b + 1) * batch]
            xb, yb = x[idx], y[idx]
            if name == "scratch":  # pretrain.json's augment: hflip
                flips = torch.rand(len(xb), generator=g) < 0.5
                xb = torch.where(flips[:, None, None, None], xb.flip(3), xb)
            schedule(step)
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            step += 1
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
        train_seconds = time.perf_counter() - started
        val_loss, val_accuracy = evaluate(model, vx, vy)
        rows.append({"phase": name, "epoch": epoch + 1, "train_loss": loss_sum / seen, "val_loss": val_loss,
                     "val_accuracy": val_accuracy, "train_seconds": train_seconds, "images_per_second": seen / train_seconds})
        print(f"  {name:>8} epoch {epoch + 1}: train_loss {loss_sum / seen:.4f}  val_accuracy {val_accuracy:.3f}  "
              f"{seen / train_seconds:.1f} img/s  train {train_seconds:.2f} s", flush=True)
        if best["loss"] is None or val_loss < best["loss"]:
            best["loss"], best["state"] = val_loss, {k: v.clone() for k, v in model.state_dict().items()}
    return rows


def job(model, name_phases, x, y, fraction, test, batch=32, seed=1):
    ti, vi = stratified(y, fraction, 1)
    mean = x[ti].mean((0, 2, 3), keepdim=True)
    std = x[ti].std((0, 2, 3), keepdim=True)
    norm = lambda t: (t - mean) / std
    tx, ty, vx, vy = norm(x[ti]), y[ti], norm(x[vi]), y[vi]
    best = {"loss": None, "state": None}
    started = time.perf_counter()
    rows = []
    for phase in name_phases:
        rows += train_phase(model, phase["name"], tx, ty, vx, vy, phase["epochs"], phase["peaks"], phase["pct"],
                            phase["div"], phase["trainable"], batch, seed, best)
    model.load_state_dict(best["state"])
    result = {"rows": rows}
    if test is not None:
        sx, sy = norm(test[0]), test[1]
        result["test_loss"], result["test_accuracy"] = evaluate(model, sx, sy)
        result["tta_loss"], result["tta_accuracy"] = evaluate(model, sx, sy, flip=True)
    result["wall_seconds"] = time.perf_counter() - started
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    names = sorted(os.listdir(os.path.join(args.folder, "train")))  # the order Thaw's image folder labels
    source, target = names[:5], names[5:]
    started = time.perf_counter()
    x, y = load_split(os.path.join(args.folder, "train"), source)
    torch.manual_seed(1)
    model = resnet("resnet18", num_classes=5)
    print(f"pretrain on {source}")
    pre = job(model, [{"name": "scratch", "epochs": 4, "peaks": {g: 3e-3 for g in GROUPS}, "pct": 0.25, "div": 25,
                       "trainable": set(GROUPS)}], x, y, 0.1, None)
    model.fc = nn.Linear(512, 5)  # a new head for the target classes
    x, y = load_split(os.path.join(args.folder, "train"), target)
    test = load_split(os.path.join(args.folder, "test"), target)
    lrs = {g: 1e-4 * (10 ** (i / (len(GROUPS) - 1))) for i, g in enumerate(GROUPS)}  # even_mults(1e-4, 1e-3)
    print(f"fine-tune on {target}")
    fine = job(model, [{"name": "head", "epochs": 4, "peaks": {g: 1e-2 for g in GROUPS}, "pct": 0.25, "div": 25,
                        "trainable": {"head"}},
                       {"name": "all", "epochs": 3, "peaks": lrs, "pct": 0.3, "div": 5, "trainable": set(GROUPS)}],
               x, y, 0.2, test)
    print(f"  test accuracy {fine['test_accuracy']:.4f} (flip TTA {fine['tta_accuracy']:.4f})")
    def phase(rows, name):
        mine = [r for r in rows if r["phase"] == name]
        return {"epochs": len(mine), "train_seconds_per_epoch": round(sum(r["train_seconds"] for r in mine) / len(mine), 3),
                "images_per_second": round(sum(r["images_per_second"] for r in mine) / len(mine), 1),
                "val_accuracy": mine[-1]["val_accuracy"]}
    print("SUMMARY " + json.dumps({
        "torch": torch.__version__, "threads": args.threads,
        "pretrain": {"wall_seconds": round(pre["wall_seconds"], 1), "scratch": phase(pre["rows"], "scratch")},
        "finetune": {"wall_seconds": round(fine["wall_seconds"], 1), "test_accuracy": fine["test_accuracy"],
                     "tta_accuracy": fine["tta_accuracy"], "head": phase(fine["rows"], "head"), "all": phase(fine["rows"], "all")},
        "wall_seconds_total": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--decode"]:
        x, y = decode(sys.argv[2], sys.argv[4].split(","))
        np.savez(sys.argv[3], x=x, y=y)
    else:
        main()
