// StreamScorer::SaveState / LoadState: a scorer restored from a checkpoint continues exactly
// like the one that never stopped; damaged bytes and other models' states are refused and
// leave the scorer as it was.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "detect/test_data.h"
#include "detect/window_features.h"
#include "vigil/model.h"

namespace vigil {
namespace {

FrameTable Table(size_t rows, uint64_t seed, std::vector<std::string> names = {"a", "b", "c"}) {
  FrameTable t;
  t.schema = FrameSchema(std::move(names));
  t.values = testing::CorrelatedGaussian(rows, seed);
  for (size_t r = 0; r < rows; ++r) t.timestamps.push_back(static_cast<double>(r));
  return t;
}

// A live stream: normal data with two faults on channel c (rows 120..159, 260..269) and a
// short spike on b, so exceedances start and stop, debounce runs are cut, and SPOT sees
// both normal peaks and anomalies.
FrameTable LiveStream() {
  FrameTable t = Table(360, 7);
  for (size_t r = 120; r < 160; ++r) t.values[r * 3 + 2] += 8.0f;
  for (size_t r = 260; r < 270; ++r) t.values[r * 3 + 2] -= 6.0f;
  for (size_t r = 200; r < 203; ++r) t.values[r * 3 + 1] += 9.0f;
  return t;
}

struct Case {
  std::string detector;
  ThresholdKind threshold;
  uint32_t window_stats;
  float input_smoothing;
};

std::string CaseName(const ::testing::TestParamInfo<Case>& info) {
  const Case& c = info.param;
  std::string name = c.detector + "_" + std::string(ThresholdKindName(c.threshold)) + "_" +
                     detect::FeatureStatsName(c.window_stats) + (c.input_smoothing > 0 ? "_smoothed" : "");
  for (char& ch : name) {
    if (ch == ',' || ch == '-') ch = '_';
  }
  return name;
}

// Readable parameters in failure messages.
void PrintTo(const Case& c, std::ostream* os) {
  *os << c.detector << " / " << ThresholdKindName(c.threshold) << " / "
      << detect::FeatureStatsName(c.window_stats) << " / input smoothing " << c.input_smoothing;
}

FitOptions Options(const Case& c) {
  FitOptions o;
  o.detector = c.detector;
  o.window = 5;
  o.window_stats = c.window_stats;
  o.input_smoothing = c.input_smoothing;
  o.smooth = 3;
  o.min_run = 3;
  o.threshold.kind = c.threshold;
  o.threshold.quantile = 0.95;
  // Low enough that normal scores reach the tail: SPOT keeps adapting while streaming, and
  // its small excess buffer overflows (oldest dropped) within the test stream.
  o.threshold.init_quantile = 0.9;
  o.threshold.risk = 0.02;
  o.threshold.spot_max_excesses = 40;
  o.detector_options.iforest_trees = 25;
  o.detector_options.iforest_subsample = 64;
  o.detector_options.ae_hidden = {6, 3};
  o.detector_options.nn_epochs = 3;
  o.detector_options.nn_patience = 0;
  return o;
}

Model FitModel(const FitOptions& o, uint64_t seed = 1, std::vector<std::string> names = {"a", "b", "c"}) {
  auto m = Model::Fit(Table(600, seed, std::move(names)), o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

bool SameBits(double a, double b) { return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b); }

// Every field, bit for bit (also tells -0 from 0 and compares NaNs).
::testing::AssertionResult SameFrame(const ScoredFrame& x, const ScoredFrame& y) {
  if (!SameBits(x.timestamp, y.timestamp)) return ::testing::AssertionFailure() << "timestamp";
  if (!SameBits(x.score, y.score)) {
    return ::testing::AssertionFailure() << "score " << x.score << " vs " << y.score;
  }
  if (!SameBits(x.threshold, y.threshold)) {
    return ::testing::AssertionFailure() << "threshold " << x.threshold << " vs " << y.threshold;
  }
  if (x.above != y.above) return ::testing::AssertionFailure() << "above";
  if (x.alarm != y.alarm) return ::testing::AssertionFailure() << "alarm";
  if (x.contributions.size() != y.contributions.size())
    return ::testing::AssertionFailure() << "contributions";
  for (size_t i = 0; i < x.contributions.size(); ++i) {
    if (std::bit_cast<uint32_t>(x.contributions[i]) != std::bit_cast<uint32_t>(y.contributions[i])) {
      return ::testing::AssertionFailure() << "contribution " << i;
    }
  }
  return ::testing::AssertionSuccess();
}

class StreamStateTest : public ::testing::TestWithParam<Case> {};

// The kill -9 scenario: scorer A runs N frames and checkpoints; a new process loads the same
// model file, restores the checkpoint into scorer B, and both then see the same M frames.
TEST_P(StreamStateTest, RestoredScorerContinuesBitIdentically) {
  const Case& c = GetParam();
  Model model = FitModel(Options(c));
  const std::string path = ::testing::TempDir() + "/stream_state_" + CaseName({c, 0}) + ".vgm";
  ASSERT_TRUE(model.Save(path).ok());
  auto reloaded = Model::Load(path);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  const FrameTable live = LiveStream();

  // Save points: before any frame, during warm-up, inside a fault (mid debounce run and
  // mid alarm), and in normal data after a fault.
  for (size_t n : {0, 2, 122, 125, 190}) {
    SCOPED_TRACE("saved after " + std::to_string(n) + " frames");
    StreamScorer a(model);
    for (size_t r = 0; r < n; ++r) a.Step(live.row(r));
    const std::vector<uint8_t> state = a.SaveState();
    StreamScorer b(*reloaded);
    Status loaded = b.LoadState(state);
    ASSERT_TRUE(loaded.ok()) << loaded.ToString();
    ASSERT_TRUE(SameFrame(a.last(), b.last()));
    ASSERT_EQ(a.TopChannels(3, 0.0f), b.TopChannels(3, 0.0f));
    EXPECT_EQ(b.SaveState(), state);

    size_t alarms = 0, above_changes = 0;
    bool above = a.last().above;
    const double first_threshold = a.last().threshold;
    double last_threshold = first_threshold;
    for (size_t r = n; r < live.rows(); ++r) {
      const ScoredFrame& x = a.Step(live.row(r));
      const ScoredFrame& y = b.Step(live.row(r));
      ASSERT_TRUE(SameFrame(x, y)) << "row " << r;
      ASSERT_EQ(a.TopChannels(2), b.TopChannels(2)) << "row " << r;
      alarms += x.alarm;
      above_changes += x.above != above;
      above = x.above;
      last_threshold = x.threshold;
    }
    EXPECT_EQ(a.SaveState(), b.SaveState());
    // The stream exercised what the state holds.
    EXPECT_GT(alarms, 0u);
    EXPECT_GE(above_changes, 2u);
    if (c.threshold == ThresholdKind::kSpot && n > 0) {
      EXPECT_NE(last_threshold, first_threshold);
    }
  }
  std::filesystem::remove(path);
}

// A scorer that did not load the checkpoint but saw the same frames from its own start is the
// control: without the restored state its outputs differ (so the test above can fail).
TEST_P(StreamStateTest, WithoutTheCheckpointOutputsDiffer) {
  const Case& c = GetParam();
  Model model = FitModel(Options(c));
  const FrameTable live = LiveStream();
  StreamScorer a(model), cold(model);
  const size_t n = 125;
  for (size_t r = 0; r < n; ++r) a.Step(live.row(r));
  size_t differ = 0;
  for (size_t r = n; r < n + 20; ++r) differ += !SameFrame(a.Step(live.row(r)), cold.Step(live.row(r)));
  EXPECT_GT(differ, 0u);
}

INSTANTIATE_TEST_SUITE_P(Detectors, StreamStateTest,
                         ::testing::Values(Case{"zscore", ThresholdKind::kQuantile, 1 | 2 | 4, 0.0f},
                                           Case{"zscore", ThresholdKind::kSpot, 2 | 4, 0.3f},
                                           Case{"pca", ThresholdKind::kQuantile, 2 | 4, 0.3f},
                                           Case{"pca", ThresholdKind::kSpot, 1 | 2 | 4 | 8, 0.0f},
                                           Case{"iforest", ThresholdKind::kQuantile, 2 | 4, 0.0f},
                                           Case{"iforest", ThresholdKind::kSpot, 2 | 4, 0.3f},
                                           Case{"ae", ThresholdKind::kQuantile, 2 | 4, 0.3f},
                                           Case{"ae", ThresholdKind::kSpot, detect::kFeatLags, 0.3f}),
                         CaseName);

FitOptions SpotOptions() { return Options({"pca", ThresholdKind::kSpot, 2 | 4, 0.3f}); }

TEST(StreamStateTest, FixedThresholdOverrideIsRestored) {
  Model model = FitModel(SpotOptions());
  const FrameTable live = LiveStream();
  StreamScorer a(model), b(model);
  a.SetFixedThreshold(2.5);
  for (size_t r = 0; r < 130; ++r) a.Step(live.row(r));
  ASSERT_TRUE(b.LoadState(a.SaveState()).ok());
  for (size_t r = 130; r < live.rows(); ++r) {
    const ScoredFrame& x = a.Step(live.row(r));
    ASSERT_EQ(x.threshold, 2.5);
    ASSERT_TRUE(SameFrame(x, b.Step(live.row(r)))) << "row " << r;
  }
}

TEST(StreamStateTest, StepReferenceStaysValidAcrossLoad) {
  Model model = FitModel(SpotOptions());
  const FrameTable live = LiveStream();
  StreamScorer a(model), b(model);
  for (size_t r = 0; r < 140; ++r) a.Step(live.row(r));
  const ScoredFrame& held = b.Step(live.row(0));
  ASSERT_TRUE(b.LoadState(a.SaveState()).ok());
  EXPECT_EQ(&held, &b.last());
  EXPECT_TRUE(SameFrame(held, a.last()));
  EXPECT_EQ(held.timestamp, 139);
}

// Loading must not disturb the scorer it fails on: same checkpoint bytes before and after,
// and the next frames come out as from an untouched twin.
class StreamStateErrorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = std::make_unique<Model>(FitModel(SpotOptions()));
    StreamScorer source(*model_);
    for (size_t r = 0; r < 200; ++r) source.Step(live_.row(r));
    source_state_ = source.SaveState();
    target_ = std::make_unique<StreamScorer>(*model_);
    twin_ = std::make_unique<StreamScorer>(*model_);
    for (size_t r = 0; r < 125; ++r) {
      target_->Step(live_.row(r));
      twin_->Step(live_.row(r));
    }
    target_state_ = target_->SaveState();
  }

  // Loads `bytes` into the target and checks that a failure left it as it was.
  Status LoadIntoTarget(std::span<const uint8_t> bytes) {
    Status s = target_->LoadState(bytes);
    if (!s.ok()) {
      EXPECT_EQ(target_->SaveState(), target_state_);
    }
    return s;
  }

  void ExpectTargetStillMatchesTwin() {
    for (size_t r = 125; r < 170; ++r) {
      ASSERT_TRUE(SameFrame(target_->Step(live_.row(r)), twin_->Step(live_.row(r)))) << "row " << r;
    }
  }

  FrameTable live_ = LiveStream();
  std::unique_ptr<Model> model_;
  std::unique_ptr<StreamScorer> target_, twin_;
  std::vector<uint8_t> source_state_, target_state_;
};

TEST_F(StreamStateErrorTest, EveryTruncationIsCorruption) {
  for (size_t n = 0; n < source_state_.size(); ++n) {
    Status s = LoadIntoTarget(std::span<const uint8_t>(source_state_.data(), n));
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << n << ": " << s.ToString();
    ASSERT_NE(s.message().find("stream state: offset "), std::string::npos) << s.message();
  }
  EXPECT_EQ(LoadIntoTarget({}).message(), "stream state: offset 0: empty (no stream state)");
  EXPECT_EQ(LoadIntoTarget(std::span<const uint8_t>(source_state_.data(), 10)).message(),
            "stream state: offset 10: truncated header (10 of 24 bytes)");
  EXPECT_NE(LoadIntoTarget(std::span<const uint8_t>(source_state_.data(), 100))
                .message()
                .find("offset 16: field 'payload_size': says " + std::to_string(source_state_.size() - 24) +
                      " bytes but 76 follow the header (truncated)"),
            std::string::npos);
  ExpectTargetStillMatchesTwin();
}

TEST_F(StreamStateErrorTest, EveryFlippedByteIsCorruption) {
  for (size_t i = 0; i < source_state_.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      std::vector<uint8_t> bad = source_state_;
      bad[i] ^= mask;
      Status s = LoadIntoTarget(bad);
      ASSERT_EQ(s.code(), StatusCode::kCorruption)
          << "byte " << i << " ^ " << int{mask} << ": " << s.ToString();
    }
  }
  std::vector<uint8_t> bad = source_state_;
  bad[40] ^= 0x10;
  EXPECT_NE(LoadIntoTarget(bad).message().find("stream state: offset 12: field 'payload_crc32': stored 0x"),
            std::string::npos);
  bad = source_state_;
  bad[0] = 'X';
  EXPECT_EQ(LoadIntoTarget(bad).message(),
            "stream state: offset 0: not a vigil stream state (bad magic; expected \"VIGILSST\")");
  bad = source_state_;
  bad[8] = 9;
  EXPECT_EQ(LoadIntoTarget(bad).message(),
            "stream state: offset 8: field 'format_version': unsupported stream state version 9 (this build "
            "reads version 1)");
  bad = source_state_;
  bad.push_back(0);
  EXPECT_NE(LoadIntoTarget(bad).message().find("(trailing bytes)"), std::string::npos);
  ExpectTargetStillMatchesTwin();
}

// Re-seals the checksum after damaging the payload: what the component parsers see when a
// writer was wrong rather than the storage. Each outcome is an error or a valid state, never
// a crash, and errors leave the target unchanged.
TEST_F(StreamStateErrorTest, DamagedPayloadWithValidChecksumNeverCrashes) {
  auto reseal = [](std::vector<uint8_t> bytes) {
    // CRC-32 (zlib polynomial) of the payload at offset 24, bit by bit: independent of the
    // implementation under test.
    uint32_t c = 0xffffffffu;
    for (size_t i = 24; i < bytes.size(); ++i) {
      c ^= bytes[i];
      for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
    }
    const uint32_t crc = ~c;
    std::memcpy(bytes.data() + 12, &crc, 4);
    return bytes;
  };
  // Sealing the unchanged bytes reproduces them: the test's CRC is the format's.
  ASSERT_EQ(reseal(source_state_), source_state_);
  size_t errors = 0, loaded = 0;
  for (size_t i = 24; i < source_state_.size(); ++i) {
    for (uint8_t mask : {0x01, 0x40, 0xff}) {
      std::vector<uint8_t> bad = source_state_;
      bad[i] ^= mask;
      Status s = LoadIntoTarget(reseal(bad));
      if (s.ok()) {
        ++loaded;
        ASSERT_TRUE(target_->LoadState(target_state_).ok());
        continue;
      }
      ++errors;
      ASSERT_TRUE(s.code() == StatusCode::kCorruption || s.code() == StatusCode::kInvalidArgument)
          << "byte " << i << ": " << s.ToString();
    }
  }
  EXPECT_GT(errors, 0u);
  EXPECT_GT(loaded, 0u);  // damaged values (window contents, scores) are still a state
  ExpectTargetStillMatchesTwin();
}

TEST_F(StreamStateErrorTest, StateOfAnotherModelIsInvalidArgument) {
  auto refuse = [&](const Model& other, const std::string& expected) {
    StreamScorer s(other);
    for (size_t r = 0; r < 30; ++r) s.Step(live_.row(r));
    Status st = LoadIntoTarget(s.SaveState());
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
    EXPECT_NE(st.message().find(expected), std::string::npos) << st.message();
  };
  refuse(FitModel(SpotOptions(), 1, {"a", "b", "x"}),
         "stream state was saved by a scorer of a different model: channels [a, b, x] in the state, [a, b, "
         "c] in "
         "this model");
  FitOptions o = SpotOptions();
  o.window = 4;
  refuse(FitModel(o), "window features window 4 (mean,std), input smoothing 0.3");
  o = SpotOptions();
  o.input_smoothing = 0.25f;
  refuse(FitModel(o), "window features window 5 (mean,std), input smoothing 0.25, 6 features in the state");
  o = SpotOptions();
  o.detector = "zscore";
  refuse(FitModel(o), "detector 'zscore' on 6 inputs in the state, 'pca' on 6 inputs in this model");
  o = SpotOptions();
  o.threshold.kind = ThresholdKind::kQuantile;
  refuse(FitModel(o), "threshold quantile in the state, spot in this model");
  o = SpotOptions();
  o.min_run = 2;
  refuse(FitModel(o), "alarm policy smooth 3, min_run 2 in the state, smooth 3, min_run 3 in this model");
  // Same layout fitted on other data: only the model's checksum tells them apart.
  refuse(FitModel(SpotOptions(), 2),
         "model CRC-32 (same layout, other parameters: fitted again or changed) 0x");
  ExpectTargetStillMatchesTwin();
}

TEST_F(StreamStateErrorTest, StateOfTheSameModelLoadedFromItsFileIsAccepted) {
  const std::string path = ::testing::TempDir() + "/stream_state_same.vgm";
  ASSERT_TRUE(model_->Save(path).ok());
  auto reloaded = Model::Load(path);
  ASSERT_TRUE(reloaded.ok());
  StreamScorer s(*reloaded);
  EXPECT_TRUE(s.LoadState(target_state_).ok());
  EXPECT_TRUE(target_->LoadState(s.SaveState()).ok());
  ExpectTargetStillMatchesTwin();
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace vigil
