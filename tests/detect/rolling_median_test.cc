#include "detect/rolling_median.h"

#include <gtest/gtest.h>

namespace vigil::detect {
namespace {

TEST(RollingMedianTest, WindowOnePassesThrough) {
  RollingMedian m(1);
  EXPECT_EQ(m.Push(3), 3);
  EXPECT_EQ(m.Push(-1), -1);
}

TEST(RollingMedianTest, WarmUpThenSlides) {
  RollingMedian m(3);
  EXPECT_EQ(m.Push(5), 5);    // {5}
  EXPECT_EQ(m.Push(1), 3);    // {5,1} → mean of the middle two
  EXPECT_EQ(m.Push(9), 5);    // {5,1,9}
  EXPECT_EQ(m.Push(100), 9);  // {1,9,100}
  EXPECT_EQ(m.Push(2), 9);    // {9,100,2}
  m.Reset();
  EXPECT_EQ(m.Push(7), 7);
}

TEST(RollingMedianTest, SingleSpikeIsSuppressed) {
  RollingMedian m(5);
  double out = 0;
  for (double v : {1.0, 1.0, 50.0, 1.0, 1.0}) out = std::max(out, m.Push(v));
  EXPECT_EQ(out, 1.0);
}

}  // namespace
}  // namespace vigil::detect
