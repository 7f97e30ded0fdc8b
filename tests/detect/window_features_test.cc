#include "detect/window_features.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vigil::detect {
namespace {

TEST(WindowFeaturesTest, RawOnlyByDefault) {
  WindowFeatures wf({}, 2);
  EXPECT_EQ(wf.out_dim(), 2u);
  float in[2] = {1, 2}, out[2];
  wf.Push(in, out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 2);
}

TEST(WindowFeaturesTest, MeanStdDiffOverWindowWithWarmUp) {
  WindowFeatures wf({3, kFeatRaw | kFeatMean | kFeatStd | kFeatDiff}, 1);
  ASSERT_EQ(wf.out_dim(), 4u);
  float out[4];
  float v = 1;
  wf.Push({&v, 1}, out);  // window {1}
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 1);
  EXPECT_EQ(out[2], 0);
  EXPECT_EQ(out[3], 0);
  v = 3;
  wf.Push({&v, 1}, out);  // {1,3}
  EXPECT_EQ(out[1], 2);
  EXPECT_FLOAT_EQ(out[2], 1);  // population sd
  EXPECT_EQ(out[3], 2);
  v = 5;
  wf.Push({&v, 1}, out);  // {1,3,5}
  EXPECT_EQ(out[1], 3);
  EXPECT_FLOAT_EQ(out[2], std::sqrt(8.0f / 3));
  EXPECT_EQ(out[3], 4);
  v = 11;
  wf.Push({&v, 1}, out);  // {3,5,11}
  EXPECT_FLOAT_EQ(out[1], 19.0f / 3);
  EXPECT_EQ(out[3], 8);
}

TEST(WindowFeaturesTest, NamesAndSources) {
  WindowFeatures wf({10, kFeatRaw | kFeatStd}, 2);
  std::vector<std::string> names = {"Current", "Pressure"};
  ASSERT_EQ(wf.out_dim(), 4u);
  EXPECT_EQ(wf.FeatureName(0, names), "Current");
  EXPECT_EQ(wf.FeatureName(1, names), "Current.std10");
  EXPECT_EQ(wf.FeatureName(3, names), "Pressure.std10");
  EXPECT_EQ(wf.source_channel(2), 1u);
}

TEST(WindowFeaturesTest, TransformEqualsPushLoop) {
  std::vector<float> x = {1, 10, 2, 20, 4, 40, 8, 80};
  WindowFeatures a({2, kFeatMean | kFeatDiff}, 2), b({2, kFeatMean | kFeatDiff}, 2);
  std::vector<float> t = a.Transform(x.data(), 4);
  for (size_t r = 0; r < 4; ++r) {
    float out[4];
    b.Push({x.data() + 2 * r, 2}, out);
    for (size_t j = 0; j < 4; ++j) EXPECT_EQ(t[r * 4 + j], out[j]);
  }
}

TEST(WindowFeaturesTest, ParseStats) {
  auto m = ParseFeatureStats("mean,std");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(*m, kFeatMean | kFeatStd);
  EXPECT_EQ(FeatureStatsName(*m), "mean,std");
  auto bad = ParseFeatureStats("mean,median");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "unknown window feature 'median' (valid: raw, mean, std, diff, or lags alone)");
}

}  // namespace
}  // namespace vigil::detect

TEST(WindowFeaturesTest, LagsAreTheWindowOldestFirstAndRepeatTheOldestDuringWarmUp) {
  vigil::detect::WindowFeatures wf({.window = 3, .stats = vigil::detect::kFeatLags}, 2);
  ASSERT_EQ(wf.out_dim(), 6u);
  EXPECT_EQ(wf.frames_per_row(), 3u);
  const std::vector<std::string> names = {"a", "b"};
  EXPECT_EQ(wf.FeatureName(0, names), "a.lag2");
  EXPECT_EQ(wf.FeatureName(5, names), "b.lag0");
  EXPECT_EQ(wf.source_channel(3), 1u);
  const float frames[][2] = {{1, 10}, {2, 20}, {3, 30}, {4, 40}};
  std::vector<float> out(6);
  wf.Push(frames[0], out.data());
  EXPECT_EQ(out, (std::vector<float>{1, 10, 1, 10, 1, 10}));
  wf.Push(frames[1], out.data());
  EXPECT_EQ(out, (std::vector<float>{1, 10, 1, 10, 2, 20}));
  wf.Push(frames[2], out.data());
  EXPECT_EQ(out, (std::vector<float>{1, 10, 2, 20, 3, 30}));
  wf.Push(frames[3], out.data());
  EXPECT_EQ(out, (std::vector<float>{2, 20, 3, 30, 4, 40}));
}

TEST(WindowFeaturesTest, LagsParseAloneOnly) {
  auto lags = vigil::detect::ParseFeatureStats("lags");
  ASSERT_TRUE(lags.ok());
  EXPECT_EQ(*lags, vigil::detect::kFeatLags);
  EXPECT_EQ(vigil::detect::FeatureStatsName(*lags), "lags");
  auto mixed = vigil::detect::ParseFeatureStats("mean,lags");
  ASSERT_FALSE(mixed.ok());
  EXPECT_NE(mixed.status().message().find("'lags' cannot be combined"), std::string::npos);
}

TEST(WindowFeaturesTest, ExponentialSmoothingComesBeforeEveryStatistic) {
  vigil::detect::WindowFeatures wf({.window = 2, .stats = vigil::detect::kFeatLags, .smoothing = 0.5f}, 1);
  std::vector<float> out(2);
  const float frames[] = {4, 8, 0, 0};
  wf.Push({&frames[0], 1}, out.data());  // starts at the first frame
  EXPECT_EQ(out, (std::vector<float>{4, 4}));
  wf.Push({&frames[1], 1}, out.data());  // 4 + 0.5·(8 − 4)
  EXPECT_EQ(out, (std::vector<float>{4, 6}));
  wf.Push({&frames[2], 1}, out.data());
  EXPECT_EQ(out, (std::vector<float>{6, 3}));
  wf.Reset();
  wf.Push({&frames[3], 1}, out.data());  // a reset restarts the smoothing too
  EXPECT_EQ(out, (std::vector<float>{0, 0}));
  vigil::detect::WindowFeatures mean({.window = 2, .stats = vigil::detect::kFeatMean, .smoothing = 0.5f}, 1);
  mean.Push({&frames[0], 1}, out.data());
  mean.Push({&frames[1], 1}, out.data());
  EXPECT_EQ(out[0], 5.0f);  // mean of the smoothed 4 and 6
}
