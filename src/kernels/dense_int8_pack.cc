// PackDenseInt8 and the quantization helpers: plain scalar, run once per layer at load/plan time.
// Layout: see dense_int8_layout.h; scheme: see dense_int8.h.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kernels/dense_int8.h"
#include "kernels/dense_int8_layout.h"

namespace vigil::kernels {

QuantParams ChooseQuantParams(float min, float max) {
  if (!std::isfinite(min) || !std::isfinite(max)) return {1.0f, 0};
  const double lo = std::min(static_cast<double>(min), 0.0);
  const double hi = std::max(static_cast<double>(max), 0.0);
  if (hi - lo <= 0.0) return {1.0f, 0};
  const float scale = static_cast<float>((hi - lo) / 255.0);
  const double zero = std::round(-lo / static_cast<double>(scale));
  return {scale, static_cast<int32_t>(std::clamp(zero, 0.0, 255.0))};
}

float Int8WeightScale(const float* row, size_t in) {
  float max_abs = 0.0f;
  for (size_t i = 0; i < in; ++i) max_abs = std::max(max_abs, std::fabs(row[i]));
  // A zero row quantizes to zeros with any scale; 1 keeps every derived multiplier finite.
  return max_abs > 0.0f ? max_abs / 127.0f : 1.0f;
}

int8_t QuantizeInt8Weight(float w, float scale) {
  const float q = std::round(w / scale);  // half away from zero
  return static_cast<int8_t>(std::clamp(q, -127.0f, 127.0f));
}

bool QuantizeInt8Bias(float b, float input_scale, float weight_scale, int32_t* bias_q) {
  const double q = std::round(static_cast<double>(b) / (static_cast<double>(input_scale) * weight_scale));
  if (!(std::fabs(q) <= static_cast<double>(std::numeric_limits<int32_t>::max()))) return false;
  *bias_q = static_cast<int32_t>(q);
  return true;
}

bool QuantizeMultiplier(double real_multiplier, int32_t* multiplier, int* shift) {
  if (!(real_multiplier > 0.0) || !std::isfinite(real_multiplier)) return false;
  int exponent = 0;
  const double fraction = std::frexp(real_multiplier, &exponent);  // [0.5, 1)
  int64_t m = std::llround(fraction * 2147483648.0);                // [2^30, 2^31]
  if (m == (int64_t{1} << 31)) {
    m /= 2;
    ++exponent;
  }
  const int n = 31 - exponent;
  if (n < 1) return false;  // M ≥ 2^30: no useful layer has this
  if (n > 62) {
    // M < 2^−31·…: |acc·M| < 1/2 for every int32 acc, so the result is always z_y.
    *multiplier = 0;
    *shift = 62;
    return true;
  }
  *multiplier = static_cast<int32_t>(m);
  *shift = n;
  return true;
}

uint8_t RequantizeReference(int32_t acc, int32_t multiplier, int shift, int32_t zero_point, int32_t lo) {
  // |acc·m| < 2^62 and the rounding term ≤ 2^61: no int64 overflow. >> floors (C++20).
  const int64_t product = static_cast<int64_t>(acc) * multiplier;
  const int64_t rounded = (product + (int64_t{1} << (shift - 1))) >> shift;
  const int64_t y = std::clamp<int64_t>(rounded + zero_point, lo, 255);
  return static_cast<uint8_t>(y);
}

size_t PackedDenseInt8Bytes(size_t in, size_t out) { return Int8Layout(in, out).total; }

bool PackDenseInt8(const float* w, const float* bias, size_t in, size_t out, QuantParams input,
                   const QuantParams* output, Activation act, uint8_t* packed, float* weight_scales) {
  if (act != Activation::kNone && act != Activation::kRelu) return false;
  if (in == 0 || out == 0 || in > (size_t{1} << 24) || out > (size_t{1} << 24)) return false;
  if (!(input.scale > 0.0f) || !std::isfinite(input.scale) || input.zero_point < 0 || input.zero_point > 255)
    return false;
  if (output != nullptr && (!(output->scale > 0.0f) || !std::isfinite(output->scale) ||
                            output->zero_point < 0 || output->zero_point > 255))
    return false;

  const Int8Sections s = Int8Layout(in, out);
  const size_t quads = Int8Quads(in);
  std::memset(packed, 0, s.total);
  Int8Header header{};
  header.magic = kInt8Magic;
  header.in = static_cast<uint32_t>(in);
  header.out = static_cast<uint32_t>(out);
  header.act = static_cast<uint32_t>(act);
  header.output = static_cast<uint32_t>(output != nullptr ? Int8Output::kUint8 : Int8Output::kFloat);
  header.zero_point = output != nullptr ? output->zero_point : 0;
  header.lo = (output != nullptr && act == Activation::kRelu) ? output->zero_point : 0;
  std::memcpy(packed, &header, sizeof(header));

  // The largest |Σ x_q·w_q| any uint8 input can produce for one output.
  const int64_t max_dot = static_cast<int64_t>(in) * 255 * 127;
  for (size_t o = 0; o < out; ++o) {
    const float* row = w + o * in;
    const float w_scale = Int8WeightScale(row, in);
    if (!std::isfinite(w_scale)) return false;
    if (weight_scales != nullptr) weight_scales[o] = w_scale;
    const size_t p = o / kInt8Panel;
    const size_t l = o % kInt8Panel;
    int64_t row_sum = 0;
    for (size_t i = 0; i < in; ++i) {
      const int8_t q = QuantizeInt8Weight(row[i], w_scale);
      row_sum += q;
      const size_t quad = i / kInt8Quad;
      packed[s.weights + (p * quads + quad) * kInt8QuadBytes + l * kInt8Quad + i % kInt8Quad] =
          static_cast<uint8_t>(q);
    }
    int32_t bias_q = 0;
    if (bias != nullptr && !QuantizeInt8Bias(bias[o], input.scale, w_scale, &bias_q)) return false;
    const int64_t folded = bias_q - static_cast<int64_t>(input.zero_point) * row_sum;
    // Every partial sum of the kernel lies between folded − max_dot and folded + max_dot.
    if (std::llabs(folded) + max_dot > std::numeric_limits<int32_t>::max()) return false;
    const int32_t folded32 = static_cast<int32_t>(folded);
    std::memcpy(packed + s.bias + o * 4, &folded32, 4);
    if (output != nullptr) {
      int32_t m = 0;
      int n = 0;
      const double real = static_cast<double>(input.scale) * w_scale / output->scale;
      if (!QuantizeMultiplier(real, &m, &n)) return false;
      std::memcpy(packed + s.mult + o * 4, &m, 4);
      packed[s.shift + o] = static_cast<uint8_t>(n);
    } else {
      const float scale = Int8OutputScale(input.scale, w_scale);
      if (!std::isfinite(scale)) return false;
      std::memcpy(packed + s.mult + o * 4, &scale, 4);
    }
  }
  // Padding outputs compute 0 and are never stored; a valid shift keeps their arithmetic defined.
  for (size_t o = out; o < Int8Panels(out) * kInt8Panel; ++o) packed[s.shift + o] = 31;
  return true;
}

}  // namespace vigil::kernels
