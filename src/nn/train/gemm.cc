// GemmF32: one kernel written with Highway, compiled for every target, dispatched at run time.
//
// Register tile: kRows rows × P vectors of C (P ≤ 3) stay in accumulators for the whole
// reduction over s; per step the tile loads P vectors of B's row s and broadcasts one A value
// per row, then issues kRows · P independent multiply-adds — enough chains to cover FMA latency
// on two pipes. 24 accumulators where the target has 32 vector registers (AVX-512, NEON, SVE),
// 12 where it has 16. Rows left over after the full tiles take 4-, 2- and 1-row tiles; columns
// left over take 2- or 1-vector tiles (4 left: 2 + 2), so nothing is computed outside
// rows × width.
//
// Widths that are not a multiple of 16 (only 8 here, see GemmWidth) run on vectors capped at 8
// lanes, so an 8-wide product on AVX-512 does not waste half of every vector.
#include <algorithm>
#include <cmath>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "nn/train/gemm.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "nn/train/gemm.h"
#include "vigil/status.h"

HWY_BEFORE_NAMESPACE();
namespace vigil::nn::train::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

#if HWY_TARGET == HWY_SCALAR || (HWY_ARCH_X86 && HWY_TARGET > HWY_AVX3)
constexpr size_t kMainRows = 4;  // 16 vector registers: 12 accumulators
#else
constexpr size_t kMainRows = 8;  // 32 vector registers: 24 accumulators
#endif
constexpr size_t kMaxVectors = 3;

// Rows [r0, r0 + R) × vectors [q0, q0 + P · lanes) of C.
// Not inlined: each tile shape gets its own register allocation, which keeps the accumulators
// in registers.
template <class D, size_t R, size_t P>
HWY_NOINLINE void Tile(D d, const GemmArgs& g, size_t r0, size_t q0) {
  using V = hn::Vec<D>;
  const size_t lanes = hn::Lanes(d);
  V acc[R][P];
  for (size_t v = 0; v < P; ++v) {
    const V init = g.init != nullptr ? hn::LoadU(d, g.init + q0 + v * lanes) : hn::Zero(d);
    for (size_t r = 0; r < R; ++r) acc[r][v] = init;
  }
  const float* HWY_RESTRICT a = g.a + r0 * g.a_row_stride;
  const float* HWY_RESTRICT b = g.b + q0;
  const size_t a_row = g.a_row_stride;
  for (size_t s = 0; s < g.steps; ++s) {
    V bv[P];
    for (size_t v = 0; v < P; ++v) bv[v] = hn::LoadU(d, b + v * lanes);
    for (size_t r = 0; r < R; ++r) {
      const V av = hn::Set(d, a[r * a_row]);
      for (size_t v = 0; v < P; ++v) acc[r][v] = hn::MulAdd(av, bv[v], acc[r][v]);
    }
    a += g.a_step_stride;
    b += g.b_stride;
  }
  for (size_t r = 0; r < R; ++r) {
    float* HWY_RESTRICT c = g.c + (r0 + r) * g.c_stride + q0;
    for (size_t v = 0; v < P; ++v) hn::StoreU(acc[r][v], d, c + v * lanes);
  }
}

// Every row for the P-vector column block starting at q0.
template <class D, size_t P>
void ColumnBlock(D d, const GemmArgs& g, size_t q0) {
  size_t r = 0;
  for (; r + kMainRows <= g.rows; r += kMainRows) Tile<D, kMainRows, P>(d, g, r, q0);
  if constexpr (kMainRows > 4) {
    if (r + 4 <= g.rows) {
      Tile<D, 4, P>(d, g, r, q0);
      r += 4;
    }
  }
  if (r + 2 <= g.rows) {
    Tile<D, 2, P>(d, g, r, q0);
    r += 2;
  }
  if (r < g.rows) Tile<D, 1, P>(d, g, r, q0);
}

template <class D>
void Columns(D d, const GemmArgs& g) {
  const size_t lanes = hn::Lanes(d);
  const size_t vectors = g.width / lanes;
  size_t take = 0;
  for (size_t v0 = 0; v0 < vectors; v0 += take) {
    const size_t q0 = v0 * lanes;
    // 4 left → 2 + 2 rather than 3 + 1: a 1-vector tile is load-bound.
    const size_t left = vectors - v0;
    take = left == 4 ? 2 : std::min(kMaxVectors, left);
    switch (take) {
      case 3:
        ColumnBlock<D, 3>(d, g, q0);
        break;
      case 2:
        ColumnBlock<D, 2>(d, g, q0);
        break;
      default:
        ColumnBlock<D, 1>(d, g, q0);
        break;
    }
  }
}

void GemmImpl(const GemmArgs& g) {
  if (g.width % 16 == 0) {
    Columns(hn::CappedTag<float, 16>(), g);
  } else {
    Columns(hn::CappedTag<float, 8>(), g);
  }
}

bool FusesImpl() { return HWY_NATIVE_FMA != 0; }
const char* TargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace vigil::nn::train::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::nn::train {

HWY_EXPORT(GemmImpl);
HWY_EXPORT(FusesImpl);
HWY_EXPORT(TargetNameImpl);

void GemmF32(const GemmArgs& args) {
  VIGIL_CHECK(args.width % 8 == 0 && args.b_stride >= args.width && args.c_stride >= args.width);
  if (args.rows == 0 || args.width == 0) return;
  HWY_DYNAMIC_DISPATCH(GemmImpl)(args);
}

void GemmF32Reference(const GemmArgs& g, bool fused) {
  for (size_t r = 0; r < g.rows; ++r) {
    for (size_t q = 0; q < g.width; ++q) {
      float acc = g.init != nullptr ? g.init[q] : 0.0f;
      for (size_t s = 0; s < g.steps; ++s) {
        const float a = g.a[r * g.a_row_stride + s * g.a_step_stride];
        const float b = g.b[s * g.b_stride + q];
        acc = fused ? std::fma(a, b, acc) : acc + a * b;
      }
      g.c[r * g.c_stride + q] = acc;
    }
  }
}

bool GemmF32Fuses() { return HWY_DYNAMIC_DISPATCH(FusesImpl)(); }
const char* GemmF32TargetName() { return HWY_DYNAMIC_DISPATCH(TargetNameImpl)(); }

}  // namespace vigil::nn::train
#endif  // HWY_ONCE
