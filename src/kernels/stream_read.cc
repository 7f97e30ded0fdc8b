// StreamRead: kAccumulators independent sums so the loop is bound by load bandwidth, not by
// the latency of one addition chain; whole vectors first, then a scalar tail.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/stream_read.cc"
#include "kernels/stream_read.h"

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Covers add latency (3–4 cycles) × 2 ports; one 64-byte cache line per step with AVX2.
constexpr size_t kAccumulators = 8;

double StreamReadImpl(const float* HWY_RESTRICT data, size_t n, float* sink) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const size_t lanes = hn::Lanes(d);
  V acc[kAccumulators];
  HWY_UNROLL(32)
  for (size_t a = 0; a < kAccumulators; ++a) acc[a] = hn::Zero(d);
  size_t i = 0;
  for (; i + kAccumulators * lanes <= n; i += kAccumulators * lanes) {
    HWY_UNROLL(32)
    for (size_t a = 0; a < kAccumulators; ++a) acc[a] = hn::Add(acc[a], hn::LoadU(d, data + i + a * lanes));
  }
  for (; i + lanes <= n; i += lanes) acc[0] = hn::Add(acc[0], hn::LoadU(d, data + i));
  V total = acc[0];
  HWY_UNROLL(32)
  for (size_t a = 1; a < kAccumulators; ++a) total = hn::Add(total, acc[a]);
  float sum = hn::GetLane(hn::SumOfLanes(d, total));
  for (; i < n; ++i) sum += data[i];
  *sink = sum;
  return static_cast<double>(n) * sizeof(float);
}

const char* StreamReadTargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace vigil::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::kernels {

HWY_EXPORT(StreamReadImpl);
HWY_EXPORT(StreamReadTargetNameImpl);

double StreamRead(const float* data, size_t n, float* sink) {
  return HWY_DYNAMIC_DISPATCH(StreamReadImpl)(data, n, sink);
}

const char* StreamReadTargetName() { return HWY_DYNAMIC_DISPATCH(StreamReadTargetNameImpl)(); }

}  // namespace vigil::kernels
#endif  // HWY_ONCE
