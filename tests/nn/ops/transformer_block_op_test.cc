// The inference block op against the training forward pass (nn/train/transformer_block.h).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/ops/ops.h"
#include "nn/train/transformer_block.h"

namespace vigil::nn {
namespace {

TEST(TransformerBlockOpTest, MatchesTheTrainingForwardPass) {
  const train::BlockSpec spec{.dim = 16, .heads = 4, .hidden = 24};
  constexpr int64_t kLength = 9, kBatch = 3;
  std::vector<float> p = train::InitBlock(spec, 5);
  const train::BlockLayout l(spec);
  for (int64_t i = 0; i < spec.dim; ++i) {  // non-trivial norms and biases
    p[static_cast<size_t>(l.ln1_b + i)] = 0.03f * static_cast<float>(i % 5);
    p[static_cast<size_t>(l.ln2_g + i)] = 1.0f + 0.02f * static_cast<float>(i);
    p[static_cast<size_t>(l.b2 + i)] = -0.01f * static_cast<float>(i);
  }
  auto op = CreateTransformerBlockOp({spec.dim, spec.heads, spec.hidden, kLength, spec.ln_eps}, p);
  ASSERT_TRUE(op.ok()) << op.status().message();
  std::vector<float> x(kBatch * kLength * spec.dim), y(x.size(), NAN);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.41f * static_cast<float>(i)) * 1.5f;
  const core::Shape shape = core::Shape::Of({kBatch, kLength, spec.dim});
  const core::TensorView in[] = {core::ContiguousView(x.data(), core::DType::kF32, shape)};
  (*op)->Run(in, core::ContiguousView(y.data(), core::DType::kF32, shape));
  for (int64_t s = 0; s < kBatch; ++s) {
    std::vector<float> want(static_cast<size_t>(kLength * spec.dim));
    train::BlockCache<float> cache;
    train::BlockForward(spec, kLength, p.data(), x.data() + s * kLength * spec.dim, want.data(), &cache);
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_NEAR(y[static_cast<size_t>(s * kLength * spec.dim) + i], want[i], 2e-5f * std::max(1.0f, std::fabs(want[i])))
          << s << " " << i;
    }
  }
}

TEST(TransformerBlockOpTest, RefusesBadParameters) {
  const std::vector<float> few(10);
  EXPECT_NE(CreateTransformerBlockOp({16, 4, 24, 8, 1e-5f}, few).status().message().find("10 parameters, expected"),
            std::string::npos);
  EXPECT_FALSE(CreateTransformerBlockOp({16, 3, 24, 8, 1e-5f}, few).ok());  // heads do not divide dim
  EXPECT_FALSE(CreateTransformerBlockOp({16, 4, 24, 0, 1e-5f}, few).ok());
  const train::BlockSpec spec{.dim = 8, .heads = 2, .hidden = 4};
  auto op = CreateTransformerBlockOp({8, 2, 4, 5, 1e-5f}, train::InitBlock(spec, 1));
  ASSERT_TRUE(op.ok());
  const core::Shape too_long[] = {core::Shape::Of({6, 8})};
  EXPECT_NE((*op)->InferShape(too_long).status().message().find("must be [length <= 5, 8]"), std::string::npos);
}

}  // namespace
}  // namespace vigil::nn
