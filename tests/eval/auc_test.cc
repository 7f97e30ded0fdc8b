#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "vigil/metrics.h"

namespace vigil {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST(AucRocTest, PerfectAndReversedRanking) {
  const std::vector<uint8_t> t = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(AucRoc(std::vector<double>{0.1, 0.2, 0.8, 0.9}, t), 1.0);
  EXPECT_DOUBLE_EQ(AucRoc(std::vector<double>{0.9, 0.8, 0.2, 0.1}, t), 0.0);
}

TEST(AucRocTest, TiesCountHalf) {
  // All scores equal: every pair is a tie.
  EXPECT_DOUBLE_EQ(AucRoc(std::vector<double>{3, 3, 3, 3}, std::vector<uint8_t>{0, 1, 0, 1}), 0.5);
  // Pairs (pos, neg): p=0.5 vs n=0.5 tie (1/2), p=0.5 vs n=0.1 win, p=0.9 beats both.
  // (0.5 + 1 + 1 + 1) / 4 = 0.875.
  const std::vector<double> s = {0.1, 0.5, 0.5, 0.9};
  const std::vector<uint8_t> t = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(AucRoc(s, t), 0.875);
}

TEST(AucRocTest, HandCountedPairs) {
  // Positives 0.7, 0.3; negatives 0.6, 0.2, 0.1. Wins: 0.7 beats 3, 0.3 beats 2 → 5/6.
  const std::vector<double> s = {0.6, 0.7, 0.2, 0.3, 0.1};
  const std::vector<uint8_t> t = {0, 1, 0, 1, 0};
  EXPECT_DOUBLE_EQ(AucRoc(s, t), 5.0 / 6.0);
}

TEST(AucRocTest, NaNRanksBelowEverythingAndTiesWithNaN) {
  // Positive NaN loses to the -inf negative; two NaNs tie.
  const std::vector<double> s = {kNaN, -kInf, kNaN, 1.0, 0.5};
  const std::vector<uint8_t> t = {1, 0, 0, 1, 0};
  // NaN+ vs (-inf, NaN, 0.5): loss, tie 1/2, loss. 1.0 vs the same three: three wins.
  // (With NaN ranked on top instead it would be 4.5 / 6.)
  EXPECT_DOUBLE_EQ(AucRoc(s, t), 3.5 / 6.0);
}

TEST(AucRocTest, OneClassOrEmptyIsNaN) {
  EXPECT_TRUE(std::isnan(AucRoc({}, {})));
  EXPECT_TRUE(std::isnan(AucRoc(std::vector<double>{0.1, 0.9}, std::vector<uint8_t>{0, 0})));
  EXPECT_TRUE(std::isnan(AucRoc(std::vector<double>{0.1, 0.9}, std::vector<uint8_t>{1, 1})));
}

TEST(AucPrTest, HandComputedAveragePrecision) {
  // Ranked: 0.9(+) 0.8(-) 0.7(+) 0.1(-). Thresholds: R 1/2 @ P 1, R 1 @ P 2/3.
  // AP = 0.5·1 + 0.5·(2/3) = 5/6.
  const std::vector<double> s = {0.1, 0.9, 0.7, 0.8};
  const std::vector<uint8_t> t = {0, 1, 1, 0};
  EXPECT_DOUBLE_EQ(AucPr(s, t), 5.0 / 6.0);
}

TEST(AucPrTest, TiedGroupIsOneThreshold) {
  // Ranked groups: {0.9: +}, {0.5: +, -, -}. R 1/2 @ P 1; R 1 @ P 2/4.
  // AP = 0.5 + 0.5·0.5 = 0.75 (ordering inside the tie must not matter).
  const std::vector<double> s = {0.5, 0.9, 0.5, 0.5};
  const std::vector<uint8_t> t = {0, 1, 1, 0};
  EXPECT_DOUBLE_EQ(AucPr(s, t), 0.75);
  const std::vector<uint8_t> t2 = {1, 1, 0, 0};
  EXPECT_DOUBLE_EQ(AucPr(s, t2), 0.75);
}

TEST(AucPrTest, EdgeClasses) {
  EXPECT_TRUE(std::isnan(AucPr({}, {})));
  EXPECT_TRUE(std::isnan(AucPr(std::vector<double>{0.1, 0.9}, std::vector<uint8_t>{0, 0})));
  // No negatives: precision is 1 at every threshold (sklearn also gives 1.0).
  EXPECT_DOUBLE_EQ(AucPr(std::vector<double>{0.1, 0.9}, std::vector<uint8_t>{1, 1}), 1.0);
}

TEST(AucPrTest, NaNScoresRankLast) {
  // NaN positive is found only after every number: ranked 0.2(-) then NaN(+).
  const std::vector<double> s = {kNaN, 0.2};
  const std::vector<uint8_t> t = {1, 0};
  EXPECT_DOUBLE_EQ(AucPr(s, t), 0.5);
  EXPECT_DOUBLE_EQ(AucRoc(s, t), 0.0);
}

// Produced offline with /usr/bin/python3 (numpy 1.24.2, scikit-learn 1.2.1):
//   rng = np.random.default_rng(20240607); n = 40
//   scores = np.round(rng.uniform(0, 1, n), 1)             # one decimal → many ties
//   truth = (rng.uniform(0, 1, n) < 0.35 + 0.4 * scores).astype(int)
//   roc_auc_score(truth, scores)           → 0.6578282828282828
//   average_precision_score(truth, scores) → 0.5879676932807864
TEST(AucCrossCheckTest, MatchesSklearnOnTiedRandomData) {
  const std::vector<double> scores = {0.1, 0.4, 0.5, 0.9, 0.6, 0.1, 0.5, 0.3, 0.4, 0.5, 0.8, 0.1, 0.7, 0.2,
                                      0.4, 0.5, 0.5, 0.9, 0.1, 0.9, 0.1, 0.7, 0.9, 0.8, 0.9, 0.5, 0.7, 0.7,
                                      0.6, 0.0, 0.5, 0.7, 0.4, 0.3, 0.2, 0.9, 0.6, 0.6, 0.4, 0.2};
  const std::vector<uint8_t> truth = {0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
                                      0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 0};
  EXPECT_NEAR(AucRoc(scores, truth), 0.6578282828282828, 1e-12);
  EXPECT_NEAR(AucPr(scores, truth), 0.5879676932807864, 1e-12);
}

TEST(AucDeathTest, UnequalLengthsAbort) {
  const std::vector<double> s = {0.1, 0.2};
  const std::vector<uint8_t> t = {1};
  EXPECT_DEATH(AucRoc(s, t), "VIGIL_CHECK failed");
  EXPECT_DEATH(AucPr(s, t), "VIGIL_CHECK failed");
}

}  // namespace
}  // namespace vigil
