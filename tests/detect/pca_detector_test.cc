#include "detect/pca_detector.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/byte_io.h"
#include "detect/test_data.h"

namespace vigil::detect {
namespace {

std::unique_ptr<Detector> Fitted(const std::vector<float>& train, size_t rows, DetectorOptions o = {}) {
  auto det = NewPcaDetector(o);
  EXPECT_TRUE(det.ok());
  EXPECT_TRUE((*det)->Fit(train.data(), rows, 3).ok());
  return std::move(*det);
}

TEST(PcaDetectorTest, TrainingScoresAverageTwoWithSumCombine) {
  // score = T²/mean(T²) + Q/mean(Q), so its training mean is exactly 2.
  std::vector<float> train = testing::CorrelatedGaussian(1000, 3);
  auto det = Fitted(train, 1000);
  std::vector<float> s(1000);
  det->Score(train.data(), 1000, s.data(), nullptr);
  double mean = 0;
  for (float v : s) mean += v / 1000.0;
  EXPECT_NEAR(mean, 2.0, 1e-3);
}

TEST(PcaDetectorTest, BrokenCorrelationIsFlaggedThroughQAndTheRightChannels) {
  std::vector<float> train = testing::CorrelatedGaussian(1000, 3);
  auto det = Fitted(train, 1000);
  // c0 and c1 always move together in training; here they disagree at normal magnitudes.
  float x[3] = {1.0f, -1.0f, 5.0f};
  float normal[3] = {1.0f, 1.0f, 5.0f};
  float s_bad, s_ok, contrib[3];
  det->Score(x, 1, &s_bad, contrib);
  det->Score(normal, 1, &s_ok, nullptr);
  EXPECT_GT(s_bad, 20 * s_ok);
  EXPECT_NEAR(contrib[0] + contrib[1] + contrib[2], 1.0, 1e-5);
  EXPECT_GT(contrib[0] + contrib[1], 0.9);
}

TEST(PcaDetectorTest, BlockedAndSingleRowScoringAgree) {
  std::vector<float> train = testing::CorrelatedGaussian(500, 5);
  auto det = Fitted(train, 500);
  std::vector<float> test = testing::CorrelatedGaussian(37, 9);  // not a multiple of the block
  std::vector<float> batch(37), contrib(37 * 3);
  det->Score(test.data(), 37, batch.data(), contrib.data());
  for (size_t r = 0; r < 37; ++r) {
    float one, c[3];
    det->Score(test.data() + r * 3, 1, &one, c);
    EXPECT_FLOAT_EQ(one, batch[r]);
    for (int j = 0; j < 3; ++j) EXPECT_FLOAT_EQ(c[j], contrib[r * 3 + j]);
  }
}

TEST(PcaDetectorTest, ExplainedVarianceChoosesComponents) {
  std::vector<float> train = testing::CorrelatedGaussian(1000, 3);
  // Standardized: c0,c1 nearly identical (one component ≈ 2/3 of variance), c2 independent.
  DetectorOptions o;
  o.pca_explained_variance = 0.6;
  auto det = Fitted(train, 1000, o);
  std::ostringstream os;
  det->Describe(os);
  EXPECT_NE(os.str().find("components: 1\n"), std::string::npos) << os.str();
  o.pca_explained_variance = 0.99;
  det = Fitted(train, 1000, o);
  std::ostringstream os2;
  det->Describe(os2);
  EXPECT_NE(os2.str().find("components: 2\n"), std::string::npos) << os2.str();
}

TEST(PcaDetectorTest, ConstantChannelDoesNotBreakFit) {
  std::vector<float> train = testing::CorrelatedGaussian(300, 3);
  for (size_t r = 0; r < 300; ++r) train[r * 3 + 2] = 32.0f;
  auto det = Fitted(train, 300);
  float x[3] = {0.1f, 0.1f, 40.0f}, s;
  det->Score(x, 1, &s, nullptr);
  EXPECT_TRUE(std::isfinite(s));
  EXPECT_GT(s, 10);
}

TEST(PcaDetectorTest, ValidationAndSerialization) {
  DetectorOptions o;
  o.pca_explained_variance = 1.5;
  EXPECT_EQ(NewPcaDetector(o).status().message(), "pca: explained variance must be in (0, 1], got 1.500000");
  o = {};
  o.pca_combine = "avg";
  EXPECT_FALSE(NewPcaDetector(o).ok());
  auto det = NewPcaDetector({});
  std::vector<float> few(3 * 4, 1.0f);
  EXPECT_EQ((*det)->Fit(few.data(), 4, 3).message(),
            "pca: need at least 5 training rows for 3 features, got 4");

  std::vector<float> train = testing::CorrelatedGaussian(400, 11);
  auto fitted = Fitted(train, 400);
  core::ByteWriter w;
  fitted->Save(w);
  auto loaded = NewPcaDetector({});
  core::ByteReader r(w.bytes(), "p");
  ASSERT_TRUE((*loaded)->Load(r).ok());
  std::vector<float> a(400), b(400);
  fitted->Score(train.data(), 400, a.data(), nullptr);
  (*loaded)->Score(train.data(), 400, b.data(), nullptr);
  EXPECT_EQ(a, b);
  for (size_t cut = 0; cut < w.size(); ++cut) {
    core::ByteReader t(std::span<const uint8_t>(w.bytes().data(), cut), "p");
    EXPECT_FALSE((*loaded)->Load(t).ok()) << "cut at " << cut;
  }
}

}  // namespace
}  // namespace vigil::detect
