// FMA throughput probe: kChains independent accumulators, each acc = acc·m + a. With m < 1 the
// values converge to a / (1 − m) instead of overflowing or going denormal, which would slow
// some cores down and bias the measurement.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/fma_peak.cc"
#include "kernels/fma_peak.h"

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Covers latency (4–5 cycles) × 2 FMA pipes with margin, within 16 vector registers.
constexpr size_t kChains = 12;

double FmaChainsImpl(size_t iterations, float* sink) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const V m = hn::Set(d, 0.999f);
  const V a = hn::Set(d, 0.001f);
  V acc[kChains];
  HWY_UNROLL(32)
  for (size_t c = 0; c < kChains; ++c) acc[c] = hn::Set(d, static_cast<float>(c));
  for (size_t it = 0; it < iterations; ++it) {
    HWY_UNROLL(32)
    for (size_t c = 0; c < kChains; ++c) acc[c] = hn::MulAdd(acc[c], m, a);
  }
  V total = acc[0];
  HWY_UNROLL(32)
  for (size_t c = 1; c < kChains; ++c) total = hn::Add(total, acc[c]);
  *sink = hn::GetLane(hn::SumOfLanes(d, total));
  return 2.0 * static_cast<double>(iterations) * kChains * static_cast<double>(hn::Lanes(d));
}

const char* FmaChainsTargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace vigil::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::kernels {

HWY_EXPORT(FmaChainsImpl);
HWY_EXPORT(FmaChainsTargetNameImpl);

double RunFmaChains(size_t iterations, float* sink) {
  return HWY_DYNAMIC_DISPATCH(FmaChainsImpl)(iterations, sink);
}

const char* FmaChainsTargetName() { return HWY_DYNAMIC_DISPATCH(FmaChainsTargetNameImpl)(); }

}  // namespace vigil::kernels
#endif  // HWY_ONCE
