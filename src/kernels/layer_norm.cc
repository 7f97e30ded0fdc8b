// LayerNormRows: whole vectors then a scalar tail for each of the three passes (sum, squared
// deviations, normalize-scale-shift).
#include <cmath>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/layer_norm.cc"
#include "hwy/foreach_target.h"  // IWYU pragma: keep
#include "hwy/highway.h"
#include "kernels/layer_norm.h"

HWY_BEFORE_NAMESPACE();
namespace vigil::kernels::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

void LayerNormRowsImpl(const float* x, size_t rows, size_t cols, const float* gamma, const float* beta, float eps,
                       float* y) {
  const hn::ScalableTag<float> d;
  using V = hn::Vec<decltype(d)>;
  const size_t lanes = hn::Lanes(d);
  const size_t full = cols / lanes * lanes;
  const float n = static_cast<float>(cols);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    V vs = hn::Zero(d);
    for (size_t i = 0; i < full; i += lanes) vs = hn::Add(vs, hn::LoadU(d, xr + i));
    float sum = hn::GetLane(hn::SumOfLanes(d, vs));
    for (size_t i = full; i < cols; ++i) sum += xr[i];
    const float mean = sum / n;
    const V vmean = hn::Set(d, mean);
    V vq = hn::Zero(d);
    for (size_t i = 0; i < full; i += lanes) {
      const V dv = hn::Sub(hn::LoadU(d, xr + i), vmean);
      vq = hn::MulAdd(dv, dv, vq);
    }
    float sq = hn::GetLane(hn::SumOfLanes(d, vq));
    for (size_t i = full; i < cols; ++i) sq += (xr[i] - mean) * (xr[i] - mean);
    const float inv = 1.0f / std::sqrt(sq / n + eps);
    const V vinv = hn::Set(d, inv);
    for (size_t i = 0; i < full; i += lanes) {
      V v = hn::Mul(hn::Sub(hn::LoadU(d, xr + i), vmean), vinv);
      if (gamma != nullptr) v = hn::Mul(v, hn::LoadU(d, gamma + i));
      if (beta != nullptr) v = hn::Add(v, hn::LoadU(d, beta + i));
      hn::StoreU(v, d, yr + i);
    }
    for (size_t i = full; i < cols; ++i) {
      float v = (xr[i] - mean) * inv;
      if (gamma != nullptr) v *= gamma[i];
      if (beta != nullptr) v += beta[i];
      yr[i] = v;
    }
  }
}

const char* LayerNormRowsTargetNameImpl() { return hwy::TargetName(HWY_TARGET); }

}  // namespace vigil::kernels::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace vigil::kernels {

HWY_EXPORT(LayerNormRowsImpl);
HWY_EXPORT(LayerNormRowsTargetNameImpl);

void LayerNormRows(const float* x, size_t rows, size_t cols, const float* gamma, const float* beta, float eps,
                   float* y) {
  HWY_DYNAMIC_DISPATCH(LayerNormRowsImpl)(x, rows, cols, gamma, beta, eps, y);
}

void LayerNormRowsReference(const float* x, size_t rows, size_t cols, const float* gamma, const float* beta,
                            float eps, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float* yr = y + r * cols;
    double mean = 0, sq = 0;
    for (size_t i = 0; i < cols; ++i) mean += xr[i];
    mean /= static_cast<double>(cols);
    for (size_t i = 0; i < cols; ++i) sq += (xr[i] - mean) * (xr[i] - mean);
    const double inv = 1.0 / std::sqrt(sq / static_cast<double>(cols) + eps);
    for (size_t i = 0; i < cols; ++i) {
      double v = (xr[i] - mean) * inv;
      if (gamma != nullptr) v *= gamma[i];
      if (beta != nullptr) v += beta[i];
      yr[i] = static_cast<float>(v);
    }
  }
}

const char* LayerNormRowsTargetName() { return HWY_DYNAMIC_DISPATCH(LayerNormRowsTargetNameImpl)(); }

}  // namespace vigil::kernels
#endif  // HWY_ONCE
