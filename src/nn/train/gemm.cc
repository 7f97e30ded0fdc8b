#include "nn/train/gemm.h"

#include <algorithm>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VIGIL_GEMM_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define VIGIL_GEMM_CLONES
#endif

namespace vigil::nn::train {

VIGIL_GEMM_CLONES void GemmBiasForward(const float* x, size_t m, size_t k, const float* wt, const float* bias,
                                       size_t n, float* z) {
  for (size_t i = 0; i < m; ++i) {
    const float* xi = x + i * k;
    float* zi = z + i * n;
    std::copy(bias, bias + n, zi);
    for (size_t p = 0; p < k; ++p) {
      const float v = xi[p];
      if (v == 0.0f) continue;  // ReLU outputs and zero padding: exact zero terms only
      const float* row = wt + p * n;
      for (size_t j = 0; j < n; ++j) zi[j] += v * row[j];
    }
  }
}

VIGIL_GEMM_CLONES void GemmWeightGrad(const float* dz, const float* x, size_t m, size_t k, size_t n, float* dw,
                                      float* db) {
  for (size_t i = 0; i < m; ++i) {
    const float* dzi = dz + i * n;
    const float* xi = x + i * k;
    for (size_t j = 0; j < n; ++j) {
      const float g = dzi[j];
      db[j] += g;
      if (g == 0.0f) continue;
      float* row = dw + j * k;
      for (size_t p = 0; p < k; ++p) row[p] += g * xi[p];
    }
  }
}

VIGIL_GEMM_CLONES void GemmInputGrad(const float* dz, const float* w, size_t m, size_t k, size_t n, float* dx) {
  for (size_t i = 0; i < m; ++i) {
    const float* dzi = dz + i * n;
    float* dxi = dx + i * k;
    std::fill(dxi, dxi + k, 0.0f);
    for (size_t j = 0; j < n; ++j) {
      const float g = dzi[j];
      if (g == 0.0f) continue;
      const float* row = w + j * k;
      for (size_t p = 0; p < k; ++p) dxi[p] += g * row[p];
    }
  }
}

void Transpose(const float* w, size_t n, size_t k, float* wt) {
  for (size_t j = 0; j < n; ++j) {
    for (size_t p = 0; p < k; ++p) wt[p * n + j] = w[j * k + p];
  }
}

}  // namespace vigil::nn::train
