#include "nn/train/gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

std::vector<float> Random(size_t n, uint64_t seed, float zero_fraction = 0.2f) {
  Prng rng(seed);
  std::vector<float> v(n);
  for (float& f : v) f = rng.NextFloat() < zero_fraction ? 0.0f : 2.0f * rng.NextFloat() - 1.0f;
  return v;
}

class GemmTest : public ::testing::TestWithParam<std::tuple<size_t, size_t, size_t>> {};

TEST_P(GemmTest, AllThreeProductsMatchPlainLoops) {
  const auto [m, k, n] = GetParam();
  const std::vector<float> x = Random(m * k, 1), w = Random(n * k, 2), bias = Random(n, 3), dz = Random(m * n, 4);
  std::vector<float> wt(k * n);
  Transpose(w.data(), n, k, wt.data());
  std::vector<float> z(m * n + 1, NAN);
  z[m * n] = 42.0f;  // guard
  GemmBiasForward(x.data(), m, k, wt.data(), bias.data(), n, z.data());
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      double ref = bias[j];
      for (size_t p = 0; p < k; ++p) ref += static_cast<double>(x[i * k + p]) * w[j * k + p];
      EXPECT_NEAR(z[i * n + j], ref, 1e-4) << i << "," << j;
    }
  }
  EXPECT_EQ(z[m * n], 42.0f);
  std::vector<float> dw(n * k, 0.5f), db(n, 0.25f);  // accumulates onto what is there
  GemmWeightGrad(dz.data(), x.data(), m, k, n, dw.data(), db.data());
  for (size_t j = 0; j < n; ++j) {
    double sb = 0.25;
    for (size_t i = 0; i < m; ++i) sb += dz[i * n + j];
    EXPECT_NEAR(db[j], sb, 1e-4);
    for (size_t p = 0; p < k; ++p) {
      double ref = 0.5;
      for (size_t i = 0; i < m; ++i) ref += static_cast<double>(dz[i * n + j]) * x[i * k + p];
      EXPECT_NEAR(dw[j * k + p], ref, 1e-4) << j << "," << p;
    }
  }
  std::vector<float> dx(m * k + 1, NAN);
  dx[m * k] = 7.0f;
  GemmInputGrad(dz.data(), w.data(), m, k, n, dx.data());
  for (size_t i = 0; i < m; ++i) {
    for (size_t p = 0; p < k; ++p) {
      double ref = 0;
      for (size_t j = 0; j < n; ++j) ref += static_cast<double>(dz[i * n + j]) * w[j * k + p];
      EXPECT_NEAR(dx[i * k + p], ref, 1e-4) << i << "," << p;
    }
  }
  EXPECT_EQ(dx[m * k], 7.0f);
}

INSTANTIATE_TEST_SUITE_P(AwkwardSizes, GemmTest,
                         ::testing::Values(std::make_tuple(1, 1, 1), std::make_tuple(1, 7, 9), std::make_tuple(3, 8, 16),
                                           std::make_tuple(5, 17, 7), std::make_tuple(33, 56, 32),
                                           std::make_tuple(64, 3, 65)));

}  // namespace
}  // namespace vigil::nn::train
