// INT8 throughput probe: kChains independent int32 accumulators fed by the same dot-product
// step as the dense kernel. Operands are constants small enough that the int32 sums cannot
// overflow within the iteration counts used (≤ 2^20 rounds × 4 products × 1·1 per lane).
#define HWY_WANT_AVX3_DL
// (SVE targets are disabled for the whole build on AArch64, see CMakeLists.txt: the tiles'
// arrays of vectors cannot hold sizeless SVE types; NEON and the udot kernel run there.)

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/int8_peak.cc"
#include "kernels/int8_peak.h"

#include <string>

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
#include "kernels/vnni_begin-inl.h"  // NOLINT(build/include)
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Covers latency (≤ 5 cycles) × 2 pipes with margin, within 16 vector registers.
constexpr size_t kChains = 10;

double Int8DotChainsImpl(size_t iterations, int32_t* sink) {
  const hn::ScalableTag<int32_t> d32;
  using V32 = hn::Vec<decltype(d32)>;
  V32 acc[kChains];
  HWY_UNROLL(32)
  for (size_t c = 0; c < kChains; ++c) acc[c] = hn::Set(d32, static_cast<int32_t>(c));
#if HWY_TARGET == HWY_AVX3_DL
  const V32 x = hn::Set(d32, 0x01010101);
  V32 w = hn::Set(d32, 0x01FF01FF);  // bytes 1, −1, 1, −1: sums stay near zero
  asm("" : "+v"(w.raw));             // opaque, so the chains are not folded
  for (size_t it = 0; it < iterations; ++it) {
    HWY_UNROLL(32)
    for (size_t c = 0; c < kChains; ++c) acc[c] = V32{vigil::kernels::Dpbusd(acc[c].raw, x.raw, w.raw)};
  }
  const double per_op = 4.0 * static_cast<double>(hn::Lanes(d32));
#elif HWY_TARGET == HWY_SCALAR
  int32_t x = 1;
  int32_t w = -1;
  for (size_t it = 0; it < iterations; ++it) {
    HWY_UNROLL(32)
    for (size_t c = 0; c < kChains; ++c) acc[c] = hn::Add(acc[c], hn::Set(d32, x * w));
    x = -x;
    w = -w;
  }
  const double per_op = 1.0;
#else
  const hn::Repartition<int16_t, decltype(d32)> d16;
  auto x = hn::Set(d16, 1);
  auto w = hn::Set(d16, 1);
  w = hn::OddEven(hn::Neg(w), w);  // 1, −1 pairs: each vpmaddwd lane adds 0
#if HWY_ARCH_X86 && HWY_TARGET != HWY_EMU128
  asm("" : "+v"(x.raw), "+v"(w.raw));  // opaque to the optimizer: the chains stay real
#endif
  V32 sum1[kChains];
  HWY_UNROLL(32)
  for (size_t c = 0; c < kChains; ++c) sum1[c] = hn::Zero(d32);
  for (size_t it = 0; it < iterations; ++it) {
    HWY_UNROLL(32)
    for (size_t c = 0; c < kChains; ++c) acc[c] = hn::ReorderWidenMulAccumulate(d32, x, w, acc[c], sum1[c]);
  }
  HWY_UNROLL(32)
  for (size_t c = 0; c < kChains; ++c) acc[c] = hn::RearrangeToOddPlusEven(acc[c], sum1[c]);
  const double per_op = static_cast<double>(hn::Lanes(d16));
#endif
  V32 total = acc[0];
  HWY_UNROLL(32)
  for (size_t c = 1; c < kChains; ++c) total = hn::Add(total, acc[c]);
  *sink = hn::GetLane(hn::SumOfLanes(d32, total));
  return static_cast<double>(iterations) * kChains * per_op;
}

const char* Int8DotChainsTargetNameImpl() {
#if HWY_TARGET == HWY_AVX3_DL
  return "AVX3_DL (vpdpbusd)";
#elif HWY_TARGET == HWY_SCALAR
  return "SCALAR";
#else
  static const std::string name =
      std::string(hwy::TargetName(HWY_TARGET)) + (HWY_ARCH_X86 ? " (pmaddwd)" : " (widening multiply-add)");
  return name.c_str();
#endif
}

}  // namespace vigil::kernels::HWY_NAMESPACE
#include "kernels/vnni_end-inl.h"  // NOLINT(build/include)
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::kernels {

HWY_EXPORT(Int8DotChainsImpl);
HWY_EXPORT(Int8DotChainsTargetNameImpl);

double RunInt8DotChains(size_t iterations, int32_t* sink) {
  return HWY_DYNAMIC_DISPATCH(Int8DotChainsImpl)(iterations, sink);
}

const char* Int8DotChainsTargetName() { return HWY_DYNAMIC_DISPATCH(Int8DotChainsTargetNameImpl)(); }

}  // namespace vigil::kernels
#endif  // HWY_ONCE
