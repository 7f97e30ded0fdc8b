// ActivateF32Reference against values computed by hand (double precision, rounded).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/dense.h"

namespace vigil::kernels {
namespace {

std::vector<float> Apply(Activation act, std::vector<float> v) {
  ActivateF32Reference(act, v.data(), v.size());
  return v;
}

TEST(ActivationReferenceTest, PiecewiseLinear) {
  EXPECT_EQ(Apply(Activation::kNone, {-1.5f, 2.0f}), (std::vector<float>{-1.5f, 2.0f}));
  EXPECT_EQ(Apply(Activation::kRelu, {-1.5f, 0.0f, 2.0f}), (std::vector<float>{0.0f, 0.0f, 2.0f}));
  EXPECT_EQ(Apply(Activation::kLeakyRelu, {-2.0f, 0.0f, 3.0f}), (std::vector<float>{-0.02f, 0.0f, 3.0f}));
}

TEST(ActivationReferenceTest, Smooth) {
  const std::vector<float> t = Apply(Activation::kTanh, {0.5f, -0.5f});
  EXPECT_NEAR(t[0], 0.46211715726001f, 1e-7f);
  EXPECT_NEAR(t[1], -0.46211715726001f, 1e-7f);
  const std::vector<float> s = Apply(Activation::kSigmoid, {0.0f, 2.0f, -3.0f, -200.0f, 200.0f});
  EXPECT_EQ(s[0], 0.5f);
  EXPECT_NEAR(s[1], 0.88079707797788f, 1e-7f);
  EXPECT_NEAR(s[2], 0.04742587317757f, 1e-8f);
  EXPECT_EQ(s[3], 0.0f);  // e^-200 underflows float
  EXPECT_EQ(s[4], 1.0f);
  const std::vector<float> g = Apply(Activation::kGelu, {1.0f, -2.0f, 0.0f});
  EXPECT_NEAR(g[0], 0.84119199060828f, 1e-6f);
  EXPECT_NEAR(g[1], -0.04540230591222f, 1e-7f);
  EXPECT_EQ(g[2], 0.0f);
}

}  // namespace
}  // namespace vigil::kernels
