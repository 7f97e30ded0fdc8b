#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

TEST(AddOpTest, AddsAndMayOverwriteEitherInput) {
  std::unique_ptr<Op> op = CreateAddOp();
  EXPECT_TRUE(op->AllowsInPlace());
  std::vector<float> a = {1, 2, 3}, b = {10, 20, 30};
  const core::Shape s = core::Shape::Of({1, 3});
  const core::TensorView in[] = {core::ContiguousView(a.data(), core::DType::kF32, s),
                                 core::ContiguousView(b.data(), core::DType::kF32, s)};
  op->Run(in, in[1]);
  EXPECT_EQ(b, (std::vector<float>{11, 22, 33}));
  const core::TensorView same[] = {in[0], in[0]};
  op->Run(same, in[0]);  // a + a into a
  EXPECT_EQ(a, (std::vector<float>{2, 4, 6}));
}

TEST(AddOpTest, ShapeMismatch) {
  std::unique_ptr<Op> op = CreateAddOp();
  const core::Shape in[] = {core::Shape::Of({4, 2}), core::Shape::Of({2, 4})};
  EXPECT_EQ(op->InferShape(in).status().message(), "Add: input shapes [4, 2] and [2, 4] differ");
}

}  // namespace
}  // namespace vigil::nn
