#include "vigil/model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "detect/test_data.h"
#include "vigil/evaluate.h"

namespace vigil {
namespace {

FrameTable Table(size_t rows, uint64_t seed) {
  FrameTable t;
  t.schema = FrameSchema({"a", "b", "c"});
  t.values = testing::CorrelatedGaussian(rows, seed);
  for (size_t r = 0; r < rows; ++r) t.timestamps.push_back(static_cast<double>(r));
  return t;
}

class ModelTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ModelTest, FitSaveLoadScoresIdentically) {
  auto opt = DefaultFitOptions(GetParam());
  ASSERT_TRUE(opt.ok());
  FrameTable train = Table(400, 1), test = Table(300, 2);
  auto m = Model::Fit(train, *opt);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_GT(m->threshold().value(), 0);
  std::string path = ::testing::TempDir() + "/model_test_" + GetParam() + ".vgm";
  ASSERT_TRUE(m->Save(path).ok());
  auto loaded = Model::Load(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->schema(), m->schema());
  EXPECT_EQ(loaded->info().file_bytes, std::filesystem::file_size(path));
  StreamScorer a(*m), b(*loaded);
  for (size_t r = 0; r < test.rows(); ++r) {
    const ScoredFrame& x = a.Step(test.row(r));
    const ScoredFrame& y = b.Step(test.row(r));
    ASSERT_EQ(x.score, y.score) << r;
    ASSERT_EQ(x.threshold, y.threshold);
    ASSERT_EQ(x.alarm, y.alarm);
    ASSERT_EQ(x.contributions, y.contributions);
  }
  std::ostringstream os;
  loaded->Describe(os);
  EXPECT_NE(os.str().find("channels: 3 (a, b, c)"), std::string::npos) << os.str();
  EXPECT_NE(os.str().find("threshold:"), std::string::npos);
  std::filesystem::remove(path);
}

TEST_P(ModelTest, FaultIsAlarmedNormalIsQuiet) {
  auto opt = DefaultFitOptions(GetParam());
  FrameTable train = Table(600, 3), test = Table(400, 4);
  auto m = Model::Fit(train, *opt);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  // Rows 200..399: channel c jumps by 6 standard deviations.
  for (size_t r = 200; r < 400; ++r) test.values[r * 3 + 2] += 12.0f;
  StreamScorer s(*m);
  size_t normal_alarms = 0, fault_alarms = 0, c_top = 0;
  for (size_t r = 0; r < 400; ++r) {
    const ScoredFrame& f = s.Step(test.row(r));
    if (r < 200) normal_alarms += f.alarm;
    if (r >= 230) {
      fault_alarms += f.alarm;
      auto top = s.TopChannels(1);
      c_top += !top.empty() && top[0].first == 2;
    }
  }
  EXPECT_LE(normal_alarms, 10u);
  EXPECT_GE(fault_alarms, 160u);
  EXPECT_GE(c_top, 160u);
}

INSTANTIATE_TEST_SUITE_P(Detectors, ModelTest, ::testing::Values("zscore", "pca", "iforest"));

TEST(ModelFitTest, RejectsBadInputs) {
  auto opt = DefaultFitOptions("pca");
  FrameTable tiny = Table(10, 1);
  auto m = Model::Fit(tiny, *opt);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(), "need more than 20 training rows for window 20, got 10");
  FrameTable nan = Table(100, 1);
  nan.values[5] = std::nanf("");
  EXPECT_EQ(Model::Fit(nan, *opt).status().message(), "training data contains NaN or Inf");
  opt->calibration_folds = 1;
  EXPECT_EQ(Model::Fit(Table(100, 1), *opt).status().message(),
            "calibration folds must be 0 (in-sample) or 2..100, got 1");
}

TEST(ModelFitTest, FixedThresholdOverrides) {
  auto opt = DefaultFitOptions("zscore");
  auto m = Model::Fit(Table(300, 1), *opt);
  ASSERT_TRUE(m.ok());
  StreamScorer s(*m);
  s.SetFixedThreshold(0.0);
  FrameTable t = Table(5, 9);
  const ScoredFrame& f = s.Step(t.row(0));
  EXPECT_EQ(f.threshold, 0.0);
  EXPECT_TRUE(f.above);
}

TEST(ModelLoadTest, CorruptPayloadsAreErrorsNeverCrashes) {
  auto opt = DefaultFitOptions("pca");
  auto m = Model::Fit(Table(300, 1), *opt);
  ASSERT_TRUE(m.ok());
  std::vector<uint8_t> bytes = m->Serialize();
  ASSERT_TRUE(Model::Deserialize(bytes, "m.vgm").ok());
  // Truncation at every length.
  for (size_t cut = 0; cut < bytes.size(); cut += 7) {
    std::vector<uint8_t> part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
    EXPECT_FALSE(Model::Deserialize(part, "m.vgm").ok()) << cut;
  }
  // A flipped payload byte is caught by the checksum, naming the file.
  auto flipped = bytes;
  flipped[100] ^= 0x40;
  auto r = Model::Deserialize(flipped, "m.vgm");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("m.vgm: offset 24: checksum mismatch"), std::string::npos);
  auto missing = Model::Load("/nonexistent/m.vgm");
  EXPECT_EQ(missing.status().code(), StatusCode::kIOError);
}

}  // namespace
}  // namespace vigil

// Files written before components were 64-byte aligned (format version 1) still load and
// score as they did (this file was fitted on data/normal.csv with the pca defaults of that
// version; its first score on data/faulty.csv was 11.9933 against a threshold of 13.3555).
TEST(ModelLoadTest, ReadsFormatVersion1) {
  auto m = vigil::Model::Load(std::string(VIGIL_TEST_DATA_DIR) + "/pca_format_v1.vgm");
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(m->info().format_version, 1u);
  EXPECT_EQ(m->detector().name(), "pca");
  EXPECT_EQ(m->schema().size(), 8u);
  // Re-saving writes the current version, which loads back identically.
  auto again = vigil::Model::Deserialize(m->Serialize(), "resaved");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(again->info().format_version, vigil::kModelFormatVersion);
  EXPECT_EQ(again->Serialize(), m->Serialize());
}

TEST(ModelFitTest, InputSmoothingIsValidatedStoredAndUsed) {
  vigil::FrameTable t;
  t.schema = vigil::FrameSchema({"a", "b"});
  for (int r = 0; r < 300; ++r) {
    t.timestamps.push_back(r);
    t.values.push_back(static_cast<float>(r % 7));
    t.values.push_back(static_cast<float>((r * 3) % 5));
  }
  auto defaults = vigil::DefaultFitOptions("zscore");
  ASSERT_TRUE(defaults.ok());
  vigil::FitOptions o = std::move(*defaults);
  o.input_smoothing = 1.5f;
  auto bad = vigil::Model::Fit(t, o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("input smoothing must be in [0, 1]"), std::string::npos);
  o.input_smoothing = 0.2f;
  auto m = vigil::Model::Fit(t, o);
  ASSERT_TRUE(m.ok()) << m.status().message();
  auto loaded = vigil::Model::Deserialize(m->Serialize(), "mem");
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->input_smoothing(), 0.2f);
  std::ostringstream d;
  loaded->Describe(d);
  EXPECT_NE(d.str().find("input_smoothing: exponential, newest frame weight 0.2"), std::string::npos) << d.str();
  // The smoothed model scores differently from an unsmoothed one on the same rows.
  o.input_smoothing = 0.0f;
  auto raw = vigil::Model::Fit(t, o);
  ASSERT_TRUE(raw.ok());
  vigil::StreamScorer a(*loaded), b(*raw);
  double diff = 0;
  for (size_t r = 0; r < 50; ++r) diff += std::abs(a.Step(t.row(r)).score - b.Step(t.row(r)).score);
  EXPECT_GT(diff, 0.0);
}
