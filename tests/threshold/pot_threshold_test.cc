#include "threshold/pot_threshold.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <vector>

#include "core/byte_io.h"
#include "threshold/threshold_test_util.h"

namespace vigil::threshold {
namespace {

ThresholdOptions PotOptions(double risk = 1e-3, double init_quantile = 0.98, double margin = 1) {
  ThresholdOptions o;
  o.kind = ThresholdKind::kPot;
  o.risk = risk;
  o.init_quantile = init_quantile;
  o.margin = margin;
  return o;
}

// 495 zeros and 5 ones: t = 0 (the 0.98 quantile falls among the zeros), 5 peaks with
// excess 1 -> too few for a GPD, so the exponential with sigma = 1:
// z = 0 - 1 * log(1e-3 * 500 / 5) = log(10), 2.3025850929940455 as computed in doubles.
std::vector<double> FivePeaks() {
  std::vector<double> v(500, 0.0);
  for (int i = 0; i < 5; ++i) v[100 * i + 7] = 1;
  return v;
}

TEST(PotQuantileTest, FormulaByHand) {
  // t = 1, sigma = 2, risk 1e-3, n = 1000, N_t = 20: r = 0.05.
  GpdFit fit;
  fit.sigma = 2;
  fit.gamma = 0.5;  // 1 + (2 / 0.5) (0.05^-0.5 - 1)
  EXPECT_NEAR(PotQuantile(1, fit, 1e-3, 1000, 20), 14.888543819998318, 1e-12);
  fit.gamma = 0;  // 1 - 2 log(0.05)
  EXPECT_NEAR(PotQuantile(1, fit, 1e-3, 1000, 20), 6.991464547107982, 1e-12);
  fit.gamma = -0.25;  // 1 + (2 / -0.25) (0.05^0.25 - 1)
  EXPECT_NEAR(PotQuantile(1, fit, 1e-3, 1000, 20), 5.217033563987297, 1e-12);
  fit.gamma = 1e-12;  // continuous at gamma = 0
  EXPECT_NEAR(PotQuantile(1, fit, 1e-3, 1000, 20), 6.991464547107982, 1e-9);
  EXPECT_EQ(PotQuantile(1, fit, 1e-3, 1000, 0), 1) << "no peaks: the tail is empty";
}

TEST(PotThresholdTest, MinScores) {
  EXPECT_EQ(MinPotScores(0.98), 500u);
  EXPECT_EQ(MinPotScores(0.9), 100u);
  EXPECT_EQ(MinPotScores(0.75), 40u);
  EXPECT_EQ(MinPotScores(0.999), 10000u);
}

// Exp(1) scores: P(X > x) = e^-x, so the 1e-3 upper quantile is ln(1000) = 6.9078 and
// the initial threshold (0.98 quantile) is ln(50) = 3.9120. The tail above t is again
// Exp(1) (gamma = 0, sigma = 1).
TEST(PotThresholdTest, ExponentialScoresGiveTheKnownQuantile) {
  std::vector<double> scores = testing::ExponentialSample(/*seed=*/2024, 100000);
  PotThreshold thr(PotOptions());
  ASSERT_TRUE(thr.Fit(scores).ok());
  EXPECT_NEAR(thr.init_threshold(), std::log(50.0), 0.02 * std::log(50.0));
  EXPECT_NEAR(thr.value(), std::log(1000.0), 0.03 * std::log(1000.0));
  EXPECT_NEAR(thr.gpd().gamma, 0, 0.06);
  EXPECT_NEAR(thr.gpd().sigma, 1, 0.08);
  EXPECT_EQ(thr.observed(), 100000u);
  EXPECT_EQ(thr.peaks(), 2000u);  // exactly (n-1)(1-q) ~ 2000 distinct scores above t
  EXPECT_EQ(thr.window_peaks(), thr.peaks());
  EXPECT_EQ(thr.window_scores(), thr.observed());
}

TEST(PotThresholdTest, ExtrapolatesBeyondTheData) {
  // With risk 1e-5 and only 20000 scores, the target lies beyond the sample's
  // reach; the answer must still be near ln(1e5) = 11.51 (not the sample maximum).
  std::vector<double> scores = testing::ExponentialSample(/*seed=*/7, 20000);
  PotThreshold thr(PotOptions(1e-5));
  ASSERT_TRUE(thr.Fit(scores).ok());
  EXPECT_NEAR(thr.value(), std::log(1e5), 0.12 * std::log(1e5));
}

TEST(PotThresholdTest, MarginMultiplies) {
  std::vector<double> scores = testing::ExponentialSample(/*seed=*/3, 5000);
  PotThreshold plain(PotOptions());
  PotThreshold wide(PotOptions(1e-3, 0.98, 1.5));
  ASSERT_TRUE(plain.Fit(scores).ok());
  ASSERT_TRUE(wide.Fit(scores).ok());
  EXPECT_DOUBLE_EQ(wide.value(), 1.5 * plain.value());
}

TEST(PotThresholdTest, ObserveIsStatic) {
  std::vector<double> scores = testing::ExponentialSample(/*seed=*/3, 5000);
  PotThreshold thr(PotOptions());
  ASSERT_TRUE(thr.Fit(scores).ok());
  double z = thr.value();
  EXPECT_FALSE(thr.Observe(z));
  EXPECT_TRUE(thr.Observe(std::nextafter(z, 100.0)));
  EXPECT_FALSE(thr.Observe(std::nan("")));
  for (int i = 0; i < 100; ++i) thr.Observe(z - 0.1);
  EXPECT_EQ(thr.value(), z);
  EXPECT_EQ(thr.observed(), 5000u);
}

TEST(PotThresholdTest, AllEqualScoresGiveTheirValue) {
  // No score is strictly above t: the tail is empty and z = t (documented fallback).
  PotThreshold thr(PotOptions());
  std::vector<double> same(600, 3.5);
  ASSERT_TRUE(thr.Fit(same).ok());
  EXPECT_EQ(thr.value(), 3.5);
  EXPECT_EQ(thr.peaks(), 0u);
  EXPECT_FALSE(thr.Observe(3.5));
  EXPECT_TRUE(thr.Observe(3.5000001));
  std::vector<double> zeros(600, 0.0);
  ASSERT_TRUE(thr.Fit(zeros).ok());
  EXPECT_EQ(thr.value(), 0);
}

TEST(PotThresholdTest, TooFewPeaksUseTheExponentialTail) {
  PotThreshold thr(PotOptions());
  ASSERT_TRUE(thr.Fit(FivePeaks()).ok());
  EXPECT_EQ(thr.init_threshold(), 0);
  EXPECT_EQ(thr.peaks(), 5u);
  EXPECT_EQ(thr.gpd().method, GpdMethod::kTooFewExcesses);
  EXPECT_DOUBLE_EQ(thr.gpd().sigma, 1);
  EXPECT_DOUBLE_EQ(thr.value(), 2.302585092994046);
}

TEST(PotThresholdTest, NeverBelowTheInitialThreshold) {
  // Heavy ties leave 1% of the scores above t while risk is 1.5%: the formula gives
  // z = 0 - log(0.015 * 500 / 5) = -0.405 < t = 0, so z is raised to t.
  PotThreshold thr(PotOptions(0.015));
  ASSERT_TRUE(thr.Fit(FivePeaks()).ok());
  EXPECT_EQ(thr.value(), 0);
  EXPECT_LT(PotQuantile(0, thr.gpd(), 0.015, 500, 5), 0);
}

TEST(PotThresholdTest, RejectsTooFewScores) {
  PotThreshold thr(PotOptions());
  std::vector<double> scores(499, 1.0);
  Status s = thr.Fit(scores);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "pot threshold: need at least 500 training scores for init_quantile 0.98 (10 or more above the "
            "initial threshold), got 499");
  PotThreshold coarse(PotOptions(1e-3, 0.9));
  EXPECT_EQ(coarse.Fit(std::vector<double>(99, 1.0)).message(),
            "pot threshold: need at least 100 training scores for init_quantile 0.9 (10 or more above the "
            "initial threshold), got 99");
}

TEST(PotThresholdTest, RejectsNonFiniteScores) {
  PotThreshold thr(PotOptions());
  std::vector<double> scores = testing::ExponentialSample(1, 1000);
  scores[123] = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(thr.Fit(scores).message(), "pot threshold: training score 123 is -inf; scores must be finite");
  EXPECT_FALSE(thr.fitted());
}

TEST(PotThresholdTest, RejectsBadOptionsAtFit) {
  PotThreshold thr(PotOptions(0.6));
  EXPECT_EQ(thr.Fit(testing::ExponentialSample(1, 1000)).message(),
            "threshold option 'risk' = 0.6 is out of range (0, 0.5)");
}

TEST(PotThresholdTest, UnfittedNeverFires) {
  PotThreshold thr(PotOptions());
  EXPECT_EQ(thr.value(), std::numeric_limits<double>::infinity());
  EXPECT_FALSE(thr.Observe(1e300));
  std::ostringstream os;
  thr.Describe(os);
  EXPECT_EQ(os.str(), "kind: pot\nrisk: 0.001\ninit_quantile: 0.98\nmargin: 1\nvalue: not fitted\n");
}

TEST(PotThresholdTest, Describe) {
  PotThreshold thr(PotOptions());
  ASSERT_TRUE(thr.Fit(FivePeaks()).ok());
  std::ostringstream os;
  thr.Describe(os);
  EXPECT_EQ(
      os.str(),
      "kind: pot\nrisk: 0.001\ninit_threshold: 0\ngpd_sigma: 1\ngpd_gamma: 0\nvalue: 2.3025850929940455\n"
      "init_quantile: 0.98\nmargin: 1\nscores: 500\npeaks: 5\n");
}

TEST(PotThresholdTest, SaveLoadRoundTrip) {
  std::vector<double> scores = testing::ExponentialSample(/*seed=*/3, 5000);
  PotThreshold thr(PotOptions(2e-3, 0.95, 1.25));
  ASSERT_TRUE(thr.Fit(scores).ok());
  core::ByteWriter w;
  thr.Save(w);
  PotThreshold loaded(PotOptions());
  core::ByteReader r(w.bytes(), "t.vgm");
  ASSERT_TRUE(loaded.Load(r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(loaded.value(), thr.value());
  EXPECT_EQ(loaded.gpd().gamma, thr.gpd().gamma);
  std::ostringstream a, b;
  thr.Describe(a);
  loaded.Describe(b);
  EXPECT_EQ(a.str(), b.str());

  // Unfitted state round-trips too.
  PotThreshold empty(PotOptions());
  core::ByteWriter e;
  empty.Save(e);
  core::ByteReader re(e.bytes(), "t.vgm");
  ASSERT_TRUE(loaded.Load(re).ok());
  EXPECT_FALSE(loaded.fitted());
}

// Overwrites the first occurrence of the 8 bytes of `from` in the payload.
void Patch(std::vector<uint8_t>* bytes, double from, double to) {
  uint8_t a[8], b[8];
  std::memcpy(a, &from, 8);
  std::memcpy(b, &to, 8);
  for (size_t i = 0; i + 8 <= bytes->size(); ++i) {
    if (std::memcmp(bytes->data() + i, a, 8) == 0) {
      std::memcpy(bytes->data() + i, b, 8);
      return;
    }
  }
  FAIL() << "value not found in payload";
}

TEST(PotThresholdTest, LoadRejectsInvalidValues) {
  std::vector<double> scores = testing::ExponentialSample(/*seed=*/3, 5000);
  PotThreshold thr(PotOptions());
  ASSERT_TRUE(thr.Fit(scores).ok());
  core::ByteWriter w;
  thr.Save(w);
  auto load = [](std::vector<uint8_t> bytes) {
    PotThreshold t(PotOptions());
    core::ByteReader r(bytes, "m.vgm");
    Status s = t.Load(r);
    EXPECT_FALSE(t.fitted());
    return s;
  };
  std::vector<uint8_t> bytes = w.bytes();
  Patch(&bytes, thr.gpd().sigma, -1);
  Status s = load(bytes);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("field 'pot.gpd_sigma': invalid value -1 (expected finite and > 0)"),
            std::string::npos)
      << s.message();

  bytes = w.bytes();
  Patch(&bytes, thr.init_threshold(), std::nan(""));
  EXPECT_NE(load(bytes).message().find("field 'pot.init_threshold': invalid value nan (expected finite)"),
            std::string::npos);

  bytes = w.bytes();
  Patch(&bytes, thr.value(), thr.init_threshold() - 1);
  EXPECT_NE(load(bytes).message().find("field 'pot.value': invalid value"), std::string::npos);

  bytes = w.bytes();
  Patch(&bytes, thr.gpd().gamma, std::numeric_limits<double>::infinity());
  EXPECT_NE(load(bytes).message().find("field 'pot.gpd_gamma': invalid value inf"), std::string::npos);

  bytes = w.bytes();
  Patch(&bytes, 1e-3, 0.9);  // risk
  EXPECT_EQ(load(bytes).message(),
            "m.vgm: offset 20: field 'pot.options': threshold option 'risk' = 0.9 is out of range (0, 0.5)");

  bytes = w.bytes();
  bytes.resize(bytes.size() - 3);
  EXPECT_NE(load(bytes).message().find("truncated"), std::string::npos);

  bytes = w.bytes();
  bytes[0] = 7;  // version
  EXPECT_EQ(load(bytes).message(), "m.vgm: offset 0: field 'pot.version': unsupported version 7");
}

TEST(PotThresholdTest, LoadRejectsInconsistentCounts) {
  core::ByteWriter w;
  w.U32(1);
  w.F64(1e-3);
  w.F64(0.98);
  w.F64(1);
  w.U8(1);
  w.F64(2.0);  // t
  w.U64(100);  // n
  w.U64(200);  // peaks > n
  w.U64(0);
  w.U64(0);
  PotThreshold thr(PotOptions());
  core::ByteReader r(w.bytes(), "m.vgm");
  EXPECT_EQ(thr.Load(r).message(),
            "m.vgm: offset 61: field 'pot.counts': inconsistent counts: n 100, peaks 200, window_start 0, "
            "dropped 0");
}

}  // namespace
}  // namespace vigil::threshold
