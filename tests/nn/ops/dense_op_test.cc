#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/arena.h"
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

namespace vigil::nn {
namespace {

TEST(DenseOpTest, BorrowsPackedWeightsWithoutCopying) {
  const std::vector<float> w = {1, 2, 3, -1, 0, 1};
  const std::vector<float> bias = {0.5f, -10};
  const size_t floats = kernels::PackedDenseFloats(3, 2);
  core::Arena block;
  ASSERT_TRUE(block.Allocate(floats * sizeof(float) + 64).ok());
  auto* packed = reinterpret_cast<float*>(block.data());
  kernels::PackDense(w.data(), bias.data(), 3, 2, packed);
  auto op = CreateDenseOpFromPacked(3, 2, PackedWeights::F32({packed, floats}), kernels::Activation::kNone);
  ASSERT_TRUE(op.ok()) << op.status().message();
  EXPECT_EQ((*op)->WeightBytes(), floats * sizeof(float));
  std::vector<float> x = {1, 1, 1};
  std::vector<float> y(2, NAN);
  const core::TensorView xv = core::ContiguousView(x.data(), core::DType::kF32, core::Shape::Of({1, 3}));
  (*op)->Run({&xv, 1}, core::ContiguousView(y.data(), core::DType::kF32, core::Shape::Of({1, 2})));
  EXPECT_EQ(y, (std::vector<float>{6.5f, -10.0f}));
  packed[floats - 16] = 100.0f;  // the op reads the caller's memory: a change shows up
  (*op)->Run({&xv, 1}, core::ContiguousView(y.data(), core::DType::kF32, core::Shape::Of({1, 2})));
  EXPECT_EQ(y[0], 106.0f);
  EXPECT_FALSE(CreateDenseOpFromPacked(3, 2, PackedWeights::F32({packed, floats + 1}), kernels::Activation::kNone).ok());
  EXPECT_EQ(CreateDenseOpFromPacked(3, 2, PackedWeights::F32({packed + 4, floats}), kernels::Activation::kNone).status().message(),
            "Dense: packed weights must be 64-byte aligned");
  EXPECT_FALSE(CreateDenseOpFromPacked(0, 2, PackedWeights::F32({packed, floats}), kernels::Activation::kNone).ok());
}

}  // namespace
}  // namespace vigil::nn
