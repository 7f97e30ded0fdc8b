#include "nn/kv_attention.h"

#include <gtest/gtest.h>

#include "nn/attention_reference.h"

namespace vigil::nn {
namespace {

TEST(KvAttentionTest, StepsEqualCausalAttentionOverTheWholeWindow) {
  constexpr int64_t kDim = 16, kHeads = 4, kLength = 12;
  const auto ref = testing::MakeRefAttention(kDim, kHeads, 5);
  auto w = AttentionWeights::Create({kDim, kHeads}, ref.wq, ref.wk, ref.wv, ref.wo, ref.bq, ref.bk, ref.bv, ref.bo);
  ASSERT_TRUE(w.ok());
  std::vector<float> x(kLength * kDim);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.3f * static_cast<float>(i));
  // The graph form, causal, all positions at once.
  AttentionScratch s(w->spec(), kLength);
  std::vector<float> full(x.size());
  AttendWindow(*w, x.data(), kLength, /*causal=*/true, &s, full.data());
  KvAttention cache(&*w, kLength);
  std::vector<float> y(kDim);
  for (int64_t t = 0; t < kLength; ++t) {
    cache.Step(&x[static_cast<size_t>(t * kDim)], y.data());
    EXPECT_EQ(cache.cached(), t + 1);
    for (int64_t c = 0; c < kDim; ++c) ASSERT_NEAR(y[static_cast<size_t>(c)], full[static_cast<size_t>(t * kDim + c)], 1e-5) << t;
  }
}

TEST(KvAttentionTest, AFullCacheSlidesItsWindow) {
  constexpr int64_t kDim = 8, kHeads = 2, kLength = 10, kCapacity = 4;
  const auto ref = testing::MakeRefAttention(kDim, kHeads, 9);
  auto w = AttentionWeights::Create({kDim, kHeads}, ref.wq, ref.wk, ref.wv, ref.wo, ref.bq, ref.bk, ref.bv, ref.bo);
  ASSERT_TRUE(w.ok());
  std::vector<float> x(kLength * kDim);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.5f * std::sin(1.3f * static_cast<float>(i));
  const std::vector<double> want = ref.Run(x, kLength, /*causal=*/true, /*window=*/kCapacity);
  KvAttention cache(&*w, kCapacity);
  std::vector<float> y(kDim);
  for (int64_t t = 0; t < kLength; ++t) {
    cache.Step(&x[static_cast<size_t>(t * kDim)], y.data());
    EXPECT_EQ(cache.cached(), std::min<int64_t>(t + 1, kCapacity));
    for (int64_t c = 0; c < kDim; ++c) ASSERT_NEAR(y[static_cast<size_t>(c)], want[static_cast<size_t>(t * kDim + c)], 2e-5) << t;
  }
  cache.Reset();
  EXPECT_EQ(cache.cached(), 0);
}

}  // namespace
}  // namespace vigil::nn
