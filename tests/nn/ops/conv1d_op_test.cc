#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

using kernels::Activation;

std::vector<float> RunConv(const Op& op, std::vector<float> x, const core::Shape& xs, const core::Shape& ys) {
  std::vector<float> y(static_cast<size_t>(ys.NumElements()), NAN);
  const core::TensorView xv = core::ContiguousView(x.data(), core::DType::kF32, xs);
  op.Run({&xv, 1}, core::ContiguousView(y.data(), core::DType::kF32, ys));
  return y;
}

TEST(Conv1DOpTest, MovingSumWithPaddingByHand) {
  // One channel, kernel [1, 1, 1], padding 1: y[t] = x[t-1] + x[t] + x[t+1] with zeros outside.
  Result<std::unique_ptr<Op>> op =
      CreateConv1DOp({1, 1, 3, 1, 1, 1}, std::vector<float>{1, 1, 1}, {}, Activation::kNone);
  ASSERT_TRUE(op.ok()) << op.status().ToString();
  const core::Shape in[] = {core::Shape::Of({4, 1})};
  ASSERT_EQ((*op)->InferShape(in).value(), core::Shape::Of({4, 1}));
  EXPECT_EQ(RunConv(**op, {1, 2, 3, 4}, core::Shape::Of({1, 4, 1}), core::Shape::Of({1, 4, 1})),
            (std::vector<float>{3, 6, 9, 7}));
}

TEST(Conv1DOpTest, StrideDilationChannelsAndBiasByHand) {
  // 2 in channels → 1 out; kernel 2, dilation 2, stride 2: y[t] = Σ_c w[k][c]·x[2t + 2k][c] + b.
  // w[k=0] = [1, 0], w[k=1] = [0, 1] → y[t] = x[2t][0] + x[2t+2][1] + 0.5.
  Result<std::unique_ptr<Op>> op = CreateConv1DOp({2, 1, 2, 2, 0, 2}, std::vector<float>{1, 0, 0, 1},
                                                  std::vector<float>{0.5f}, Activation::kRelu);
  ASSERT_TRUE(op.ok());
  const core::Shape in[] = {core::Shape::Of({6, 2})};
  ASSERT_EQ((*op)->InferShape(in).value(), core::Shape::Of({2, 1}));  // (6 − 2 − 1) / 2 + 1
  // x rows (c0, c1): (1,10) (2,20) (3,30) (4,40) (5,50) (-9,-90)
  const std::vector<float> x = {1, 10, 2, 20, 3, 30, 4, 40, 5, 50, -9, -90};
  // t=0: x[0][0] + x[2][1] = 1 + 30 + .5; t=1: x[2][0] + x[4][1] = 3 + 50 + .5
  EXPECT_EQ(RunConv(**op, x, core::Shape::Of({1, 6, 2}), core::Shape::Of({1, 2, 1})),
            (std::vector<float>{31.5f, 53.5f}));
}

TEST(Conv1DOpTest, Errors) {
  EXPECT_EQ(
      CreateConv1DOp({1, 1, 3, 0, 0, 1}, std::vector<float>(3), {}, Activation::kNone).status().message(),
      "Conv1D: stride=0 must be positive");
  EXPECT_EQ(
      CreateConv1DOp({1, 1, 3, 1, -1, 1}, std::vector<float>(3), {}, Activation::kNone).status().message(),
      "Conv1D: padding=-1 must not be negative");
  EXPECT_EQ(
      CreateConv1DOp({2, 3, 3, 1, 0, 1}, std::vector<float>(17), {}, Activation::kNone).status().message(),
      "Conv1D: weights have 17 values, expected out_channels*kernel*in_channels=18");
  Result<std::unique_ptr<Op>> op =
      CreateConv1DOp({2, 3, 3, 1, 0, 1}, std::vector<float>(18), {}, Activation::kNone);
  ASSERT_TRUE(op.ok());
  const core::Shape flat[] = {core::Shape::Of({8})};
  EXPECT_EQ((*op)->InferShape(flat).status().message(),
            "Conv1D: input sample shape [8] must be [length, channels]");
}

}  // namespace
}  // namespace vigil::nn
