// ActivateF32: elementwise activation in place, written once with Highway and dispatched at
// run time. A partial last vector goes through a small stack buffer so nothing past x[n) is
// read or written.
#include <cstring>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/activation.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/activation-inl.h"
#include "kernels/dense.h"

HWY_BEFORE_NAMESPACE();
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void ActivateImpl(Activation act, float* HWY_RESTRICT x, size_t n) {
  const hn::ScalableTag<float> d;
  const size_t lanes = hn::Lanes(d);
  size_t i = 0;
  for (; i + lanes <= n; i += lanes) hn::StoreU(Activate(d, act, hn::LoadU(d, x + i)), d, x + i);
  if (i < n) {
    HWY_ALIGN float tail[hn::MaxLanes(d)] = {};
    std::memcpy(tail, x + i, (n - i) * sizeof(float));
    hn::Store(Activate(d, act, hn::Load(d, tail)), d, tail);
    std::memcpy(x + i, tail, (n - i) * sizeof(float));
  }
}

const char* ActivateTargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace vigil::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::kernels {

HWY_EXPORT(ActivateImpl);
HWY_EXPORT(ActivateTargetNameImpl);

void ActivateF32(Activation act, float* x, size_t n) { HWY_DYNAMIC_DISPATCH(ActivateImpl)(act, x, n); }

const char* ActivateF32TargetName() { return HWY_DYNAMIC_DISPATCH(ActivateTargetNameImpl)(); }

}  // namespace vigil::kernels
#endif  // HWY_ONCE
