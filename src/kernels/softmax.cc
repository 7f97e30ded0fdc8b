// SoftmaxRows: per row, a vector max, then exp(x − max) stored and summed, then a scale by
// 1/sum; partial last vectors go through a small stack buffer padded with −inf (exp → 0), so
// nothing past a row is read or written.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/softmax.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/contrib/math/math-inl.h"
#include "hwy/highway.h"
#include "kernels/softmax.h"

HWY_BEFORE_NAMESPACE();
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void SoftmaxRowsImpl(const float* x, size_t rows, size_t cols, float* y) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const size_t lanes = hn::Lanes(d);
  const size_t full = cols / lanes * lanes;
  const size_t rest = cols - full;
  const float kNegInf = -std::numeric_limits<float>::infinity();
  HWY_ALIGN float tail[hn::MaxLanes(d)];
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    V vmax = hn::Set(d, kNegInf);
    for (size_t i = 0; i < full; i += lanes) vmax = hn::Max(vmax, hn::LoadU(d, xr + i));
    float m = hn::GetLane(hn::MaxOfLanes(d, vmax));
    for (size_t i = full; i < cols; ++i) m = std::max(m, xr[i]);
    if (m == kNegInf) m = 0;  // a row of −inf: exp(−inf − 0) = 0, then 0/0 below → NaN, as defined
    const V vm = hn::Set(d, m);
    V vsum = hn::Zero(d);
    for (size_t i = 0; i < full; i += lanes) {
      const V e = hn::Exp(d, hn::Sub(hn::LoadU(d, xr + i), vm));
      hn::StoreU(e, d, yr + i);
      vsum = hn::Add(vsum, e);
    }
    if (rest > 0) {
      std::fill(tail, tail + lanes, kNegInf);
      std::memcpy(tail, xr + full, rest * sizeof(float));
      const V e = hn::Exp(d, hn::Sub(hn::Load(d, tail), vm));
      hn::Store(e, d, tail);
      vsum = hn::Add(vsum, e);
      std::memcpy(yr + full, tail, rest * sizeof(float));
    }
    const V inv = hn::Set(d, 1.0f / hn::GetLane(hn::SumOfLanes(d, vsum)));
    for (size_t i = 0; i < full; i += lanes) hn::StoreU(hn::Mul(hn::LoadU(d, yr + i), inv), d, yr + i);
    for (size_t i = full; i < cols; ++i) yr[i] *= hn::GetLane(inv);
  }
}

const char* SoftmaxRowsTargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace vigil::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::kernels {

HWY_EXPORT(SoftmaxRowsImpl);
HWY_EXPORT(SoftmaxRowsTargetNameImpl);

void SoftmaxRows(const float* x, size_t rows, size_t cols, float* y) {
  HWY_DYNAMIC_DISPATCH(SoftmaxRowsImpl)(x, rows, cols, y);
}

void SoftmaxRowsReference(const float* x, size_t rows, size_t cols, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double m = -INFINITY;
    for (size_t i = 0; i < cols; ++i) m = std::max(m, static_cast<double>(xr[i]));
    if (m == -INFINITY) m = 0;
    double sum = 0;
    for (size_t i = 0; i < cols; ++i) sum += std::exp(static_cast<double>(xr[i]) - m);
    for (size_t i = 0; i < cols; ++i) yr[i] = static_cast<float>(std::exp(static_cast<double>(xr[i]) - m) / sum);
  }
}

const char* SoftmaxRowsTargetName() { return HWY_DYNAMIC_DISPATCH(SoftmaxRowsTargetNameImpl)(); }

}  // namespace vigil::kernels
#endif  // HWY_ONCE
