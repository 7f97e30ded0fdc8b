#include "core/xoshiro.h"

#include <gtest/gtest.h>

#include "detect/iforest_random.h"
#include "nn/train/prng.h"

namespace vigil::core {
namespace {

TEST(XoshiroTest, SameSeedSameStreamDifferentSeedDifferentStream) {
  Xoshiro256 a(7), b(7), c(8);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(XoshiroTest, ForestAndTrainingDrawFromTheSameGenerator) {
  Xoshiro256 core(42);
  detect::IForestRandom forest(42);
  nn::train::Prng train(42);
  for (int i = 0; i < 10; ++i) {
    uint64_t x = core.Next();
    EXPECT_EQ(forest.Next(), x);
    EXPECT_EQ(train.Next(), x);
  }
}

}  // namespace
}  // namespace vigil::core
