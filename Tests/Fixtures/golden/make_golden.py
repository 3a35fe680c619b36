#!/usr/bin/env python3
"""Generates the PyTorch golden tensors the engine is checked against (Tests/NNTests/GoldenTests).

TinyCNN + SGD, float32 on the CPU with one thread and deterministic algorithms, plus the same
computation in float64 from the same float32 initial values. Every formula PyTorch applies here
(BatchNorm's batch statistics and running-statistic update, cross-entropy and its gradient, SGD with
momentum and L2 weight decay) is re-derived by hand below and asserted equal to what PyTorch did, so
the files are a check of the formulas as well as of PyTorch. README.md beside this file describes the
model, the conventions and every file.

    PY=$(deploy/torch-env.sh)
    "$PY" Tests/Fixtures/golden/make_golden.py Tests/Fixtures/golden/public   # regenerate in place
    "$PY" Tests/Fixtures/golden/make_golden.py --check Tests/Fixtures/golden/public  # what deploy/test.sh runs

--check regenerates into a temporary folder and compares: the seeded model_init/batch byte for byte,
every computed tensor within rounding (PyTorch's AVX2 and AVX-512 kernels differ in the last bits,
so a byte-for-byte match holds only on a CPU like the one that wrote the files), and SHA256SUMS. --init-from DIR takes model_init/batch from DIR instead of seeding them
(to reproduce another golden set computed the same way).
"""
import argparse
import hashlib
import json
import os
import sys
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

SEED = 20261201
LR, MOMENTUM, WEIGHT_DECAY = 0.1, 0.9, 1e-4
EPS, BN_MOMENTUM = 1e-5, 0.1
LABELS = [0, 2, 1, 2]
INFO = json.dumps({
    "generator": "make_golden.py",
    "layout": "NCHW, conv weight OIHW, linear weight [out,in]",
    "optimizer": "SGD lr=0.1 momentum=0.9 dampening=0 wd=1e-4 nesterov=False",
    "set": "public",
    "torch": torch.__version__,
}, sort_keys=True)
FILES = ["model_init.safetensors", "batch.safetensors", "eval_forward.safetensors",
         "step1.safetensors", "step2.safetensors", "f64/eval_forward.safetensors",
         "f64/step1.safetensors", "f64/step2.safetensors", "f32_vs_f64.json"]


class TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(4, eps=EPS, momentum=BN_MOMENTUM)
        self.conv2 = nn.Conv2d(4, 8, 3, 2, 1, bias=True)
        self.fc = nn.Linear(8, 3)

    def body(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2, 2)
        return F.relu(self.conv2(x))

    def forward(self, x):
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(self.body(x), 1), 1))


def seeded_initial_state():
    """Seeded random values (not PyTorch's default init), BatchNorm deliberately non-trivial."""
    g = torch.Generator().manual_seed(SEED)
    def normal(*shape, scale):
        return torch.randn(*shape, generator=g, dtype=torch.float32) * scale
    state = {
        "conv1.weight": normal(4, 1, 3, 3, scale=0.5),
        "bn1.weight": 1 + normal(4, scale=0.2),
        "bn1.bias": normal(4, scale=0.1),
        "bn1.running_mean": normal(4, scale=0.1),
        "bn1.running_var": 1 + 0.5 * torch.rand(4, generator=g, dtype=torch.float32),
        "bn1.num_batches_tracked": torch.tensor(0, dtype=torch.int64),
        "conv2.weight": normal(8, 4, 3, 3, scale=0.3),
        "conv2.bias": normal(8, scale=0.1),
        "fc.weight": normal(3, 8, scale=0.4),
        "fc.bias": normal(3, scale=0.1),
    }
    batch = {"x": torch.randn(4, 1, 8, 8, generator=g, dtype=torch.float32),
             "y": torch.tensor(LABELS, dtype=torch.int64)}
    return state, batch


def close(a, b, what, dtype):
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    a, b = a.detach().to(torch.float64), b.detach().to(torch.float64)
    worst = (a - b).abs().max().item() if a.numel() else 0.0
    assert worst <= tol * (1 + b.abs().max().item()), f"{what}: hand-derived value differs by {worst}"


def hand_forward_check(model, x, y, logits, loss, running_before, dtype):
    """Recomputes the train-mode forward, the running statistics and the loss by the formulas."""
    c = F.conv2d(x, model.conv1.weight, None, 1, 1)
    m = c.shape[0] * c.shape[2] * c.shape[3]
    mean = c.mean(dim=(0, 2, 3))
    var_b = ((c - mean.view(1, -1, 1, 1)) ** 2).sum(dim=(0, 2, 3)) / m
    var_u = ((c - mean.view(1, -1, 1, 1)) ** 2).sum(dim=(0, 2, 3)) / (m - 1)
    bn = (c - mean.view(1, -1, 1, 1)) / torch.sqrt(var_b.view(1, -1, 1, 1) + EPS)
    bn = bn * model.bn1.weight.view(1, -1, 1, 1) + model.bn1.bias.view(1, -1, 1, 1)
    h = F.max_pool2d(torch.clamp(bn, min=0), 2, 2)
    h = torch.clamp(F.conv2d(h, model.conv2.weight, model.conv2.bias, 2, 1), min=0)
    expected_logits = h.mean(dim=(2, 3)) @ model.fc.weight.t() + model.fc.bias
    close(logits, expected_logits, "logits", dtype)
    rm, rv = running_before
    close(model.bn1.running_mean, (1 - BN_MOMENTUM) * rm + BN_MOMENTUM * mean, "running_mean", dtype)
    close(model.bn1.running_var, (1 - BN_MOMENTUM) * rv + BN_MOMENTUM * var_u, "running_var", dtype)
    expected_loss = (torch.logsumexp(logits, 1) - logits.gather(1, y.view(-1, 1)).squeeze(1)).mean()
    close(loss, expected_loss, "loss", dtype)
    return (torch.softmax(logits, 1) - F.one_hot(y, 3).to(dtype)) / x.shape[0]


def train_step(model, opt, x, y, step, dtype):
    running = (model.bn1.running_mean.clone(), model.bn1.running_var.clone())
    params_before = {n: p.detach().clone() for n, p in model.named_parameters()}
    buffers_before = {n: opt.state[p]["momentum_buffer"].clone()
                      for n, p in model.named_parameters() if p in opt.state}
    model.train()
    opt.zero_grad(set_to_none=True)
    logits = model(x)
    logits.retain_grad()
    loss = F.cross_entropy(logits, y)
    expected_dlogits = hand_forward_check(model, x, y, logits.detach(), loss.detach(), running, dtype)
    loss.backward()
    close(logits.grad, expected_dlogits, "d loss / d logits", dtype)
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    opt.step()
    out = {"logits": logits.detach().clone(), "loss": loss.detach().reshape(1).clone()}
    for n, p in model.named_parameters():
        g = grads[n] + WEIGHT_DECAY * params_before[n]
        buf = g if n not in buffers_before else MOMENTUM * buffers_before[n] + g
        close(opt.state[p]["momentum_buffer"], buf, f"momentum_buffer/{n}", dtype)
        close(p, params_before[n] - LR * buf, f"sgd/{n}", dtype)
        out["grad/" + n] = grads[n]
        out["momentum_buffer/" + n] = opt.state[p]["momentum_buffer"].clone()
    for n, t in model.state_dict().items():
        out["state/" + n] = t.detach().clone()
    assert int(out["state/bn1.num_batches_tracked"]) == step
    return out


def run(state, batch, dtype):
    model = TinyCNN()
    model.load_state_dict(state, strict=True)
    model = model.to(dtype)
    x = batch["x"].to(dtype)
    y = batch["y"]
    model.eval()
    with torch.no_grad():
        eval_logits = model(x)
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM, dampening=0,
                          weight_decay=WEIGHT_DECAY, nesterov=False)
    steps = [train_step(model, opt, x, y, step, dtype) for step in (1, 2)]
    return {"logits": eval_logits}, steps


def worst_abs(a, b):
    worst = ("", 0.0)
    for k in a:
        if a[k].dtype.is_floating_point:
            d = (a[k].to(torch.float64) - b[k]).abs().max().item()
            if d > worst[1]:
                worst = (k, d)
    return list(worst)


def generate(out_dir, init_from=None):
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    if init_from:
        state = load_file(os.path.join(init_from, "model_init.safetensors"))
        batch = load_file(os.path.join(init_from, "batch.safetensors"))
    else:
        state, batch = seeded_initial_state()
    eval32, steps32 = run(state, batch, torch.float32)
    eval64, steps64 = run(state, batch, torch.float64)
    os.makedirs(os.path.join(out_dir, "f64"), exist_ok=True)
    meta = {"info": INFO}
    save_file(state, os.path.join(out_dir, "model_init.safetensors"), metadata=meta)
    save_file(batch, os.path.join(out_dir, "batch.safetensors"), metadata=meta)
    for prefix, ev, steps in (("", eval32, steps32), ("f64/", eval64, steps64)):
        save_file(ev, os.path.join(out_dir, prefix + "eval_forward.safetensors"), metadata=meta)
        for i, s in enumerate(steps, 1):
            save_file(s, os.path.join(out_dir, f"{prefix}step{i}.safetensors"), metadata=meta)
    # The float32 rounding noise floor: how far float32 lies from float64 on the same inputs.
    diff = (eval32["logits"].to(torch.float64) - eval64["logits"]).abs()
    report = {"eval_logits": [diff.max().item(), (diff / eval64["logits"].abs()).max().item()]}
    for i in (1, 2):
        report[f"step{i}_worst_abs"] = worst_abs(steps32[i - 1], steps64[i - 1])
        report[f"step{i}_loss_f32"] = steps32[i - 1]["loss"].item()
        report[f"step{i}_loss_f64"] = steps64[i - 1]["loss"].item()
    with open(os.path.join(out_dir, "f32_vs_f64.json"), "w") as f:
        json.dump(report, f, indent=1)
    with open(os.path.join(out_dir, "SHA256SUMS"), "w") as f:
        for name in sorted(n for n in FILES if n.endswith(".safetensors")):
            digest = hashlib.sha256(open(os.path.join(out_dir, name), "rb").read()).hexdigest()
            f.write(f"{digest}  {name}\n")


def same_tensors(a_path, b_path):
    """Equal keys, dtypes and shapes; values within the rounding that PyTorch's CPU kernels vary
    by between instruction sets (AVX2 and AVX-512 builds differ in the last bits, float64 too)."""
    a, b = load_file(a_path), load_file(b_path)
    if a.keys() != b.keys():
        return False
    for k in a:
        if a[k].dtype != b[k].dtype or a[k].shape != b[k].shape:
            return False
        if a[k].dtype.is_floating_point:
            rtol, atol = (1e-5, 1e-6) if a[k].dtype == torch.float32 else (1e-12, 1e-13)
            if not torch.allclose(a[k], b[k], rtol=rtol, atol=atol):
                return False
        elif not torch.equal(a[k], b[k]):
            return False
    return True


def check(folder, init_from=None):
    """Regenerates into a temporary folder and compares: the seeded inputs byte for byte, every
    computed tensor within the kernels' rounding, and SHA256SUMS against the files in FOLDER."""
    problems = []
    for line in open(os.path.join(folder, "SHA256SUMS")):
        digest, name = line.split()
        if hashlib.sha256(open(os.path.join(folder, name), "rb").read()).hexdigest() != digest:
            problems.append(f"{name} does not match SHA256SUMS")
    with tempfile.TemporaryDirectory() as tmp:
        generate(tmp, init_from)
        identical = 0
        for name in FILES:
            mine, fresh = os.path.join(folder, name), os.path.join(tmp, name)
            if not os.path.exists(mine):
                problems.append(f"{name} is missing")
            elif open(mine, "rb").read() == open(fresh, "rb").read():
                identical += 1
            elif name in ("model_init.safetensors", "batch.safetensors", "f32_vs_f64.json"):
                if name != "f32_vs_f64.json":
                    problems.append(f"{name} differs from the seeded values")
            elif not same_tensors(mine, fresh):
                problems.append(f"{name} differs beyond rounding")
    if problems:
        print(f"make_golden.py --check: {folder}: " + "; ".join(problems), file=sys.stderr)
        return 1
    how = ("every file byte for byte" if identical == len(FILES)
           else f"{identical} of {len(FILES)} files byte for byte, the rest within rounding")
    print(f"make_golden.py --check: {folder} reproduced ({how}) on torch {torch.__version__}, "
          f"{torch.backends.cpu.get_cpu_capability()} kernels")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--check", action="store_true", help="compare a fresh run with FOLDER; writes nothing")
    parser.add_argument("--init-from", help="take model_init/batch.safetensors from this folder")
    args = parser.parse_args()
    if args.check:
        sys.exit(check(args.folder, args.init_from))
    generate(args.folder, args.init_from)
