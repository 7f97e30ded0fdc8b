#include "nn/attention.h"

#include <gtest/gtest.h>

#include "nn/attention_reference.h"

namespace vigil::nn {
namespace {

std::vector<float> Input(int64_t length, int64_t dim) {
  std::vector<float> x(static_cast<size_t>(length * dim));
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.7f * static_cast<float>(i)) + 0.1f * static_cast<float>(i % 5);
  return x;
}

TEST(AttentionTest, WindowMatchesTheNaiveDoubleDefinition) {
  for (auto [dim, heads, length] : {std::tuple<int64_t, int64_t, int64_t>{8, 2, 5}, {16, 4, 17}, {12, 3, 1}, {24, 1, 9}}) {
    for (bool causal : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "dim " << dim << " heads " << heads << " length " << length << " causal "
                                      << causal);
      const auto ref = testing::MakeRefAttention(dim, heads, 11);
      auto w = AttentionWeights::Create({dim, heads}, ref.wq, ref.wk, ref.wv, ref.wo, ref.bq, ref.bk, ref.bv, ref.bo);
      ASSERT_TRUE(w.ok()) << w.status().message();
      const std::vector<float> x = Input(length, dim);
      AttentionScratch s(w->spec(), length);
      std::vector<float> y(x.size(), NAN);
      AttendWindow(*w, x.data(), length, causal, &s, y.data());
      const std::vector<double> want = ref.Run(x, length, causal);
      for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], want[i], 2e-5) << i;
    }
  }
}

TEST(AttentionTest, RefusesBadShapes) {
  const std::vector<float> w16(16), w9(9), b3(3);
  EXPECT_NE(AttentionWeights::Create({4, 3}, w16, w16, w16, w16).status().message().find("multiple of heads"),
            std::string::npos);
  EXPECT_NE(AttentionWeights::Create({4, 2}, w16, w9, w16, w16).status().message().find("Wk has 9 floats"),
            std::string::npos);
  EXPECT_NE(AttentionWeights::Create({4, 2}, w16, w16, w16, w16, {}, {}, {}, b3).status().message().find(
                "bo has 3 floats"),
            std::string::npos);
  EXPECT_TRUE(AttentionWeights::Create({4, 2}, w16, w16, w16, w16).ok());  // biases optional
}

}  // namespace
}  // namespace vigil::nn
