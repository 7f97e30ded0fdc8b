#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "vigil/metrics.h"

namespace vigil {
namespace {

TEST(BinaryMetricsTest, HandCountedConfusion) {
  // index:                       0  1  2  3  4  5  6  7  8  9
  const std::vector<uint8_t> t = {1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
  const std::vector<uint8_t> p = {1, 1, 1, 0, 1, 1, 0, 0, 0, 0};
  const BinaryMetrics m = ComputeBinaryMetrics(t, p);
  EXPECT_EQ(m.tp, 3u);
  EXPECT_EQ(m.fn, 1u);
  EXPECT_EQ(m.fp, 2u);
  EXPECT_EQ(m.tn, 4u);
  EXPECT_DOUBLE_EQ(m.precision, 3.0 / 5.0);
  EXPECT_DOUBLE_EQ(m.recall, 3.0 / 4.0);
  EXPECT_DOUBLE_EQ(m.f1, 6.0 / 9.0);  // 2TP / (2TP + FP + FN)
  EXPECT_DOUBLE_EQ(m.far_pct, 100.0 * 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(m.mar_pct, 25.0);
}

TEST(BinaryMetricsTest, AnyNonzeroByteIsAnomalous) {
  const std::vector<uint8_t> t = {7, 0, 255};
  const std::vector<uint8_t> p = {1, 2, 0};
  const BinaryMetrics m = ComputeBinaryMetrics(t, p);
  EXPECT_EQ(m.tp, 1u);
  EXPECT_EQ(m.fp, 1u);
  EXPECT_EQ(m.fn, 1u);
  EXPECT_EQ(m.tn, 0u);
}

TEST(BinaryMetricsTest, FlagEverythingMatchesSkabConvention) {
  // Three normal points then one anomaly, all flagged: F1 = 2/(2+3), FAR 100 %, MAR 0 %.
  const std::vector<uint8_t> t = {0, 0, 0, 1};
  const std::vector<uint8_t> p = {1, 1, 1, 1};
  const BinaryMetrics m = ComputeBinaryMetrics(t, p);
  EXPECT_DOUBLE_EQ(m.f1, 0.4);
  EXPECT_DOUBLE_EQ(m.far_pct, 100.0);
  EXPECT_DOUBLE_EQ(m.mar_pct, 0.0);
  EXPECT_DOUBLE_EQ(m.precision, 0.25);
  EXPECT_DOUBLE_EQ(m.recall, 1.0);
}

TEST(BinaryMetricsTest, EmptyInputIsAllZero) {
  const BinaryMetrics m = ComputeBinaryMetrics({}, {});
  EXPECT_EQ(m.tp + m.fp + m.tn + m.fn, 0u);
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.f1, 0.0);
  EXPECT_EQ(m.far_pct, 0.0);
  EXPECT_EQ(m.mar_pct, 0.0);
}

TEST(BinaryMetricsTest, AllNegativeTruthGivesZeroF1NotNaN) {
  const std::vector<uint8_t> t = {0, 0, 0, 0};
  const std::vector<uint8_t> quiet = {0, 0, 0, 0};
  BinaryMetrics m = ComputeBinaryMetrics(t, quiet);
  EXPECT_EQ(m.tn, 4u);
  EXPECT_EQ(m.f1, 0.0);
  EXPECT_EQ(m.recall, 0.0);
  EXPECT_EQ(m.mar_pct, 0.0);
  EXPECT_EQ(m.far_pct, 0.0);

  const std::vector<uint8_t> noisy = {0, 1, 0, 0};
  m = ComputeBinaryMetrics(t, noisy);
  EXPECT_EQ(m.f1, 0.0);
  EXPECT_EQ(m.precision, 0.0);
  EXPECT_DOUBLE_EQ(m.far_pct, 25.0);
}

TEST(BinaryMetricsTest, PerfectPrediction) {
  const std::vector<uint8_t> t = {0, 1, 1, 0, 1};
  const BinaryMetrics m = ComputeBinaryMetrics(t, t);
  EXPECT_EQ(m.f1, 1.0);
  EXPECT_EQ(m.precision, 1.0);
  EXPECT_EQ(m.recall, 1.0);
  EXPECT_EQ(m.far_pct, 0.0);
  EXPECT_EQ(m.mar_pct, 0.0);
}

TEST(BinaryMetricsDeathTest, UnequalLengthsAbort) {
  const std::vector<uint8_t> t = {0, 1, 1};
  const std::vector<uint8_t> p = {0, 1};
  EXPECT_DEATH(ComputeBinaryMetrics(t, p), "VIGIL_CHECK failed");
}

}  // namespace
}  // namespace vigil
