// Scalar definitions of the INT8 dense layer and of (de)quantization, the behaviour every kernel
// path is tested against. They use the unfolded form b_q + Σ (x_q − z_x)·w_q in int64, so a
// packing or zero-point-folding mistake in the kernels cannot cancel out here.
#include <algorithm>
#include <cmath>
#include <vector>

#include "kernels/dense_int8.h"
#include "kernels/dense_int8_layout.h"

namespace vigil::kernels {
namespace {

struct QuantizedLayer {
  std::vector<int8_t> w;  // out × in
  std::vector<int32_t> bias;
  std::vector<float> w_scale;
};

QuantizedLayer Quantize(const float* w, const float* bias, size_t in, size_t out, QuantParams input) {
  QuantizedLayer q;
  q.w.resize(in * out);
  q.bias.assign(out, 0);
  q.w_scale.resize(out);
  for (size_t o = 0; o < out; ++o) {
    q.w_scale[o] = Int8WeightScale(w + o * in, in);
    for (size_t i = 0; i < in; ++i) q.w[o * in + i] = QuantizeInt8Weight(w[o * in + i], q.w_scale[o]);
    if (bias != nullptr) QuantizeInt8Bias(bias[o], input.scale, q.w_scale[o], &q.bias[o]);
  }
  return q;
}

int32_t Accumulate(const QuantizedLayer& q, const uint8_t* x, size_t in, size_t o, int32_t x_zero) {
  int64_t acc = q.bias[o];
  for (size_t i = 0; i < in; ++i) acc += (static_cast<int64_t>(x[i]) - x_zero) * q.w[o * in + i];
  return static_cast<int32_t>(acc);  // in range: PackDenseInt8 accepted the layer
}

}  // namespace

void DenseInt8RowsReference(const float* w, const float* bias, size_t in, size_t out, QuantParams input,
                            QuantParams output, Activation act, const uint8_t* x, size_t x_row_stride,
                            size_t rows, uint8_t* y) {
  const QuantizedLayer q = Quantize(w, bias, in, out, input);
  const int32_t lo = act == Activation::kRelu ? output.zero_point : 0;
  for (size_t o = 0; o < out; ++o) {
    int32_t m = 0;
    int n = 0;
    QuantizeMultiplier(static_cast<double>(input.scale) * q.w_scale[o] / output.scale, &m, &n);
    for (size_t r = 0; r < rows; ++r) {
      const int32_t acc = Accumulate(q, x + r * x_row_stride, in, o, input.zero_point);
      y[r * out + o] = RequantizeReference(acc, m, n, output.zero_point, lo);
    }
  }
}

void DenseInt8RowsToF32Reference(const float* w, const float* bias, size_t in, size_t out, QuantParams input,
                                 Activation act, const uint8_t* x, size_t x_row_stride, size_t rows, float* y) {
  const QuantizedLayer q = Quantize(w, bias, in, out, input);
  for (size_t o = 0; o < out; ++o) {
    const float scale = Int8OutputScale(input.scale, q.w_scale[o]);
    for (size_t r = 0; r < rows; ++r) {
      const int32_t acc = Accumulate(q, x + r * x_row_stride, in, o, input.zero_point);
      float v = scale * static_cast<float>(acc);
      if (act == Activation::kRelu) v = std::max(v, 0.0f);
      y[r * out + o] = v;
    }
  }
}

void QuantizeU8Reference(const float* x, size_t n, QuantParams q, uint8_t* y) {
  const float inv_scale = 1.0f / q.scale;
  for (size_t i = 0; i < n; ++i) {
    // Clamped in float first so the conversion is defined for any input; NaN → zero point.
    float v = std::nearbyint(x[i] * inv_scale) + static_cast<float>(q.zero_point);
    if (std::isnan(v)) v = static_cast<float>(q.zero_point);
    y[i] = static_cast<uint8_t>(std::clamp(v, 0.0f, 255.0f));
  }
}

void DequantizeU8Reference(const uint8_t* x, size_t n, QuantParams q, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = q.scale * static_cast<float>(static_cast<int32_t>(x[i]) - q.zero_point);
}

}  // namespace vigil::kernels
