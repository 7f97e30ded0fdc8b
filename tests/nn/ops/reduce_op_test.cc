#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

std::vector<float> RunReduce(ReduceAxes axes, std::vector<float> a, std::vector<float> b,
                             const core::Shape& in, const core::Shape& out) {
  Result<std::unique_ptr<Op>> op = CreateReduceMeanSquaredErrorOp(axes);
  EXPECT_TRUE(op.ok());
  std::vector<float> y(static_cast<size_t>(out.NumElements()), NAN);
  const core::TensorView ins[] = {core::ContiguousView(a.data(), core::DType::kF32, in),
                                  core::ContiguousView(b.data(), core::DType::kF32, in)};
  (*op)->Run(ins, core::ContiguousView(y.data(), core::DType::kF32, out));
  return y;
}

// Two samples of [2 positions, 2 channels]; differences per sample:
// sample 0: (1, 2), (3, 0) ; sample 1: (0, 0), (2, 4)
const std::vector<float> kA = {1, 2, 3, 0, 0, 0, 2, 4};
const std::vector<float> kB(8, 0.0f);

TEST(ReduceOpTest, PerRowMeanOfSquares) {
  EXPECT_EQ(RunReduce(ReduceAxes::kPerRow, kA, kB, core::Shape::Of({2, 2, 2}), core::Shape::Of({2, 1})),
            (std::vector<float>{(1 + 4 + 9 + 0) / 4.0f, (0 + 0 + 4 + 16) / 4.0f}));
}

TEST(ReduceOpTest, PerChannelMeanOverPositions) {
  EXPECT_EQ(RunReduce(ReduceAxes::kPerChannel, kA, kB, core::Shape::Of({2, 2, 2}), core::Shape::Of({2, 2})),
            (std::vector<float>{(1 + 9) / 2.0f, (4 + 0) / 2.0f, (0 + 4) / 2.0f, (0 + 16) / 2.0f}));
}

TEST(ReduceOpTest, ShapesAndErrors) {
  Result<std::unique_ptr<Op>> op = CreateReduceMeanSquaredErrorOp(ReduceAxes::kPerChannel);
  ASSERT_TRUE(op.ok());
  const core::Shape same[] = {core::Shape::Of({16, 3}), core::Shape::Of({16, 3})};
  EXPECT_EQ((*op)->InferShape(same).value(), core::Shape::Of({3}));
  const core::Shape differ[] = {core::Shape::Of({16, 3}), core::Shape::Of({16, 4})};
  EXPECT_EQ((*op)->InferShape(differ).status().message(),
            "ReduceMeanSquaredError: input shapes [16, 3] and [16, 4] differ");
  EXPECT_EQ(CreateReduceMeanSquaredErrorOp(static_cast<ReduceAxes>(9)).status().message(),
            "ReduceMeanSquaredError: unknown axes 9");
}

}  // namespace
}  // namespace vigil::nn
