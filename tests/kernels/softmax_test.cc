// SoftmaxRows on every compiled Highway target against the double reference: awkward row
// lengths, outputs pre-filled with NaN, guards after the output, in place, huge scores.
#include "kernels/softmax.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/target_test_util.h"

namespace vigil::kernels {
namespace {

class SoftmaxTest : public PerTargetTest {};

TEST_P(SoftmaxTest, DispatchesToTheRequestedTarget) { EXPECT_STREQ(SoftmaxRowsTargetName(), target_name()); }

TEST_P(SoftmaxTest, MatchesTheReferenceOnAwkwardSizes) {
  const size_t n = lanes();
  constexpr size_t kRows = 3, kGuard = 8;
  for (size_t cols : {size_t{1}, n > 1 ? n - 1 : 2, n, n + 1, 2 * n + 3, size_t{100}}) {
    for (float offset : {0.0f, 1e4f, -1e4f}) {
      SCOPED_TRACE(testing::Message() << "cols=" << cols << " offset=" << offset);
      std::vector<float> x(kRows * cols);
      for (size_t i = 0; i < x.size(); ++i) x[i] = offset + 0.37f * static_cast<float>((i * 7) % 23) - 4.0f;
      std::vector<float> got(kRows * cols + kGuard, NAN), want(kRows * cols);
      for (size_t g = 0; g < kGuard; ++g) got[kRows * cols + g] = 42.0f;
      SoftmaxRows(x.data(), kRows, cols, got.data());
      SoftmaxRowsReference(x.data(), kRows, cols, want.data());
      for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 2e-6f + 2e-6f * want[i]) << i;
      for (size_t g = 0; g < kGuard; ++g) EXPECT_EQ(got[kRows * cols + g], 42.0f);
      for (size_t r = 0; r < kRows; ++r) {
        double sum = 0;
        for (size_t c = 0; c < cols; ++c) sum += got[r * cols + c];
        EXPECT_NEAR(sum, 1.0, 1e-5);
      }
      std::vector<float> in_place = x;
      SoftmaxRows(in_place.data(), kRows, cols, in_place.data());
      for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(in_place[i], want[i], 2e-6f + 2e-6f * want[i]) << i;
    }
  }
}

TEST_P(SoftmaxTest, MaskedScoresGiveZeroWeight) {
  const float kNegInf = -std::numeric_limits<float>::infinity();
  const std::vector<float> x = {1.0f, kNegInf, 2.0f, kNegInf, kNegInf};
  std::vector<float> y(x.size(), NAN);
  SoftmaxRows(x.data(), 1, x.size(), y.data());
  EXPECT_EQ(y[1], 0.0f);
  EXPECT_EQ(y[3], 0.0f);
  EXPECT_NEAR(y[0] + y[2], 1.0f, 1e-6f);
  EXPECT_NEAR(y[2] / y[0], std::exp(1.0f), 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(Targets, SoftmaxTest, testing::ValuesIn(CompiledTargets()), TargetParamName);

}  // namespace
}  // namespace vigil::kernels
