#!/usr/bin/env python3
"""PyTorch <-> Thaw weight round trip (needs torch + safetensors: `deploy/torch-env.sh`).

1. Builds torchvision's ResNet-18/34/50 (Tests/Fixtures/resnets/torchvision_resnet.py) or VGG-16
   module tree (same state_dict names; torchvision itself is not required), seeds it, randomises BN statistics, saves it with safetensors.torch.save_file.
2. `thaw-bench roundtrip` loads it strictly, writes eval-mode logits and re-saves the weights.
3. The Thaw-saved file is loaded into a fresh PyTorch model with load_state_dict(strict=True) and
   both models' logits are compared with PyTorch's.

  python docs/engine/verify_torch_roundtrip.py --bench .build/release/thaw-bench [--arch resnet18]
Prints one JSON line with the worst logit differences.
"""
import argparse, json, os, subprocess, sys, tempfile

import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "Fixtures", "resnets"))
from torchvision_resnet import resnet  # noqa: E402  (torchvision's module tree in torch.nn)


def vgg16():
    cfg = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]
    layers, cin = [], 3
    for v in cfg:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(cin, v, 3, padding=1), nn.ReLU(inplace=True)]
            cin = v
    m = nn.Module()
    m.features = nn.Sequential(*layers)
    m.avgpool = nn.AdaptiveAvgPool2d((7, 7))
    m.classifier = nn.Sequential(nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 4096),
                                 nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000))
    m.forward = lambda x: m.classifier(torch.flatten(m.avgpool(m.features(x)), 1))
    return m


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default=".build/release/thaw-bench")
    ap.add_argument("--arch", default="resnet18", choices=["resnet18", "resnet34", "resnet50", "vgg16"])
    ap.add_argument("--classes", type=int, default=1000)
    ap.add_argument("--size", type=int, default=224)
    args = ap.parse_args()
    torch.manual_seed(0)
    make = vgg16 if args.arch == "vgg16" else (lambda: resnet(args.arch, num_classes=args.classes))
    model = make()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5); m.bias.normal_(0, 0.1)
                m.running_mean.normal_(0, 0.1); m.running_var.uniform_(0.5, 1.5)
                m.num_batches_tracked.fill_(7)
    model.eval()
    x = torch.randn(2, 3, args.size, args.size)
    with torch.no_grad():
        ref = model(x)
    tmp = tempfile.mkdtemp(prefix="thaw-roundtrip-")
    p = lambda n: os.path.join(tmp, n)
    save_file(model.state_dict(), p("torch.safetensors"))
    save_file({"x": x.contiguous()}, p("x.safetensors"))
    subprocess.run([args.bench, "roundtrip", "--arch", args.arch, "--weights", p("torch.safetensors"), "--input",
                    p("x.safetensors"), "--logits", p("logits.safetensors"), "--out", p("thaw.safetensors")], check=True)
    thaw_logits = load_file(p("logits.safetensors"))["logits"]
    back = make()
    result = back.load_state_dict(load_file(p("thaw.safetensors")), strict=True)
    back.eval()
    with torch.no_grad():
        again = back(x)
    from safetensors import safe_open
    with safe_open(p("thaw.safetensors"), "pt") as f:
        meta = f.metadata()
    print(json.dumps({
        "kind": "torch_roundtrip", "arch": args.arch, "strict_load": str(result),
        "thaw_vs_torch_logits_max_abs": float((thaw_logits - ref).abs().max()),
        "torch_reloaded_vs_torch_max_abs": float((again - ref).abs().max()),
        "logit_scale": float(ref.abs().max()),
        "metadata_keys": sorted(meta.keys()),
    }))


if __name__ == "__main__":
    main()
