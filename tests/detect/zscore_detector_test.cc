#include "detect/zscore_detector.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/byte_io.h"
#include "detect/test_data.h"

namespace vigil::detect {
namespace {

TEST(ZScoreDetectorTest, ScoresKnownDeviationsRms) {
  auto det = NewZScoreDetector({});
  ASSERT_TRUE(det.ok());
  // Channel 0: median 3, MAD-scale 1.4826; channel 1: median 10, scale 1.4826·10.
  std::vector<float> train = {1, -10, 2, 0, 3, 10, 4, 20, 5, 30};
  ASSERT_TRUE((*det)->Fit(train.data(), 5, 2).ok());
  float x[2] = {3 + 2 * 1.4826f, 10};  // z = (2, 0)
  float score, contrib[2];
  (*det)->Score(x, 1, &score, contrib);
  EXPECT_NEAR(score, std::sqrt(4.0f / 2), 1e-5);
  EXPECT_NEAR(contrib[0], 1.0, 1e-6);
  EXPECT_NEAR(contrib[1], 0.0, 1e-6);
}

TEST(ZScoreDetectorTest, MaxCombineAndUnknownCombine) {
  DetectorOptions o;
  o.zscore_combine = "max";
  auto det = NewZScoreDetector(o);
  ASSERT_TRUE(det.ok());
  std::vector<float> train = {1, 1, 2, 2, 3, 3};
  ASSERT_TRUE((*det)->Fit(train.data(), 3, 2).ok());
  float x[2] = {2, 2 + 3 * 1.4826f}, s;
  (*det)->Score(x, 1, &s, nullptr);
  EXPECT_NEAR(s, 3.0, 1e-5);
  o.zscore_combine = "mean";
  auto bad = NewZScoreDetector(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "zscore: combine must be 'rms' or 'max', got 'mean'");
}

TEST(ZScoreDetectorTest, FitErrorsAndRoundTrip) {
  auto det = NewZScoreDetector({});
  float one[1] = {1};
  EXPECT_EQ((*det)->Fit(one, 1, 1).message(), "zscore: need at least 2 training rows, got 1");
  std::vector<float> train = testing::CorrelatedGaussian(200, 1);
  ASSERT_TRUE((*det)->Fit(train.data(), 200, 3).ok());
  core::ByteWriter w;
  (*det)->Save(w);
  auto other = NewZScoreDetector({});
  core::ByteReader r(w.bytes(), "z");
  ASSERT_TRUE((*other)->Load(r).ok());
  std::vector<float> a(200), b(200);
  (*det)->Score(train.data(), 200, a.data(), nullptr);
  (*other)->Score(train.data(), 200, b.data(), nullptr);
  EXPECT_EQ(a, b);
  // Every truncation is an error, not a crash.
  for (size_t cut = 0; cut < w.size(); ++cut) {
    core::ByteReader t(std::span<const uint8_t>(w.bytes().data(), cut), "z");
    EXPECT_FALSE((*other)->Load(t).ok()) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace vigil::detect
