#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

using kernels::Activation;

TEST(DenseOpTest, HandComputedBatchOfTwoWithRelu) {
  // W = [[1, 2, 3], [-1, 0, 1]], bias = [0.5, -10].
  const std::vector<float> w = {1, 2, 3, -1, 0, 1};
  Result<std::unique_ptr<Op>> op = CreateDenseOp(3, 2, w, std::vector<float>{0.5f, -10}, Activation::kRelu);
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  std::vector<float> x = {1, 1, 1, 2, 0, -1};
  std::vector<float> y(4, NAN);
  const core::TensorView xv = core::ContiguousView(x.data(), core::DType::kF32, core::Shape::Of({2, 3}));
  const core::TensorView yv = core::ContiguousView(y.data(), core::DType::kF32, core::Shape::Of({2, 2}));
  (*op)->Run({&xv, 1}, yv);
  // Row 0: 6.5, relu(-10) = 0. Row 1: 2 - 3 + 0.5 = -0.5 → 0; -2 - 1 - 10 → 0.
  EXPECT_EQ(y, (std::vector<float>{6.5f, 0, 0, 0}));
  EXPECT_GE((*op)->WeightBytes(), 8 * sizeof(float));
}

TEST(DenseOpTest, ActsOnTheLastDimAndBiasDefaultsToZero) {
  Result<std::unique_ptr<Op>> op = CreateDenseOp(2, 1, std::vector<float>{1, -1}, {}, Activation::kNone);
  ASSERT_TRUE(op.ok());
  const core::Shape in[] = {core::Shape::Of({5, 2})};
  Result<core::Shape> s = (*op)->InferShape(in);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, core::Shape::Of({5, 1}));
  std::vector<float> x = {3, 1, 0, 4};
  std::vector<float> y(2, NAN);
  const core::TensorView xv = core::ContiguousView(x.data(), core::DType::kF32, core::Shape::Of({1, 2, 2}));
  const core::TensorView yv = core::ContiguousView(y.data(), core::DType::kF32, core::Shape::Of({1, 2, 1}));
  (*op)->Run({&xv, 1}, yv);
  EXPECT_EQ(y, (std::vector<float>{2, -4}));
}

TEST(DenseOpTest, Errors) {
  EXPECT_EQ(CreateDenseOp(0, 3, {}, {}, Activation::kNone).status().message(),
            "Dense: in and out must be positive, got in=0 out=3");
  EXPECT_EQ(
      CreateDenseOp(2, 2, std::vector<float>(4), std::vector<float>(3), Activation::kNone).status().message(),
      "Dense: bias has 3 values, expected 2");
  EXPECT_EQ(CreateDenseOp(2, 2, std::vector<float>(4), {}, static_cast<Activation>(77)).status().message(),
            "unknown activation 77");
  Result<std::unique_ptr<Op>> op = CreateDenseOp(4, 2, std::vector<float>(8), {}, Activation::kNone);
  ASSERT_TRUE(op.ok());
  const core::Shape in[] = {core::Shape::Of({3})};
  EXPECT_EQ((*op)->InferShape(in).status().message(), "Dense: input shape [3] must end in 4 features");
}

}  // namespace
}  // namespace vigil::nn
