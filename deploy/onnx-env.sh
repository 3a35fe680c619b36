#!/usr/bin/env bash
# Prints the path of a Python that imports onnx, onnxruntime and numpy (pinned, from PyPI), creating
# a virtual environment for it once. Used by Tests/ONNXTests (onnxruntime runs every exported
# architecture against Thaw's own forward) and by the README's evaluation snippet.
#
#   PY=$(deploy/onnx-env.sh) && "$PY" -c 'import onnxruntime; print(onnxruntime.__version__)'
#
# THAW_ONNX_VENV picks the folder (default /var/tmp/thaw-onnx, kept between runs).
set -euo pipefail
venv=${THAW_ONNX_VENV:-/var/tmp/thaw-onnx}
py="$venv/bin/python"
pins=(onnx==1.23.2 onnxruntime==1.32.0 numpy==2.4.6)
if [ -x "$py" ] && "$py" - "${pins[@]}" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(any(version(p.split("==")[0]) != p.split("==")[1] for p in sys.argv[1:]))
PY
then
    echo "$py"
    exit 0
fi
. "$(dirname "$0")/python-venv.sh"
make_venv "$venv" "${pins[@]}"
echo "$py"
