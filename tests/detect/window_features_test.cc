#include "detect/window_features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/byte_io.h"

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

namespace vigil::detect {
namespace {

// Deterministic, irregular frames (no two windows alike).
std::vector<float> Frame(size_t i, size_t channels) {
  std::vector<float> f(channels);
  for (size_t c = 0; c < channels; ++c) {
    f[c] = static_cast<float>(std::sin(0.37 * static_cast<double>(i) + 1.3 * static_cast<double>(c)) * 10 +
                              static_cast<double>((i * 7919 + c * 104729) % 13) * 0.1);
  }
  return f;
}

std::vector<uint8_t> StateOf(const WindowFeatures& wf) {
  core::ByteWriter w;
  wf.SaveState(w);
  return w.bytes();
}

bool SameBits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// A checkpoint taken after any number of frames (warm-up, exactly full, wrapped) restores rows
// bit for bit: mean and std depend on the ring's memory order, smoothing on its running value.
TEST(WindowFeaturesStateTest, RestoredWindowContinuesBitIdentically) {
  const FeatureSpec specs[] = {
      {.window = 5, .stats = kFeatRaw | kFeatMean | kFeatStd | kFeatDiff, .smoothing = 0.3f},
      {.window = 5, .stats = kFeatMean | kFeatStd, .smoothing = 0.0f},
      {.window = 4, .stats = kFeatLags, .smoothing = 0.2f},
      {.window = 1, .stats = kFeatRaw, .smoothing = 0.5f},
  };
  const size_t channels = 3;
  for (const FeatureSpec& spec : specs) {
    for (size_t saved_after : {0, 2, 4, 5, 13}) {
      SCOPED_TRACE("window " + std::to_string(spec.window) + " stats " + FeatureStatsName(spec.stats) +
                   " saved after " + std::to_string(saved_after));
      WindowFeatures a(spec, channels), b(spec, channels), fresh(spec, channels);
      std::vector<float> row_a(a.out_dim()), row_b(a.out_dim()), row_fresh(a.out_dim());
      for (size_t i = 0; i < saved_after; ++i) a.Push(Frame(i, channels), row_a.data());
      std::vector<uint8_t> state = StateOf(a);
      core::ByteReader r(state, "wf");
      ASSERT_TRUE(b.LoadState(r).ok());
      EXPECT_EQ(r.remaining(), 0u);
      EXPECT_EQ(StateOf(b), state);
      bool fresh_differs = false;
      for (size_t i = saved_after; i < saved_after + 12; ++i) {
        a.Push(Frame(i, channels), row_a.data());
        b.Push(Frame(i, channels), row_b.data());
        fresh.Push(Frame(i, channels), row_fresh.data());
        ASSERT_TRUE(SameBits(row_a, row_b)) << "frame " << i;
        fresh_differs |= !SameBits(row_a, row_fresh);
      }
      // Without the checkpoint the rows differ (a window of 1 without smoothing holds nothing).
      if (saved_after > 0 && (spec.window > 1 || spec.smoothing > 0)) {
        EXPECT_TRUE(fresh_differs);
      }
    }
  }
}

TEST(WindowFeaturesStateTest, EveryTruncationIsCorruptionAndChangesNothing) {
  const FeatureSpec spec{.window = 4, .stats = kFeatMean | kFeatStd, .smoothing = 0.3f};
  WindowFeatures a(spec, 2), b(spec, 2);
  std::vector<float> row(a.out_dim());
  for (size_t i = 0; i < 6; ++i) a.Push(Frame(i, 2), row.data());
  for (size_t i = 0; i < 3; ++i) b.Push(Frame(100 + i, 2), row.data());
  const std::vector<uint8_t> state = StateOf(a), before = StateOf(b);
  for (size_t n = 0; n < state.size(); ++n) {
    core::ByteReader r(std::span<const uint8_t>(state.data(), n), "wf");
    Status s = b.LoadState(r);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << n << ": " << s.ToString();
    EXPECT_NE(s.message().find("truncated"), std::string::npos) << s.message();
    ASSERT_EQ(StateOf(b), before) << n;
  }
}

TEST(WindowFeaturesStateTest, StateOfAnotherShapeIsCorruption) {
  WindowFeatures five({.window = 5, .stats = kFeatMean}, 2), three({.window = 3, .stats = kFeatMean}, 2);
  WindowFeatures smoothing({.window = 3, .stats = kFeatMean, .smoothing = 0.5f}, 2);
  std::vector<float> row(2);
  for (size_t i = 0; i < 7; ++i) five.Push(Frame(i, 2), row.data());
  smoothing.Push(Frame(0, 2), row.data());
  auto load = [](WindowFeatures& into, const WindowFeatures& from) {
    std::vector<uint8_t> bytes = StateOf(from);
    core::ByteReader r(bytes, "wf");
    return into.LoadState(r).ToString();
  };
  EXPECT_NE(load(three, five).find("field 'window_features.filled': 5 frames held, the window is 3"),
            std::string::npos)
      << load(three, five);
  // Smoothing state cannot be loaded where smoothing is off.
  EXPECT_NE(load(three, smoothing).find("field 'window_features.smoothing_started'"), std::string::npos)
      << load(three, smoothing);
  WindowFeatures three_channels({.window = 3, .stats = kFeatMean}, 3);
  EXPECT_NE(load(three_channels, three).find("field 'window_features.ring': 6 values, expected 9"),
            std::string::npos)
      << load(three_channels, three);
}

}  // namespace
}  // namespace vigil::detect
