#include "detect/robust_stats.h"

#include <gtest/gtest.h>

namespace vigil::detect {
namespace {

TEST(RobustStatsTest, MedianOddEvenEmpty) {
  EXPECT_EQ(Median({3, 1, 2}), 2);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(Median({}), 0);
}

TEST(RobustStatsTest, ScaleIsMadThenMeanDeviationThenOne) {
  // |x − 3| = {2,1,0,1,2} → MAD 1 → 1.4826.
  EXPECT_DOUBLE_EQ(RobustScale({1, 2, 3, 4, 5}, 3), 1.4826);
  // More than half equal: MAD 0, mean |dev| = 10/5 = 2 → 1.2533·2.
  EXPECT_DOUBLE_EQ(RobustScale({0, 0, 0, 0, 10}, 0), 1.2533 * 2);
  EXPECT_DOUBLE_EQ(RobustScale({7, 7, 7}, 7), 1.0);
}

TEST(RobustStatsTest, ColumnExtractsStrided) {
  const float x[] = {1, 2, 3, 4, 5, 6};
  EXPECT_EQ(Column(x, 3, 2, 1), (std::vector<double>{2, 4, 6}));
}

}  // namespace
}  // namespace vigil::detect
