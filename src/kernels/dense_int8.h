// INT8 dense (fully connected) layer: uint8 activations × int8 per-channel weights, int32
// accumulation, fixed-point requantization to uint8 or scaling to float.
//
//   const QuantParams in_q = ChooseQuantParams(x_min, x_max);      // from calibration data
//   const QuantParams out_q = ChooseQuantParams(y_min, y_max);
//   std::vector<uint8_t, ...64-byte aligned...> packed(PackedDenseInt8Bytes(in, out));
//   std::vector<float> w_scales(out);
//   if (!PackDenseInt8(w, bias, in, out, in_q, &out_q, Activation::kRelu, packed.data(),
//                      w_scales.data())) { /* unsupported layer: keep it in FP32 */ }
//   QuantizeU8(x_float, in, in_q, x_q);                             // per inference
//   DenseInt8Rows(packed.data(), x_q, in, 1, in, out, y_q);         // uint8 out, for the next layer
//   // Last layer, packed with output == nullptr:
//   DenseInt8RowsToF32(packed_last.data(), y_q, in2, 1, in2, out2, y_float);
//
// Quantization scheme
// - Activations: uint8, asymmetric per tensor: real = scale·(q − zero_point), q ∈ [0, 255].
//   ChooseQuantParams widens [min, max] to include 0 (so 0 is exact, ReLU and zero padding stay
//   exact) and nudges the zero point to an integer.
// - Weights: int8, symmetric per output channel o: s_w[o] = max_i |w[o][i]| / 127,
//   w_q = round_half_away(w / s_w[o]) clamped to [−127, 127] (−128 is never used). An all-zero
//   row gets s_w[o] = 1 (any positive value would do: its quantized row is all zeros).
// - Bias: int32, b_q[o] = round_half_away(b[o] / (s_x·s_w[o])). At pack time the input zero point
//   is folded in, b_q[o] − z_x·Σ_i w_q[o][i], so the kernel computes
//   acc[o] = folded_bias[o] + Σ_i x_q[i]·w_q[o][i]   (exact int32, no saturation anywhere),
//   which equals b_q[o] + Σ_i (x_q[i] − z_x)·w_q[o][i].
// - uint8 output: M_o = s_x·s_w[o] / s_y = m_o · 2^−n_o with a Q31 multiplier m_o ∈ [2^30, 2^31)
//   and a right shift n_o ∈ [1, 62] (M_o < 2^−32 is stored as m_o = 0: the output is then z_y);
//   y_q = clamp(z_y + ((acc·m_o + 2^(n_o−1)) >> n_o), lo, 255) with an exact 64-bit product and an
//   arithmetic (flooring) shift: one rounding, to nearest, ties toward +∞. lo = z_y for kRelu
//   (ReLU in the quantized domain), else 0. No float is used in the kernel.
// - float output: y = (s_x·s_w[o]) · float(acc) (the scale is rounded to float once at pack
//   time; one float multiply per output), then max(0, y) for kRelu.
//
// Contract
// - PackDenseInt8 validates everything (activation kNone / kRelu, positive finite scales,
//   zero points in [0, 255], multipliers in range, no int32 overflow of the accumulator for
//   any uint8 input) and returns false, leaving `packed` unspecified, if the layer cannot be
//   run exactly; the kernels then never fail. It never allocates.
// - The packed blob (PackedDenseInt8Bytes bytes) holds the weights, folded biases, the output
//   kind (uint8 or float), activation and scales; its sections are 64-byte aligned when
//   `packed` is. DenseInt8Rows requires a blob packed with output != nullptr, DenseInt8RowsToF32
//   one packed with output == nullptr (checked by the *Reference-vs-kernel tests, not at run
//   time), and both the same in / out as at pack time.
// - Rows: row r of x is the `in` bytes at x + r·x_row_stride (any stride, rows may overlap, as
//   for Conv1D windows); y is rows × out row-major. Only those bytes of x are read and only
//   rows × out elements of y are written (no padding, `in` need not be a multiple of 4); y
//   overlaps neither x nor packed.
// - Kernels never allocate, never fail, are reentrant and thread-safe. They dispatch at run time
//   (Highway dynamic dispatch; on AVX-512 VNNI CPUs Highway's AVX3_DL target uses vpdpbusd, on
//   AArch64 CPUs with the dot-product extension a udot kernel is used instead).
// - The *Reference functions are the plain scalar definitions the kernels are tested against
//   (integer outputs bit-exact, float outputs bit-exact too since both do the same single
//   multiply). They start from the float weights and allocate freely.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/dense.h"

namespace vigil::kernels {

// uint8 activation quantization: real = scale·(q − zero_point).
struct QuantParams {
  float scale;
  int32_t zero_point;
};

// Parameters covering [min(min, 0), max(max, 0)] with 256 levels; the zero point is the integer
// nearest to −min/scale (so real 0 is exactly representable). A degenerate range (min == max ==
// 0, or non-finite input) gives scale 1, zero point 0.
QuantParams ChooseQuantParams(float min, float max);

// y[i] = clamp(round_half_even(x[i] / scale) + zero_point, 0, 255); NaN maps to the zero point.
// Dispatched SIMD and scalar reference (identical results).
void QuantizeU8(const float* x, size_t n, QuantParams q, uint8_t* y);
void QuantizeU8Reference(const float* x, size_t n, QuantParams q, uint8_t* y);
// y[i] = scale·(x[i] − zero_point) (one float multiply; exact same result on every path).
void DequantizeU8(const uint8_t* x, size_t n, QuantParams q, float* y);
void DequantizeU8Reference(const uint8_t* x, size_t n, QuantParams q, float* y);

// Bytes of the packed blob for an in × out layer (the same for uint8 and float output).
size_t PackedDenseInt8Bytes(size_t in, size_t out);

// Quantizes w (out × in, row-major float) per output channel and packs it with the folded int32
// bias and either per-channel requantization (output != nullptr: uint8 output with those
// parameters) or dequantization scales (output == nullptr: float output). act must be kNone or
// kRelu. weight_scales (out floats, may be null) receives s_w. Returns false if the layer is not
// representable (see the contract above); bias may be null (zero bias).
bool PackDenseInt8(const float* w, const float* bias, size_t in, size_t out, QuantParams input,
                   const QuantParams* output, Activation act, uint8_t* packed, float* weight_scales);

// uint8 output, rows × out row-major.
void DenseInt8Rows(const uint8_t* packed, const uint8_t* x, size_t x_row_stride, size_t rows, size_t in,
                   size_t out, uint8_t* y);
// float output, rows × out row-major.
void DenseInt8RowsToF32(const uint8_t* packed, const uint8_t* x, size_t x_row_stride, size_t rows, size_t in,
                        size_t out, float* y);

// Scalar definitions: same arguments as PackDenseInt8 (must be packable) plus the rows.
void DenseInt8RowsReference(const float* w, const float* bias, size_t in, size_t out, QuantParams input,
                            QuantParams output, Activation act, const uint8_t* x, size_t x_row_stride,
                            size_t rows, uint8_t* y);
void DenseInt8RowsToF32Reference(const float* w, const float* bias, size_t in, size_t out, QuantParams input,
                                 Activation act, const uint8_t* x, size_t x_row_stride, size_t rows, float* y);

// The requantization step alone (exposed for tests): clamp(zero_point + round(acc·m·2^−shift)).
uint8_t RequantizeReference(int32_t acc, int32_t multiplier, int shift, int32_t zero_point, int32_t lo);
// Splits a positive real multiplier into (m, shift) as described above; false if M ≥ 2^30 or
// not finite/positive.
bool QuantizeMultiplier(double real_multiplier, int32_t* multiplier, int* shift);

// What DenseInt8Rows currently runs, e.g. "AVX3_DL (vpdpbusd)", "AVX2 (vpmaddwd)",
// "NEON (udot)"; tests use it to prove each path ran, benches to label results.
const char* DenseInt8TargetName();

}  // namespace vigil::kernels
