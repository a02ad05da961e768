"""Checks an exported ONNX model with the ONNX checker (full check, with
shape inference) and prints its opset and the op types it uses, sorted, so
that a test can see that only standard ops of the default domain appear.

Usage: onnx_check.py MODEL.onnx
Run with Debian's python3 (/usr/bin/python3), where python3-onnx lives.
"""
import sys

import onnx

model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
domains = sorted({o.domain or "ai.onnx" for o in model.opset_import})
versions = [o.version for o in model.opset_import]
print(f"onnx ok: ir {model.ir_version}, opset {versions[0]}, domains {' '.join(domains)}")
nodes = model.graph.node
print("domains of nodes:", " ".join(sorted({n.domain or "ai.onnx" for n in nodes})))
print("ops:", " ".join(sorted({n.op_type for n in nodes})))
print("inputs:", " ".join(
    f"{i.name}[{','.join(d.dim_param or str(d.dim_value) for d in i.type.tensor_type.shape.dim)}]"
    for i in model.graph.input))
print("outputs:", " ".join(
    f"{o.name}[{','.join(d.dim_param or str(d.dim_value) for d in o.type.tensor_type.shape.dim)}]"
    for o in model.graph.output))
print("initializers:", len(model.graph.initializer))
