#!/usr/bin/python3
"""Turns a vigil peer weights file into an ONNX model (opset 13) of the same ReLU MLP.

usage: /usr/bin/python3 make_onnx.py WEIGHTS.vpw OUT.onnx

WEIGHTS.vpw is the layout of bench/peers/peer_weights.h: "VPWT", uint32 version 1, uint32 count
of widths, uint32 widths (input first), then per layer float32 W (out x in, row-major) and bias,
all little-endian. The graph is x[N, in] -> Gemm(transB=1) -> Relu -> ... -> Gemm -> y[N, out]
(no Relu after the last layer), with a dynamic batch dimension N. Exits non-zero with a message
naming the file and the bad field on a malformed weights file.
"""
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MAGIC = b"VPWT"
VERSION = 1
MAX_WIDTHS = 64
MAX_WIDTH = 65536


def read_weights(path):
    """Returns (widths, [(W, b), ...]) or exits with a message."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        sys.exit(f"{path}: cannot read ({e.strerror})")
    if len(data) < 12 or data[:4] != MAGIC:
        sys.exit(f"{path}: not a peer weights file (magic is not VPWT)")
    version, count = struct.unpack_from("<II", data, 4)
    if version != VERSION:
        sys.exit(f"{path}: version {version}, expected {VERSION}")
    if not 2 <= count <= MAX_WIDTHS or len(data) < 12 + 4 * count:
        sys.exit(f"{path}: {count} widths, expected 2..{MAX_WIDTHS}")
    widths = list(struct.unpack_from(f"<{count}I", data, 12))
    for i, w in enumerate(widths):
        if not 1 <= w <= MAX_WIDTH:
            sys.exit(f"{path}: width {i} is {w}, expected 1..{MAX_WIDTH}")
    flat = np.frombuffer(data, dtype="<f4", offset=12 + 4 * count)
    expected = sum(o * i + o for i, o in zip(widths[:-1], widths[1:]))
    if (len(data) - 12 - 4 * count) != 4 * expected:
        sys.exit(f"{path}: size does not match its widths ({expected} floats expected)")
    layers, offset = [], 0
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        w = flat[offset:offset + n_out * n_in].reshape(n_out, n_in).astype(np.float32)
        offset += n_out * n_in
        b = flat[offset:offset + n_out].astype(np.float32)
        offset += n_out
        layers.append((w, b))
    return widths, layers


def build_model(widths, layers):
    nodes, inits, prev = [], [], "x"
    for i, (w, b) in enumerate(layers):
        inits += [numpy_helper.from_array(w, f"W{i}"), numpy_helper.from_array(b, f"B{i}")]
        last = i == len(layers) - 1
        gemm_out = "y" if last else f"g{i}"
        nodes.append(helper.make_node("Gemm", [prev, f"W{i}", f"B{i}"], [gemm_out], transB=1))
        if not last:
            nodes.append(helper.make_node("Relu", [gemm_out], [f"a{i}"]))
            prev = f"a{i}"
    graph = helper.make_graph(
        nodes, "relu_mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", widths[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", widths[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="vigil")
    # Pinned rather than the onnx package's default, so the file is the same whichever onnx
    # version wrote it; IR 8 covers opset 13.
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    widths, layers = read_weights(sys.argv[1])
    onnx.save(build_model(widths, layers), sys.argv[2])


if __name__ == "__main__":
    main()
