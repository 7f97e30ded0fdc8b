#include "detect/iforest_random.h"

#include <gtest/gtest.h>

#include <array>
#include <cmath>

namespace vigil::detect {
namespace {

// Expected values below come from an independent Python transcription of SplitMix64 and
// xoshiro256** (the published reference algorithms) run with the same seeds; the first
// SplitMix64 output from state 0 is the widely published 0xe220a8397b1dcdaf.

TEST(IForestRandomTest, SplitMix64MatchesReference) {
  uint64_t state = 0;
  EXPECT_EQ(SplitMix64Next(&state), 0xe220a8397b1dcdafull);
  EXPECT_EQ(SplitMix64Next(&state), 0x6e789e6aa1b965f4ull);
}

TEST(IForestRandomTest, XoshiroSequenceMatchesReference) {
  IForestRandom rng(1);
  EXPECT_EQ(rng.Next(), 0xb3f2af6d0fc710c5ull);
  EXPECT_EQ(rng.Next(), 0x853b559647364ceaull);
  EXPECT_EQ(rng.Next(), 0x92f89756082a4514ull);
}

TEST(IForestRandomTest, SeedForIsSplitMixOfOffsetSeed) {
  EXPECT_EQ(IForestRandom::SeedFor(42, 3), 0x581ce1ff0e4ae394ull);
  EXPECT_NE(IForestRandom::SeedFor(42, 0), IForestRandom::SeedFor(42, 1));
  EXPECT_NE(IForestRandom::SeedFor(42, 0), IForestRandom::SeedFor(43, 0));
}

TEST(IForestRandomTest, UniformIndexIsMultiplyShift) {
  IForestRandom rng(7);
  const std::array<uint64_t, 5> expected = {7, 2, 8, 9, 9};
  for (uint64_t e : expected) EXPECT_EQ(rng.UniformIndex(10), e);
}

TEST(IForestRandomTest, UniformUnitUses53HighBits) {
  IForestRandom rng(7);
  EXPECT_DOUBLE_EQ(rng.UniformUnit(), 0.7005764821796896);
  EXPECT_DOUBLE_EQ(rng.UniformUnit(), 0.2787512294737843);
}

TEST(IForestRandomTest, UniformIndexStaysInRangeAndCoversIt) {
  IForestRandom rng(99);
  EXPECT_EQ(rng.UniformIndex(1), 0u);
  std::array<int, 7> counts{};
  const int draws = 70000;
  for (int i = 0; i < draws; ++i) {
    const uint64_t v = rng.UniformIndex(7);
    ASSERT_LT(v, 7u);
    ++counts[v];
  }
  // Each bucket expects 10000; 5 standard deviations is ~470.
  for (int c : counts) EXPECT_NEAR(c, draws / 7, 470);
}

TEST(IForestRandomTest, UniformIndexHandlesHugeRangesWithRejection) {
  // n just above 2^63: about half of all products fall in the rejected zone.
  const uint64_t n = (uint64_t{1} << 63) + 12345;
  IForestRandom rng(5);
  uint64_t above_half = 0;
  for (int i = 0; i < 2000; ++i) {
    const uint64_t v = rng.UniformIndex(n);
    ASSERT_LT(v, n);
    above_half += v >= n / 2;
  }
  EXPECT_NEAR(static_cast<double>(above_half), 1000.0, 150.0);
}

TEST(IForestRandomTest, UniformUnitInHalfOpenInterval) {
  IForestRandom rng(3);
  double lo = 1, hi = 0, sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.UniformUnit();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    sum += u;
  }
  EXPECT_LT(lo, 0.01);
  EXPECT_GT(hi, 0.99);
  EXPECT_NEAR(sum / 10000, 0.5, 0.015);
}

}  // namespace
}  // namespace vigil::detect
