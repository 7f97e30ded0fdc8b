#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

using kernels::Activation;

TEST(ActivationOpTest, InPlaceAndOutOfPlaceAgree) {
  Result<std::unique_ptr<Op>> op = CreateActivationOp(Activation::kRelu);
  ASSERT_TRUE(op.ok());
  EXPECT_TRUE((*op)->AllowsInPlace());
  std::vector<float> x = {-2, -0.5f, 0, 3};
  std::vector<float> y(4, -1);
  const core::Shape s = core::Shape::Of({1, 4});
  const core::TensorView xv = core::ContiguousView(x.data(), core::DType::kF32, s);
  (*op)->Run({&xv, 1}, core::ContiguousView(y.data(), core::DType::kF32, s));
  EXPECT_EQ(y, (std::vector<float>{0, 0, 0, 3}));
  EXPECT_EQ(x, (std::vector<float>{-2, -0.5f, 0, 3}));  // input untouched out of place
  (*op)->Run({&xv, 1}, xv);
  EXPECT_EQ(x, (std::vector<float>{0, 0, 0, 3}));
}

TEST(ActivationOpTest, UnknownActivationIsAnError) {
  EXPECT_TRUE(CheckActivation(Activation::kGelu).ok());
  EXPECT_EQ(CreateActivationOp(static_cast<Activation>(6)).status().message(), "unknown activation 6");
}

}  // namespace
}  // namespace vigil::nn
