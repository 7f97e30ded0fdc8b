// PackDense: plain scalar, run once per layer at load/plan time. Layout: see dense_layout.h.
#include <algorithm>
#include <cstring>

#include "kernels/dense.h"
#include "kernels/dense_layout.h"
#include "kernels/half.h"

namespace vigil::kernels {

size_t PackedDenseFloats(size_t in, size_t out) { return DensePanels(out) * kDensePanel * (in + 1); }

void PackDense(const float* w, const float* bias, size_t in, size_t out, float* packed) {
  const size_t panels = DensePanels(out);
  std::fill(packed, packed + PackedDenseFloats(in, out), 0.0f);
  for (size_t p = 0; p < panels; ++p) {
    float* panel = packed + p * in * kDensePanel;
    const size_t lanes = std::min(kDensePanel, out - p * kDensePanel);
    for (size_t l = 0; l < lanes; ++l) {
      const float* row = w + (p * kDensePanel + l) * in;
      for (size_t i = 0; i < in; ++i) panel[i * kDensePanel + l] = row[i];
    }
  }
  std::copy(bias, bias + out, packed + panels * in * kDensePanel);
}

void UnpackDense(const float* packed, size_t in, size_t out, float* w, float* bias) {
  const size_t panels = DensePanels(out);
  for (size_t o = 0; o < out; ++o) {
    const float* panel = packed + (o / kDensePanel) * in * kDensePanel;
    for (size_t i = 0; i < in; ++i) w[o * in + i] = panel[i * kDensePanel + o % kDensePanel];
  }
  std::copy(packed + panels * in * kDensePanel, packed + panels * in * kDensePanel + out, bias);
}

size_t PackedDenseF16Bytes(size_t in, size_t out) {
  return DenseF16BiasOffset(in, out) + DensePanels(out) * kDensePanel * sizeof(float);
}

void PackDenseF16FromF32(const float* packed_f32, size_t in, size_t out, uint8_t* packed_f16) {
  const size_t weights = DensePanels(out) * kDensePanel * in;
  const size_t bias_offset = DenseF16BiasOffset(in, out);
  std::fill(packed_f16, packed_f16 + PackedDenseF16Bytes(in, out), uint8_t{0});
  for (size_t k = 0; k < weights; ++k) {
    const uint16_t h = F32ToF16(std::clamp(packed_f32[k], -kF16Max, kF16Max));
    std::memcpy(packed_f16 + 2 * k, &h, sizeof(h));
  }
  std::memcpy(packed_f16 + bias_offset, packed_f32 + weights, DensePanels(out) * kDensePanel * sizeof(float));
}

}  // namespace vigil::kernels
