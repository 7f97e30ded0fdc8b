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
//
// FP16 weights (PackDenseF16FromF32) use the same panels with each weight stored as binary16
// (2 bytes, panel stride 32·in bytes); the bias stays float32 and starts at the next 64-byte
// boundary after the panels:
//   bytes [0, DenseF16BiasOffset)                      panels of binary16 weights
//   bytes [DenseF16BiasOffset, PackedDenseF16Bytes)    bias, float32, padded to whole panels
#pragma once

#include <cstddef>

namespace vigil::kernels {

inline constexpr size_t kDensePanel = 16;

constexpr size_t DensePanels(size_t out) { return (out + kDensePanel - 1) / kDensePanel; }

constexpr size_t DenseF16BiasOffset(size_t in, size_t out) {
  return (DensePanels(out) * kDensePanel * in * 2 + 63) / 64 * 64;
}

}  // namespace vigil::kernels
