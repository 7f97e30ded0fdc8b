#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/graph.h"
#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

TEST(Upsample1DOpTest, RepeatsEveryRowAndValidates) {
  auto op = CreateUpsample1DOp(3);
  ASSERT_TRUE(op.ok());
  const core::Shape in[] = {core::Shape::Of({2, 2})};
  EXPECT_EQ((*op)->InferShape(in).value(), core::Shape::Of({6, 2}));
  const core::Shape flat[] = {core::Shape::Of({4})};
  EXPECT_EQ((*op)->InferShape(flat).status().message(),
            "Upsample1D: input sample shape [4] must be [length, channels]");
  std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8};  // batch 2 × [2, 2]
  std::vector<float> y(25, NAN);
  y[24] = -1.0f;  // guard
  const core::TensorView xv = core::ContiguousView(x.data(), core::DType::kF32, core::Shape::Of({2, 2, 2}));
  (*op)->Run({&xv, 1}, core::ContiguousView(y.data(), core::DType::kF32, core::Shape::Of({2, 6, 2})));
  EXPECT_EQ(std::vector<float>(y.begin(), y.begin() + 24),
            (std::vector<float>{1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 5, 6, 5, 6, 5, 6, 7, 8, 7, 8, 7, 8}));
  EXPECT_EQ(y[24], -1.0f);
  EXPECT_EQ(CreateUpsample1DOp(0).status().message(), "Upsample1D: factor=0 must be in 1..4096");
}

TEST(Upsample1DOpTest, InAGraph) {
  GraphBuilder b;
  ValueId x = b.AddInput({3, 1});
  b.MarkOutput(b.AddUpsample1D(x, 2));
  auto g = std::move(b).Create();
  ASSERT_TRUE(g.ok()) << g.status().message();
  ASSERT_TRUE(g->Plan(1).ok());
  std::vector<float> in = {1, 2, 3}, out(6, NAN);
  ASSERT_TRUE(g->BindInput(0, in.data()).ok());
  ASSERT_TRUE(g->BindOutput(0, out.data()).ok());
  g->Run();
  EXPECT_EQ(out, (std::vector<float>{1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(g->stats().copies, 0);
}

}  // namespace
}  // namespace vigil::nn
