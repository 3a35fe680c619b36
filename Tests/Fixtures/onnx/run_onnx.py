"""Checks an ONNX file Thaw exported and runs it with onnxruntime (Tests/ONNXTests/OnnxRuntimeTests).

    run_onnx.py MODEL.onnx INPUT.f32 N,C,H,W LOGITS.f32

INPUT.f32 is the batch as little-endian float32 in NCHW order; the logits onnxruntime computes are
written to LOGITS.f32 the same way. Prints one JSON object: what the checker, a re-serialisation and
the session saw, for the Swift test to compare with what Thaw meant to write.
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort

path, inputs, dims, out = sys.argv[1], sys.argv[2], [int(d) for d in sys.argv[3].split(",")], sys.argv[4]
data = open(path, "rb").read()
model = onnx.load_from_string(data)
onnx.checker.check_model(model, full_check=True)
session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
x = np.fromfile(inputs, dtype="<f4").reshape(dims)
(logits,) = session.run(["logits"], {"input": x})
logits.astype("<f4").tofile(out)


def shape(value):
    return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]


print(json.dumps({
    "checker": "ok",
    "reserialized_identical": model.SerializeToString() == data,
    "ir_version": model.ir_version,
    "opsets": {o.domain: o.version for o in model.opset_import},
    "inputs": {v.name: shape(v) for v in model.graph.input},
    "outputs": {v.name: shape(v) for v in model.graph.output},
    "logits_shape": list(logits.shape),
    "metadata": {p.key: p.value for p in model.metadata_props},
    "ops": sorted({n.op_type for n in model.graph.node}),
}))
