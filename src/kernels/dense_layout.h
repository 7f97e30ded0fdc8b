// Packed dense-layer layout shared by PackDense and every SIMD target of DenseF32.
//
// The layout is fixed (not per target) so weights packed once at load time can be run by
// whichever target the dispatcher picks, and so tests can switch targets over one packing.
//
//   panels = ceil(out / kDensePanel)
//   packed[p * in * kDensePanel + i * kDensePanel + l] = W[p * kDensePanel + l][i]   (0 if row ≥ out)
//   packed[panels * in * kDensePanel + o]              = bias[o]                     (0 if o ≥ out)
//
// A panel is kDensePanel = 16 consecutive outputs, one AVX-512 vector, two AVX2 vectors or four
// 128-bit vectors; every panel starts 64·in bytes after the previous one, so panels (and the
// bias block) stay 64-byte aligned whenever `packed` is. The zero padding lets the kernel run
// full vectors over a partial last panel; it never reads or writes x or y past their ends.
#pragma once

#include <cstddef>

namespace vigil::kernels {

inline constexpr size_t kDensePanel = 16;

constexpr size_t DensePanels(size_t out) { return (out + kDensePanel - 1) / kDensePanel; }

}  // namespace vigil::kernels
