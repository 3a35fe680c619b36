#!/usr/bin/env bash
# Prints the path of a Python that imports torch 2.13 (CPU), safetensors and numpy, creating a
# virtual environment for it once. Used by the golden-tensor generators (Tests/Fixtures/) and the
# PyTorch peer benchmarks (deploy/bench/). Only PyPI is reached (these machines also carry the CPU
# wheel in pip's find-links); PyPI's default torch wheel is the CUDA build, hence the pinned +cpu.
#
#   PY=$(deploy/torch-env.sh) && "$PY" deploy/bench/torch_peer.py --mode describe
#
# THAW_TORCH_VENV picks the folder (default /var/tmp/thaw-torch, kept between runs).
set -euo pipefail
venv=${THAW_TORCH_VENV:-/var/tmp/thaw-torch}
py="$venv/bin/python"
if [ -x "$py" ] && "$py" -c 'import torch, safetensors, numpy' 2>/dev/null; then
    echo "$py"
    exit 0
fi
. "$(dirname "$0")/python-venv.sh"
make_venv "$venv" --no-deps 'torch==2.13.0+cpu'
"$venv/bin/pip" install -q filelock typing-extensions sympy networkx jinja2 fsspec \
    'setuptools>=77.0.3' numpy safetensors >&2
echo "$py"
