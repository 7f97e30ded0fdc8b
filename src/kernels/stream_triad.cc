// StreamTriad: whole vectors with one multiply-add each (fused where the target has FMA, like the
// reference's std::fma; SSE4 and the scalar target round the product first), then a scalar tail.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/stream_triad.cc"
#include "kernels/stream_triad.h"

#include <cmath>

#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"

HWY_BEFORE_NAMESPACE();
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

double StreamTriadImpl(float* HWY_RESTRICT a, const float* HWY_RESTRICT b, const float* HWY_RESTRICT c, float s,
                       size_t n) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  const auto vs = hn::Set(d, s);
  size_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    hn::StoreU(hn::MulAdd(vs, hn::LoadU(d, c + i), hn::LoadU(d, b + i)), d, a + i);
    hn::StoreU(hn::MulAdd(vs, hn::LoadU(d, c + i + lanes), hn::LoadU(d, b + i + lanes)), d, a + i + lanes);
  }
  for (; i + lanes <= n; i += lanes) hn::StoreU(hn::MulAdd(vs, hn::LoadU(d, c + i), hn::LoadU(d, b + i)), d, a + i);
  for (; i < n; ++i) a[i] = std::fma(s, c[i], b[i]);
  return 3.0 * static_cast<double>(n) * sizeof(float);
}

const char* StreamTriadTargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace vigil::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::kernels {

HWY_EXPORT(StreamTriadImpl);
HWY_EXPORT(StreamTriadTargetNameImpl);

double StreamTriad(float* a, const float* b, const float* c, float s, size_t n) {
  return HWY_DYNAMIC_DISPATCH(StreamTriadImpl)(a, b, c, s, n);
}

double StreamTriadReference(float* a, const float* b, const float* c, float s, size_t n) {
  for (size_t i = 0; i < n; ++i) a[i] = std::fma(s, c[i], b[i]);
  return 3.0 * static_cast<double>(n) * sizeof(float);
}

const char* StreamTriadTargetName() { return HWY_DYNAMIC_DISPATCH(StreamTriadTargetNameImpl)(); }

}  // namespace vigil::kernels
#endif  // HWY_ONCE
