#!/usr/bin/python3
"""Turns a vigil peer weights file into an ONNX model (opset 13) of the same ReLU MLP.

usage: /usr/bin/python3 make_onnx.py WEIGHTS.vpw OUT.onnx [--int8 RANGES.txt]

WEIGHTS.vpw is the layout of bench/peers/peer_weights.h: "VPWT", uint32 version 1, uint32 count
of widths, uint32 widths (input first), then per layer float32 W (out x in, row-major) and bias,
all little-endian. The graph is x[N, in] -> Gemm(transB=1) -> Relu -> ... -> Gemm -> y[N, out]
(no Relu after the last layer), with a dynamic batch dimension N. Exits non-zero with a message
naming the file and the bad field on a malformed weights file.

With --int8 the model is INT8 in QDQ form, the layout ONNX Runtime's graph optimizer (level
"all") turns into integer kernels: every layer's float input goes through QuantizeLinear ->
DequantizeLinear (uint8, per tensor), its weight is an int8 initializer (in x out, the MatMul
layout) behind a DequantizeLinear with one scale per output channel (axis 1), and
MatMul -> Add(bias) -> Relu stay float in between, so float tensors flow between layers as in
vigil's INT8 network. RANGES.txt holds one line "scale zero_point" per layer (input side first):
each layer input's uint8 quantization, as vigil's calibration chose it, so both runtimes
quantize the same activations the same way. Weights are quantized here by the rule of
src/kernels/dense_int8.h: symmetric per output channel, s = max|w| / 127 (1 for an all-zero
row), w_q = round half away from zero of w / s, within [-127, 127].
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


def read_ranges(path, count):
    """Returns [(scale, zero_point), ...] for `count` layers or exits with a message."""
    try:
        with open(path, encoding="ascii") as f:
            lines = [line.split() for line in f if line.strip()]
    except OSError as e:
        sys.exit(f"{path}: cannot read ({e.strerror})")
    if len(lines) != count:
        sys.exit(f"{path}: {len(lines)} ranges, expected one per layer ({count})")
    ranges = []
    for i, fields in enumerate(lines):
        try:
            scale, zero_point = float(fields[0]), int(fields[1])
        except (IndexError, ValueError):
            sys.exit(f"{path}: line {i + 1} is not 'scale zero_point'")
        if len(fields) != 2 or not 0 < scale < float("inf") or not 0 <= zero_point <= 255:
            sys.exit(f"{path}: line {i + 1}: scale {fields[0]} must be positive and finite, "
                     f"zero point {fields[1]} within 0..255")
        ranges.append((scale, zero_point))
    return ranges


def quantize_weights(w):
    """(out x in float) -> (int8 in x out, float32 scales[out]), per output channel."""
    scales = np.abs(w).max(axis=1).astype(np.float32) / np.float32(127)
    scales[scales == 0] = 1
    ratio = w / scales[:, None]
    # np.round rounds half to even; the kernels round half away from zero.
    q = np.clip(np.sign(ratio) * np.floor(np.abs(ratio) + 0.5), -127, 127).astype(np.int8)
    return np.ascontiguousarray(q.T), scales


def build_qdq_model(widths, layers, ranges):
    nodes, inits, prev = [], [], "x"
    for i, ((w, b), (scale, zero_point)) in enumerate(zip(layers, ranges)):
        w_q, w_scales = quantize_weights(w)
        inits += [numpy_helper.from_array(np.array(scale, dtype=np.float32), f"xs{i}"),
                  numpy_helper.from_array(np.array(zero_point, dtype=np.uint8), f"xz{i}"),
                  numpy_helper.from_array(w_q, f"Wq{i}"),
                  numpy_helper.from_array(w_scales, f"Ws{i}"),
                  numpy_helper.from_array(np.zeros(len(w_scales), dtype=np.int8), f"Wz{i}"),
                  numpy_helper.from_array(b, f"B{i}")]
        nodes += [helper.make_node("QuantizeLinear", [prev, f"xs{i}", f"xz{i}"], [f"q{i}"]),
                  helper.make_node("DequantizeLinear", [f"q{i}", f"xs{i}", f"xz{i}"], [f"dq{i}"]),
                  helper.make_node("DequantizeLinear", [f"Wq{i}", f"Ws{i}", f"Wz{i}"], [f"W{i}"],
                                   axis=1),
                  helper.make_node("MatMul", [f"dq{i}", f"W{i}"], [f"m{i}"])]
        last = i == len(layers) - 1
        add_out = "y" if last else f"g{i}"
        nodes.append(helper.make_node("Add", [f"m{i}", f"B{i}"], [add_out]))
        if not last:
            nodes.append(helper.make_node("Relu", [add_out], [f"a{i}"]))
            prev = f"a{i}"
    graph = helper.make_graph(
        nodes, "relu_mlp_int8",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", widths[0]])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", widths[-1]])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="vigil")
    model.ir_version = 8  # as build_model
    onnx.checker.check_model(model)
    return model


def main():
    args = sys.argv[1:]
    if len(args) not in (2, 4) or (len(args) == 4 and args[2] != "--int8"):
        sys.exit(__doc__)
    widths, layers = read_weights(args[0])
    if len(args) == 4:
        model = build_qdq_model(widths, layers, read_ranges(args[3], len(layers)))
    else:
        model = build_model(widths, layers)
    onnx.save(model, args[1])


if __name__ == "__main__":
    main()
