#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

core::Shape Infer(const std::vector<int64_t>& target, const core::Shape& in) {
  Result<std::unique_ptr<Op>> op = CreateReshapeOp(target);
  EXPECT_TRUE(op.ok()) << op.status().ToString();
  const core::Shape ins[] = {in};
  Result<core::Shape> s = (*op)->InferShape(ins);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : core::Shape{};
}

TEST(ReshapeOpTest, IsAViewWithInferredDim) {
  Result<std::unique_ptr<Op>> op = CreateReshapeOp(std::vector<int64_t>{4, 5});
  ASSERT_TRUE(op.ok());
  EXPECT_TRUE((*op)->IsView());
  EXPECT_EQ(Infer({4, 5}, core::Shape::Of({20})), core::Shape::Of({4, 5}));
  EXPECT_EQ(Infer({-1, 5}, core::Shape::Of({2, 10})), core::Shape::Of({4, 5}));
  EXPECT_EQ(Infer({-1}, core::Shape::Of({2, 3, 4})), core::Shape::Of({24}));
}

TEST(ReshapeOpTest, Errors) {
  EXPECT_EQ(CreateReshapeOp(std::vector<int64_t>{-1, -1}).status().message(),
            "Reshape: at most one dim may be -1");
  EXPECT_EQ(CreateReshapeOp(std::vector<int64_t>{2, 0}).status().message(),
            "Reshape: dim 1 is 0; dims must be positive or -1");
  EXPECT_EQ(CreateReshapeOp(std::vector<int64_t>{1, 2, 3, 4}).status().message(),
            "Reshape: sample shape has 4 dims, at most 3 allowed");
  Result<std::unique_ptr<Op>> op = CreateReshapeOp(std::vector<int64_t>{3, 3});
  ASSERT_TRUE(op.ok());
  const core::Shape in[] = {core::Shape::Of({10})};
  EXPECT_EQ((*op)->InferShape(in).status().message(),
            "Reshape: cannot view input shape [10] (10 elements) as [3, 3]");
}

}  // namespace
}  // namespace vigil::nn
