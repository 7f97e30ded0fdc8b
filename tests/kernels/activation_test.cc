// ActivateF32 on every compiled Highway target against ActivateF32Reference; tolerances are
// derived in activation_tolerance.h.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "kernels/activation_tolerance.h"
#include "kernels/dense.h"
#include "kernels/target_test_util.h"

namespace vigil::kernels {
namespace {

constexpr size_t kGuard = 16;
constexpr float kGuardValue = -12345.5f;
constexpr Activation kAllActivations[] = {Activation::kNone, Activation::kRelu,    Activation::kLeakyRelu,
                                          Activation::kTanh, Activation::kSigmoid, Activation::kGelu};

// Deterministic inputs covering the linear, curved and saturated ranges, both signs, tiny
// magnitudes and values whose exp underflows.
std::vector<float> Inputs(size_t n) {
  const float specials[] = {0.0f, -0.0f, 1e-20f, -1e-20f, 0.5f,   -0.5f,
                            3.0f, -3.0f, 20.0f,  -20.0f,  100.0f, -100.0f};
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) {
    v[i] = i < std::size(specials) ? specials[i]
                                   : -12.0f + 24.0f * static_cast<float>(i) / static_cast<float>(n);
  }
  return v;
}

class ActivationTest : public PerTargetTest {};

TEST_P(ActivationTest, DispatchesToTheRequestedTarget) {
  EXPECT_STREQ(ActivateF32TargetName(), target_name());
}

TEST_P(ActivationTest, MatchesReferenceOnAwkwardLengths) {
  ASSERT_STREQ(ActivateF32TargetName(), target_name());
  const size_t l = lanes();
  const std::vector<size_t> lengths = {0, 1, 3, l > 1 ? l - 1 : 2, l, l + 1, 17, 64, 1000};
  for (Activation act : kAllActivations) {
    for (size_t n : lengths) {
      SCOPED_TRACE(testing::Message() << "act=" << static_cast<int>(act) << " n=" << n);
      const std::vector<float> input = Inputs(n);
      std::vector<float> expected = input;
      ActivateF32Reference(act, expected.data(), n);
      std::vector<float> got(n + kGuard, kGuardValue);
      std::copy(input.begin(), input.end(), got.begin());
      ActivateF32(act, got.data(), n);
      for (size_t i = 0; i < n; ++i) {
        const double tol = ActivationTolerance(act, input[i], expected[i]);
        EXPECT_LE(std::fabs(static_cast<double>(got[i]) - expected[i]), tol)
            << "x=" << input[i] << " got " << got[i] << " expected " << expected[i];
      }
      for (size_t g = 0; g < kGuard; ++g)
        ASSERT_EQ(got[n + g], kGuardValue) << "guard " << g << " overwritten";
    }
  }
}

TEST_P(ActivationTest, HandComputedValues) {
  std::vector<float> v = {-2.0f, 0.0f, 2.0f};
  ActivateF32(Activation::kLeakyRelu, v.data(), v.size());
  EXPECT_EQ(v, (std::vector<float>{-0.02f, 0.0f, 2.0f}));
  v = {0.0f, 2.0f, -3.0f};
  ActivateF32(Activation::kSigmoid, v.data(), v.size());
  EXPECT_NEAR(v[0], 0.5f, 1e-7f);
  EXPECT_NEAR(v[1], 0.880797077977882f, 1e-6f);
  EXPECT_NEAR(v[2], 0.047425873177567f, 1e-7f);
  v = {1.0f, -2.0f};
  ActivateF32(Activation::kGelu, v.data(), v.size());
  EXPECT_NEAR(v[0], 0.841191990608277f, 1e-6f);
  EXPECT_NEAR(v[1], -0.045402305912225f, 1e-6f);
}

INSTANTIATE_TEST_SUITE_P(Targets, ActivationTest, testing::ValuesIn(CompiledTargets()), TargetParamName);

}  // namespace
}  // namespace vigil::kernels
