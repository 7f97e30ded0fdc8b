// AArch64 udot kernel (see dense_int8_arm.h) and the scalar epilogue it shares with the tests.
// Compiled on every architecture; the udot code only on AArch64 GCC/Clang, with the dotprod
// extension enabled for those functions alone so the rest of the library keeps the baseline ISA.
#include "kernels/dense_int8_arm.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include "kernels/dense.h"
#include "kernels/dense_int8.h"
#include "kernels/dense_int8_layout.h"

#if defined(__aarch64__) && defined(__linux__)
#include <arm_neon.h>
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
#define VIGIL_INT8_ARM_DOT 1
#else
#define VIGIL_INT8_ARM_DOT 0
#endif

namespace vigil::kernels {
namespace {

std::atomic<bool> arm_dot_enabled{true};

}  // namespace

void SetDenseInt8ArmDotEnabled(bool enabled) { arm_dot_enabled.store(enabled, std::memory_order_relaxed); }
bool DenseInt8ArmDotEnabled() { return arm_dot_enabled.load(std::memory_order_relaxed); }

void FinishInt8Panel(const uint8_t* packed, const int32_t* dots, size_t o0, size_t valid, void* y_row) {
  Int8Header h;
  std::memcpy(&h, packed, sizeof(h));
  const Int8Sections s = Int8Layout(h.in, h.out);
  for (size_t l = 0; l < valid; ++l) {
    const size_t o = o0 + l;
    int32_t bias = 0;
    std::memcpy(&bias, packed + s.bias + o * 4, 4);
    // Wrapping add: the true sum fits int32 (checked at pack time); the udot path's partial
    // values may not.
    const int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(bias) + static_cast<uint32_t>(dots[l]));
    if (h.output == static_cast<uint32_t>(Int8Output::kFloat)) {
      float scale = 0.0f;
      std::memcpy(&scale, packed + s.mult + o * 4, 4);
      float v = scale * static_cast<float>(acc);
      if (h.act == static_cast<uint32_t>(Activation::kRelu)) v = std::max(v, 0.0f);
      static_cast<float*>(y_row)[o] = v;
    } else {
      int32_t m = 0;
      std::memcpy(&m, packed + s.mult + o * 4, 4);
      static_cast<uint8_t*>(y_row)[o] = RequantizeReference(acc, m, packed[s.shift + o], h.zero_point, h.lo);
    }
  }
}

#if VIGIL_INT8_ARM_DOT

bool DenseInt8ArmDotAvailable() { return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0; }

// The dot-product extension for the kernel functions only (GCC 12 ignores a target attribute on
// templates for the intrinsics' inlining check; the pragma applies).
#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")

namespace {

// One row × kPanels panels: 4 uint32x4 accumulators per panel (16 outputs).
template <size_t kPanels>
void ArmDotTile(const uint8_t* weights, size_t quads, const uint8_t* x,
                                                   size_t in, size_t panel0, uint32_t x_sum, int32_t* dots) {
  const uint8x16_t flip = vdupq_n_u8(0x80);
  uint32x4_t acc[kPanels][4];
  for (size_t p = 0; p < kPanels; ++p)
    for (size_t v = 0; v < 4; ++v) acc[p][v] = vdupq_n_u32(0);
  const size_t full = in / kInt8Quad;
  for (size_t q = 0; q < quads; ++q) {
    uint32_t quad = 0;
    std::memcpy(&quad, x + q * kInt8Quad, q < full ? kInt8Quad : in - q * kInt8Quad);
    const uint8x16_t xv = vreinterpretq_u8_u32(vdupq_n_u32(quad));
    for (size_t p = 0; p < kPanels; ++p) {
      const uint8_t* w = weights + ((panel0 + p) * quads + q) * kInt8QuadBytes;
      for (size_t v = 0; v < 4; ++v) {
        const uint8x16_t wv = veorq_u8(vld1q_u8(w + v * 16), flip);
        acc[p][v] = vdotq_u32(acc[p][v], wv, xv);
      }
    }
  }
  const uint32x4_t correction = vdupq_n_u32(128u * x_sum);
  for (size_t p = 0; p < kPanels; ++p)
    for (size_t v = 0; v < 4; ++v)
      vst1q_s32(dots + p * kInt8Panel + v * 4, vreinterpretq_s32_u32(vsubq_u32(acc[p][v], correction)));
}

}  // namespace

void DenseInt8RowsArmDot(const uint8_t* packed, const uint8_t* x, size_t x_row_stride, size_t rows, void* y) {
  Int8Header h;
  std::memcpy(&h, packed, sizeof(h));
  const size_t in = h.in;
  const size_t out = h.out;
  const size_t quads = Int8Quads(in);
  const size_t panels = Int8Panels(out);
  const uint8_t* weights = packed + Int8Layout(in, out).weights;
  const size_t y_bytes = h.output == static_cast<uint32_t>(Int8Output::kFloat) ? sizeof(float) : 1;
  int32_t dots[2 * kInt8Panel];
  for (size_t r = 0; r < rows; ++r) {
    const uint8_t* xr = x + r * x_row_stride;
    uint32_t x_sum = 0;
    for (size_t i = 0; i < in; ++i) x_sum += xr[i];
    // Rows × panel offset into y as bytes; FinishInt8Panel indexes by output.
    void* y_row = static_cast<uint8_t*>(y) + r * out * y_bytes;
    size_t p = 0;
    // Two panels (8 accumulators) per pass keep two independent weight streams in flight.
    for (; p + 2 <= panels; p += 2) {
      ArmDotTile<2>(weights, quads, xr, in, p, x_sum, dots);
      for (size_t k = 0; k < 2; ++k) {
        const size_t o0 = (p + k) * kInt8Panel;
        FinishInt8Panel(packed, dots + k * kInt8Panel, o0, std::min(kInt8Panel, out - o0), y_row);
      }
    }
    if (p < panels) {
      ArmDotTile<1>(weights, quads, xr, in, p, x_sum, dots);
      const size_t o0 = p * kInt8Panel;
      FinishInt8Panel(packed, dots, o0, std::min(kInt8Panel, out - o0), y_row);
    }
  }
}

#pragma GCC pop_options

#else

bool DenseInt8ArmDotAvailable() { return false; }

void DenseInt8RowsArmDot(const uint8_t*, const uint8_t*, size_t, size_t, void*) {}

#endif

}  // namespace vigil::kernels
