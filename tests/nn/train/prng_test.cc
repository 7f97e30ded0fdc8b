#include "nn/train/prng.h"

#include <gtest/gtest.h>

#include <vector>

namespace vigil::nn::train {
namespace {

TEST(PrngTest, SplitMixMatchesPublishedSequence) {
  // Reference outputs of splitmix64 seeded with 1234567.
  uint64_t x = 1234567;
  EXPECT_EQ(Prng::SplitMix64(&x), 6457827717110365317ULL);
  EXPECT_EQ(Prng::SplitMix64(&x), 3203168211198807973ULL);
  EXPECT_EQ(Prng::SplitMix64(&x), 9817491932198370423ULL);
}

TEST(PrngTest, XoshiroSequenceIsFixed) {
  // Computed independently (Python big integers) from the same definition; a change here
  // means every trained model changes.
  Prng rng(42);
  EXPECT_EQ(rng.Next(), 1546998764402558742ULL);
  EXPECT_EQ(rng.Next(), 6990951692964543102ULL);
  EXPECT_EQ(rng.Next(), 12544586762248559009ULL);
}

TEST(PrngTest, SameSeedSameStreamDifferentSeedDiffers) {
  Prng a(5), b(5), c(6);
  bool any_diff = false;
  for (int i = 0; i < 100; ++i) {
    const uint64_t va = a.Next();
    EXPECT_EQ(va, b.Next());
    any_diff |= va != c.Next();
  }
  EXPECT_TRUE(any_diff);
}

TEST(PrngTest, FloatsInUnitIntervalAndSpread) {
  Prng rng(1);
  std::vector<int> buckets(10, 0);
  for (int i = 0; i < 100000; ++i) {
    const float u = rng.NextFloat();
    ASSERT_GE(u, 0.0f);
    ASSERT_LT(u, 1.0f);
    ++buckets[static_cast<size_t>(u * 10.0f)];
  }
  for (int count : buckets) EXPECT_NEAR(count, 10000, 500);
}

TEST(PrngTest, NextBelowStaysInRange) {
  Prng rng(3);
  std::vector<int> counts(3, 0);
  for (int i = 0; i < 30000; ++i) {
    const uint64_t k = rng.NextBelow(3);
    ASSERT_LT(k, 3u);
    ++counts[k];
  }
  for (int count : counts) EXPECT_NEAR(count, 10000, 400);
  EXPECT_EQ(rng.NextBelow(1), 0u);
}

}  // namespace
}  // namespace vigil::nn::train
