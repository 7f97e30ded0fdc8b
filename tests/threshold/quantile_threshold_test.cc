#include "threshold/quantile_threshold.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <vector>

#include "core/byte_io.h"

namespace vigil::threshold {
namespace {

ThresholdOptions QuantileOptions(double q, double margin = 1) {
  ThresholdOptions o;
  o.kind = ThresholdKind::kQuantile;
  o.quantile = q;
  o.margin = margin;
  return o;
}

TEST(EmpiricalQuantileTest, InterpolatesLinearlyByHand) {
  // Sorted: 1 2 3 4 5. q = 0.9: h = 4 * 0.9 = 3.6 -> 4 + 0.6 * (5 - 4) = 4.6.
  std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 0.9), 4.6);
  v = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 0.5), 3);  // h = 2 exactly: no interpolation
  v = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 0.125), 1.5);  // h = 0.5
  v = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 0), 1);
  v = {5, 1, 4, 2, 3};
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 1), 5);
  v = {7};
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 0.3), 7);
  v = {2, 2, 2, 9};  // ties: h = 3 * 0.8 = 2.4 -> 2 + 0.4 * 7 = 4.8
  EXPECT_DOUBLE_EQ(EmpiricalQuantile(v, 0.8), 4.8);
}

TEST(EmpiricalQuantileTest, MatchesNumpyDefault) {
  // np.quantile(x, q) (method="linear") with numpy 1.24 for these 13 values.
  const std::vector<double> x = {-0.802, -1.324, -0.248, 0.42,  1.136,  0.11,  -0.553,
                                 -0.785, 0.749,  1.635,  0.273, -1.233, -0.958};
  const std::pair<double, double> expected[] = {{0, -1.324},
                                                {0.1, -1.178},
                                                {0.25, -0.802},
                                                {0.5, -0.248},
                                                {0.9, 1.0586000000000002},
                                                {0.95, 1.3355999999999992},
                                                {0.995, 1.6050599999999997},
                                                {1, 1.635}};
  for (auto [q, want] : expected) {
    std::vector<double> v = x;
    EXPECT_NEAR(EmpiricalQuantile(v, q), want, 1e-12) << "q = " << q;
  }
}

TEST(QuantileThresholdTest, FitsQuantileTimesMargin) {
  QuantileThreshold thr(QuantileOptions(0.9, 2));
  std::vector<double> scores = {5, 1, 4, 2, 3};
  ASSERT_TRUE(thr.Fit(scores).ok());
  EXPECT_DOUBLE_EQ(thr.value(), 9.2);
  EXPECT_FALSE(thr.Observe(9.2));  // strictly above fires
  EXPECT_TRUE(thr.Observe(9.21));
  EXPECT_FALSE(thr.Observe(std::nan("")));
  EXPECT_DOUBLE_EQ(thr.value(), 9.2) << "quantile does not adapt";
}

TEST(QuantileThresholdTest, AllEqualScores) {
  QuantileThreshold thr(QuantileOptions(0.995));
  std::vector<double> zeros(100, 0.0);
  ASSERT_TRUE(thr.Fit(zeros).ok());
  EXPECT_EQ(thr.value(), 0);
  EXPECT_FALSE(thr.Observe(0));
  EXPECT_TRUE(thr.Observe(1e-9));
}

TEST(QuantileThresholdTest, UnfittedNeverFires) {
  QuantileThreshold thr(QuantileOptions(0.9));
  EXPECT_EQ(thr.value(), std::numeric_limits<double>::infinity());
  EXPECT_FALSE(thr.Observe(1e300));
}

TEST(QuantileThresholdTest, RejectsTooFewAndNonFiniteScores) {
  QuantileThreshold thr(QuantileOptions(0.9));
  Status s = thr.Fit({});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "quantile threshold: need at least 1 training score, got 0");
  std::vector<double> scores = {1, 2, std::numeric_limits<double>::infinity()};
  s = thr.Fit(scores);
  EXPECT_EQ(s.message(), "quantile threshold: training score 2 is inf; scores must be finite");
  scores[2] = std::nan("");
  EXPECT_EQ(thr.Fit(scores).message(), "quantile threshold: training score 2 is nan; scores must be finite");
}

TEST(QuantileThresholdTest, RejectsBadOptionsAtFit) {
  QuantileThreshold thr(QuantileOptions(1.5));
  std::vector<double> scores = {1, 2};
  EXPECT_EQ(thr.Fit(scores).message(), "threshold option 'quantile' = 1.5 is out of range (0, 1]");
}

TEST(QuantileThresholdTest, SaveLoadRoundTrip) {
  QuantileThreshold thr(QuantileOptions(0.9, 1.5));
  std::vector<double> scores = {5, 1, 4, 2, 3};
  ASSERT_TRUE(thr.Fit(scores).ok());
  core::ByteWriter w;
  thr.Save(w);
  QuantileThreshold loaded(QuantileOptions(0.5));
  core::ByteReader r(w.bytes(), "t.vgm");
  ASSERT_TRUE(loaded.Load(r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(loaded.value(), thr.value());
  std::ostringstream a, b;
  thr.Describe(a);
  loaded.Describe(b);
  EXPECT_EQ(a.str(), b.str());
}

TEST(QuantileThresholdTest, LoadRejectsCorruptPayloads) {
  auto load = [](const core::ByteWriter& w) {
    QuantileThreshold thr(QuantileOptions(0.9));
    core::ByteReader r(w.bytes(), "t.vgm");
    return thr.Load(r);
  };
  core::ByteWriter w;
  w.U32(1);
  w.F64(1.5);  // quantile out of range
  w.F64(1);
  w.U8(0);
  Status s = load(w);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(
      s.message(),
      "t.vgm: offset 12: field 'quantile.options': threshold option 'quantile' = 1.5 is out of range (0, 1]");

  core::ByteWriter v;
  v.U32(1);
  v.F64(0.9);
  v.F64(1);
  v.U8(1);
  v.F64(std::nan(""));
  EXPECT_EQ(load(v).message(), "t.vgm: offset 21: field 'quantile.value': not finite: nan");

  core::ByteWriter version;
  version.U32(2);
  EXPECT_EQ(load(version).message(), "t.vgm: offset 0: field 'quantile.version': unsupported version 2");

  core::ByteWriter truncated;
  truncated.U32(1);
  truncated.F64(0.9);
  EXPECT_EQ(load(truncated).code(), StatusCode::kCorruption);
}

TEST(QuantileThresholdTest, Describe) {
  QuantileThreshold thr(QuantileOptions(0.9, 2));
  std::ostringstream before;
  thr.Describe(before);
  EXPECT_EQ(before.str(), "kind: quantile\nquantile: 0.9\nmargin: 2\nvalue: not fitted\n");
  std::vector<double> scores = {5, 1, 4, 2, 3};
  ASSERT_TRUE(thr.Fit(scores).ok());
  std::ostringstream after;
  thr.Describe(after);
  EXPECT_EQ(after.str(), "kind: quantile\nquantile: 0.9\nmargin: 2\nvalue: 9.2\n");
}

TEST(CheckTrainingScoresTest, NamesWhatAndWhy) {
  std::vector<double> scores(3, 1.0);
  EXPECT_TRUE(CheckTrainingScores(scores, 3, "x", "").ok());
  EXPECT_EQ(CheckTrainingScores(scores, 4, "pot threshold", " for reasons").message(),
            "pot threshold: need at least 4 training scores for reasons, got 3");
}

}  // namespace
}  // namespace vigil::threshold
