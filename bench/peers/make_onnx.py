#!/usr/bin/python3
"""Writes an ONNX model (opset 13) of a ReLU MLP from vigil's peer-bench weights file.

usage: make_onnx.py WEIGHTS SIZES OUT.onnx
  WEIGHTS  raw little-endian float32: for each layer, W (out x in, row-major) then bias (out)
  SIZES    comma-separated layer widths, input first: 640,128,...,640
The graph is x[N, in] -> Gemm(transB=1) -> Relu -> ... -> Gemm -> y[N, out] (no ReLU after the
last layer), with a dynamic batch dimension N.
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    weights_path, sizes_text, out_path = sys.argv[1:]
    sizes = [int(s) for s in sizes_text.split(",")]
    flat = np.fromfile(weights_path, dtype="<f4")
    expected = sum(o * i + o for i, o in zip(sizes[:-1], sizes[1:]))
    if flat.size != expected:
        sys.exit(f"{weights_path}: {flat.size} floats, sizes {sizes_text} need {expected}")
    nodes, inits = [], []
    offset, prev = 0, "x"
    layers = len(sizes) - 1
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        w = flat[offset:offset + n_out * n_in].reshape(n_out, n_in)
        offset += n_out * n_in
        b = flat[offset:offset + n_out]
        offset += n_out
        inits += [numpy_helper.from_array(w, f"W{layer}"), numpy_helper.from_array(b, f"B{layer}")]
        gemm_out = "y" if layer == layers - 1 else f"g{layer}"
        nodes.append(helper.make_node("Gemm", [prev, f"W{layer}", f"B{layer}"], [gemm_out], transB=1))
        if layer < layers - 1:
            nodes.append(helper.make_node("Relu", [gemm_out], [f"a{layer}"]))
            prev = f"a{layer}"
    graph = helper.make_graph(
        nodes, "mlperf_tiny_ad_autoencoder",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", sizes[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", sizes[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="vigil")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, out_path)


if __name__ == "__main__":
    main()
