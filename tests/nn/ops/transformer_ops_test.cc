// Softmax, LayerNorm, MatMul and SelfAttention as graph ops: shapes, errors, and results against
// their definitions.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/attention_reference.h"
#include "nn/ops/ops.h"

namespace vigil::nn {
namespace {

core::TensorView View(std::vector<float>& v, std::initializer_list<int64_t> dims) {
  return core::ContiguousView(v.data(), core::DType::kF32, core::Shape::Of(dims));
}

TEST(TransformerOpsTest, SoftmaxOverTheLastDim) {
  auto op = CreateSoftmaxOp();
  EXPECT_TRUE(op->AllowsInPlace());
  const core::Shape in[] = {core::Shape::Of({2, 3})};
  EXPECT_EQ(op->InferShape(in).value(), core::Shape::Of({2, 3}));
  std::vector<float> x = {0, 0, 0, 1, 2, 3, 5, 5, 5, 0, 0, 100};
  const core::TensorView v[] = {View(x, {2, 2, 3})};
  op->Run(v, v[0]);
  EXPECT_NEAR(x[0], 1.0 / 3, 1e-6);
  EXPECT_NEAR(x[5] / x[4], std::exp(1.0), 1e-4);
  EXPECT_NEAR(x[11], 1.0, 1e-6);
}

TEST(TransformerOpsTest, LayerNormWithGammaBeta) {
  const std::vector<float> gamma = {2, 2, 2, 2}, beta = {1, 1, 1, 1};
  auto op = CreateLayerNormOp(4, gamma, beta, 0.0f);
  ASSERT_TRUE(op.ok());
  std::vector<float> x = {1, 2, 3, 4}, y(4);
  const core::TensorView in[] = {View(x, {1, 4})};
  (*op)->Run(in, View(y, {1, 4}));
  const double sd = std::sqrt(1.25);
  EXPECT_NEAR(y[0], 2 * (-1.5 / sd) + 1, 1e-5);
  EXPECT_NEAR(y[3], 2 * (1.5 / sd) + 1, 1e-5);
  const core::Shape bad[] = {core::Shape::Of({3, 5})};
  EXPECT_EQ((*op)->InferShape(bad).status().message(), "LayerNorm: input shape [3, 5] must end in 4 features");
  EXPECT_FALSE(CreateLayerNormOp(4, std::vector<float>(3), {}, 1e-5f).ok());
  EXPECT_FALSE(CreateLayerNormOp(0, {}, {}, 1e-5f).ok());
}

TEST(TransformerOpsTest, MatMulBatchedAndTransposed) {
  auto mm = CreateMatMulOp(false);
  auto mt = CreateMatMulOp(true);
  const core::Shape ab[] = {core::Shape::Of({2, 3}), core::Shape::Of({3, 4})};
  EXPECT_EQ(mm->InferShape(ab).value(), core::Shape::Of({2, 4}));
  const core::Shape abt[] = {core::Shape::Of({2, 3}), core::Shape::Of({4, 3})};
  EXPECT_EQ(mt->InferShape(abt).value(), core::Shape::Of({2, 4}));
  EXPECT_NE(mm->InferShape(abt).status().message().find("inner dims differ"), std::string::npos);
  const core::Shape lead[] = {core::Shape::Of({2, 2, 3}), core::Shape::Of({3, 3, 4})};
  EXPECT_NE(mm->InferShape(lead).status().message().find("leading dims"), std::string::npos);
  // Two samples, each [2, 3] x [3, 2].
  std::vector<float> a = {1, 2, 3, 4, 5, 6, /*sample 2*/ 1, 0, 0, 0, 1, 0};
  std::vector<float> b = {1, 0, 0, 1, 1, 1, /*sample 2*/ 1, 2, 3, 4, 5, 6};
  std::vector<float> c(8, NAN);
  const core::TensorView in[] = {View(a, {2, 2, 3}), View(b, {2, 3, 2})};
  mm->Run(in, View(c, {2, 2, 2}));
  EXPECT_EQ(c, (std::vector<float>{4, 5, 10, 11, 1, 2, 3, 4}));
  // Bᵀ: b viewed as [2, 2, 3] rows.
  std::vector<float> ct(8, NAN);
  const core::TensorView int_[] = {View(a, {2, 2, 3}), View(b, {2, 2, 3})};
  mt->Run(int_, View(ct, {2, 2, 2}));
  EXPECT_EQ(ct, (std::vector<float>{1 * 1 + 2 * 0 + 3 * 0, 1 * 1 + 2 * 1 + 3 * 1, 4 + 0 + 0, 4 + 5 + 6, 1, 4, 2, 5}));
}

TEST(TransformerOpsTest, SelfAttentionOpMatchesTheDefinitionPerSample) {
  constexpr int64_t kDim = 8, kHeads = 2, kLength = 6;
  const auto ref = testing::MakeRefAttention(kDim, kHeads, 3);
  auto op = CreateSelfAttentionOp({kDim, kHeads, kLength, false}, ref.wq, ref.wk, ref.wv, ref.wo, ref.bq, ref.bk, ref.bv,
                                  ref.bo);
  ASSERT_TRUE(op.ok()) << op.status().message();
  EXPECT_EQ((*op)->WeightBytes() > 4 * kDim * kDim * sizeof(float) - 1, true);
  const core::Shape too_long[] = {core::Shape::Of({kLength + 1, kDim})};
  EXPECT_NE((*op)->InferShape(too_long).status().message().find("must be [length <= 6, 8]"), std::string::npos);
  std::vector<float> x(2 * kLength * kDim);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i) * 0.37f);
  std::vector<float> y(x.size(), NAN);
  const core::TensorView in[] = {View(x, {2, kLength, kDim})};
  (*op)->Run(in, View(y, {2, kLength, kDim}));
  for (int s = 0; s < 2; ++s) {
    const std::vector<float> xs(x.begin() + s * kLength * kDim, x.begin() + (s + 1) * kLength * kDim);
    const std::vector<double> want = ref.Run(xs, kLength, false);
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(y[s * kLength * kDim + i], want[i], 2e-5) << s << " " << i;
  }
  EXPECT_FALSE(CreateSelfAttentionOp({kDim, kHeads, 0, false}, ref.wq, ref.wk, ref.wv, ref.wo, {}, {}, {}, {}).ok());
}

}  // namespace
}  // namespace vigil::nn
