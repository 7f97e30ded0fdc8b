// LayerNormRows on every compiled Highway target against the double reference: awkward row
// lengths, with and without gamma/beta, a large common offset, NaN-prefilled outputs, guards,
// in place.
#include "kernels/layer_norm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/target_test_util.h"

namespace vigil::kernels {
namespace {

class LayerNormTest : public PerTargetTest {};

TEST_P(LayerNormTest, DispatchesToTheRequestedTarget) { EXPECT_STREQ(LayerNormRowsTargetName(), target_name()); }

TEST_P(LayerNormTest, MatchesTheReferenceOnAwkwardSizes) {
  const size_t n = lanes();
  constexpr size_t kRows = 3, kGuard = 8;
  for (size_t cols : {size_t{1}, n > 1 ? n - 1 : 2, n, n + 1, 2 * n + 3, size_t{96}}) {
    for (bool affine : {false, true}) {
      for (float offset : {0.0f, 100.0f}) {
        SCOPED_TRACE(testing::Message() << "cols=" << cols << " affine=" << affine << " offset=" << offset);
        std::vector<float> x(kRows * cols), gamma(cols), beta(cols);
        for (size_t i = 0; i < x.size(); ++i) x[i] = offset + 0.5f * static_cast<float>((i * 5) % 13) - 3.0f;
        for (size_t c = 0; c < cols; ++c) {
          gamma[c] = 0.5f + 0.1f * static_cast<float>(c % 7);
          beta[c] = -0.25f + 0.05f * static_cast<float>(c % 5);
        }
        const float* g = affine ? gamma.data() : nullptr;
        const float* b = affine ? beta.data() : nullptr;
        std::vector<float> got(kRows * cols + kGuard, NAN), want(kRows * cols);
        for (size_t k = 0; k < kGuard; ++k) got[kRows * cols + k] = 42.0f;
        LayerNormRows(x.data(), kRows, cols, g, b, 1e-5f, got.data());
        LayerNormRowsReference(x.data(), kRows, cols, g, b, 1e-5f, want.data());
        for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 2e-4f) << i;
        for (size_t k = 0; k < kGuard; ++k) EXPECT_EQ(got[kRows * cols + k], 42.0f);
        std::vector<float> in_place = x;
        LayerNormRows(in_place.data(), kRows, cols, g, b, 1e-5f, in_place.data());
        for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(in_place[i], want[i], 2e-4f) << i;
      }
    }
  }
}

TEST_P(LayerNormTest, NormalizedRowsHaveZeroMeanAndUnitVariance) {
  std::vector<float> x(64), y(64);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i)) * 3.0f + 7.0f;
  LayerNormRows(x.data(), 1, x.size(), nullptr, nullptr, 0.0f, y.data());
  double mean = 0, var = 0;
  for (float v : y) mean += v;
  mean /= 64;
  for (float v : y) var += (v - mean) * (v - mean);
  EXPECT_NEAR(mean, 0.0, 1e-5);
  EXPECT_NEAR(var / 64, 1.0, 1e-4);
}

INSTANTIATE_TEST_SUITE_P(Targets, LayerNormTest, testing::ValuesIn(CompiledTargets()), TargetParamName);

}  // namespace
}  // namespace vigil::kernels
