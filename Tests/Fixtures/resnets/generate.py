#!/usr/bin/env python3
"""Golden tensors for the ResNet parity tests (Tests/NNTests/ResNetParityTests.swift).

Too large to commit (resnet50's state alone is ~94 MB), so deploy/test.sh runs this into a build
folder before the tests:

  PY=$(deploy/torch-env.sh) && "$PY" Tests/Fixtures/resnets/generate.py --out .build/goldens/resnets

Also `torchvision_resnet18.safetensors`: `save_file(resnet18().state_dict())` with the 1000-class head,
for the end-to-end upload test.

For each case (architecture, input side) one file `<arch>_<side>.safetensors`, batch 2, 10 classes
(the 1000-class head is what the job replaces; its size changes nothing here):

  init/<state_dict name>        float32 weights and BN buffers the test loads strictly
  x [2,3,S,S], y [2] (I64)      the batch (x ~ N(0,1), i.e. already normalised)
  eval/logits, eval/loss        model.eval() forward of the initial weights
  <phase>/logits, <phase>/loss  the train-mode forward of step 1 (phase "train": every layer trains;
                                phase "frozen": stem..layer3 frozen in eval mode, layer4 + fc train)
  <phase>/grad/<param>          every trainable parameter's gradient of step 1
  <phase>/state1/<name>         state_dict after step 1 (BN running statistics, SGD-updated weights)
  <phase>/state3/<name>         state_dict after 3 steps on the same batch (phase "frozen": only
                                layer4 and fc; the frozen modules must keep init/)

Every tensor is computed twice from the same float32 start: in float64 (the reference, stored
rounded to float32, which loses nothing the tests can resolve) and in float32 as PyTorch runs it.
The file holds the float64 values plus, per tensor, `err/<key>` = max |torch float32 - float64|:
the tests accept Thaw's own deviation from the float64 reference up to a multiple of PyTorch's.

Optimizer: SGD(lr=0.01, momentum=0.9, weight_decay=1e-4), loss = mean cross-entropy. BN affine
parameters and running statistics are randomised (gamma ~ 1+0.2N, beta ~ 0.1N, mean ~ 0.1N,
var ~ 1+0.5U) so eval mode is not an identity. Seeded: the same torch writes the same files.
"""
import argparse, os, sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torchvision_resnet import resnet  # noqa: E402

DEFAULT_CASES = ["resnet18_64", "resnet34_64", "resnet50_64", "resnet18_224"]
FROZEN = ["conv1", "bn1", "layer1", "layer2", "layer3"]
LR, MOMENTUM, DECAY, BATCH, CLASSES = 0.01, 0.9, 1e-4, 2, 10


def initial(arch, seed):
    torch.manual_seed(seed)
    m = resnet(arch, num_classes=CLASSES)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, torch.nn.BatchNorm2d):
                c = mod.num_features
                mod.weight.copy_(1 + 0.2 * torch.randn(c, generator=g))
                mod.bias.copy_(0.1 * torch.randn(c, generator=g))
                mod.running_mean.copy_(0.1 * torch.randn(c, generator=g))
                mod.running_var.copy_(1 + 0.5 * torch.rand(c, generator=g))
    return m


def run(arch, init_state, x, y, dtype, phase):
    """One phase's results in `dtype` from the float32 `init_state`."""
    m = resnet(arch, num_classes=CLASSES)
    m.load_state_dict(init_state, strict=True)
    m = m.to(dtype)
    x = x.to(dtype)
    out = {}
    if phase == "eval":
        m.eval()
        with torch.no_grad():
            logits = m(x)
        out["logits"], out["loss"] = logits, F.cross_entropy(logits, y).reshape(1)
        return out
    if phase == "frozen":
        for name in FROZEN:
            for p in getattr(m, name).parameters():
                p.requires_grad_(False)
    trainable = [(n, p) for n, p in m.named_parameters() if p.requires_grad]
    opt = torch.optim.SGD([p for _, p in trainable], lr=LR, momentum=MOMENTUM, weight_decay=DECAY)
    for step in range(1, 4):
        m.train()
        if phase == "frozen":
            for name in FROZEN:
                getattr(m, name).eval()
        opt.zero_grad(set_to_none=True)
        logits = m(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        if step == 1:
            out["logits"], out["loss"] = logits.detach(), loss.detach().reshape(1)
            for n, p in trainable:
                out["grad/" + n] = p.grad.detach().clone()
        opt.step()
        if step in (1, 3):
            for n, t in m.state_dict().items():
                # A frozen module's state is the initial one (the test checks that against init/).
                if phase == "frozen" and n.split(".")[0] in FROZEN:
                    continue
                out[f"state{step}/{n}"] = t.detach().clone()
    return out


def case(arch, side, seed):
    m = initial(arch, seed)
    init_state = {k: v.clone() for k, v in m.state_dict().items()}
    g = torch.Generator().manual_seed(seed + 2)
    x = torch.randn(BATCH, 3, side, side, generator=g)
    y = torch.randint(0, CLASSES, (BATCH,), generator=g)
    tensors = {"x": x, "y": y}
    tensors.update({"init/" + k: v for k, v in init_state.items()})
    for phase in ["eval", "train", "frozen"]:
        ref = run(arch, init_state, x, y, torch.float64, phase)
        f32 = run(arch, init_state, x, y, torch.float32, phase)
        for k, v in ref.items():
            key = f"{phase}/{k}"
            if v.is_floating_point():
                tensors[key] = v.to(torch.float32).contiguous()
                tensors["err/" + key] = (f32[k].double() - v).abs().max().reshape(1).to(torch.float32)
            else:
                tensors[key] = v.contiguous()  # num_batches_tracked
    return tensors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--cases", nargs="*", default=DEFAULT_CASES, help="<arch>_<side>, e.g. resnet50_224")
    args = ap.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(int(os.environ.get("THAW_GOLDEN_THREADS", "2")))
    os.makedirs(args.out, exist_ok=True)
    # What a user uploads: torchvision's resnet18, 1000-class head, saved as the README says
    # (EndToEndTests/TorchvisionUploadTests.swift).
    torch.manual_seed(0)
    path = os.path.join(args.out, "torchvision_resnet18.safetensors")
    save_file(resnet("resnet18").state_dict(), path + ".tmp")
    os.replace(path + ".tmp", path)
    for name in args.cases:
        arch, side = name.rsplit("_", 1)
        path = os.path.join(args.out, name + ".safetensors")
        tmp = path + ".tmp"
        save_file(case(arch, int(side), seed=int(side) + len(arch)), tmp, metadata={"torch": torch.__version__})
        os.replace(tmp, path)
        print(f"wrote {path} ({os.path.getsize(path) >> 20} MiB)", file=sys.stderr)


if __name__ == "__main__":
    main()
