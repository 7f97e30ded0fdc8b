// PackDense: plain scalar, run once per layer at load/plan time. Layout: see dense_layout.h.
#include <algorithm>

#include "kernels/dense.h"
#include "kernels/dense_layout.h"

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

}  // namespace vigil::kernels
