#include "detect/autoencoder_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/arena.h"
#include "core/byte_io.h"
#include "detect/window_features.h"

namespace vigil::detect {
namespace {

constexpr size_t kChannels = 3;
constexpr uint32_t kFrames = 16;

// Three phase-shifted sines with a little noise: what a periodic machine looks like.
std::vector<float> Periodic(size_t rows, uint64_t seed, float offset_channel1 = 0.0f) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.05f);
  std::vector<float> x(rows * kChannels);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < kChannels; ++c) {
      x[r * kChannels + c] = std::sin(0.3f * static_cast<float>(r) + 2.0f * static_cast<float>(c)) + noise(rng);
    }
    x[r * kChannels + 1] += offset_channel1;
  }
  return x;
}

std::vector<float> Lagged(const std::vector<float>& frames) {
  WindowFeatures wf({.window = kFrames, .stats = kFeatLags}, kChannels);
  std::vector<float> all = wf.Transform(frames.data(), frames.size() / kChannels);
  // Drop the warm-up rows, as Model::Fit does.
  return std::vector<float>(all.begin() + (kFrames - 1) * kFrames * kChannels, all.end());
}

DetectorOptions SmallOptions() {
  DetectorOptions o;
  o.nn_frames = kFrames;
  o.ae_hidden = {24, 6};
  o.conv_channels = {8, 4};
  o.conv_kernel = 3;
  o.nn_epochs = 40;
  o.nn_batch_size = 16;
  o.nn_learning_rate = 3e-3;
  o.seed = 5;
  return o;
}

class AutoencoderDetectorTest : public ::testing::TestWithParam<DetectorKind> {};

std::unique_ptr<Detector> Fitted(DetectorKind kind, const std::vector<float>& rows) {
  auto det = NewAutoencoderDetector(kind, SmallOptions());
  EXPECT_TRUE(det.ok()) << det.status().message();
  const size_t dim = kFrames * kChannels;
  Status s = (*det)->Fit(rows.data(), rows.size() / dim, dim);
  EXPECT_TRUE(s.ok()) << s.message();
  return std::move(*det);
}

TEST_P(AutoencoderDetectorTest, FaultsScoreHigherAndPointAtTheirChannel) {
  const size_t dim = kFrames * kChannels;
  std::vector<float> train = Lagged(Periodic(400, 1));
  auto det = Fitted(GetParam(), train);
  ASSERT_EQ(det->dim(), dim);
  std::vector<float> normal = Lagged(Periodic(200, 2));
  std::vector<float> faulty = Lagged(Periodic(200, 3, /*offset_channel1=*/1.5f));
  const size_t n = normal.size() / dim;
  std::vector<float> s_normal(n), s_faulty(n), contrib(n * dim);
  det->Score(normal.data(), n, s_normal.data(), nullptr);
  det->Score(faulty.data(), n, s_faulty.data(), contrib.data());
  const double mean_normal = std::accumulate(s_normal.begin(), s_normal.end(), 0.0) / static_cast<double>(n);
  const double mean_faulty = std::accumulate(s_faulty.begin(), s_faulty.end(), 0.0) / static_cast<double>(n);
  EXPECT_GT(mean_faulty, 5 * mean_normal) << mean_normal << " vs " << mean_faulty;
  std::vector<double> per_channel(kChannels, 0.0);
  for (size_t r = 0; r < n; ++r) {
    double total = 0;
    for (size_t i = 0; i < dim; ++i) {
      ASSERT_GE(contrib[r * dim + i], 0.0f);
      total += contrib[r * dim + i];
      per_channel[i % kChannels] += contrib[r * dim + i];
    }
    EXPECT_NEAR(total, 1.0, 1e-4) << r;
  }
  EXPECT_GT(per_channel[1], per_channel[0] + per_channel[2]);
}

TEST_P(AutoencoderDetectorTest, BatchAndSingleRowScoresAgree) {
  const size_t dim = kFrames * kChannels;
  auto det = Fitted(GetParam(), Lagged(Periodic(300, 1)));
  std::vector<float> x = Lagged(Periodic(100, 9));  // 85 rows: one batch of 64 and 21 single rows
  const size_t n = x.size() / dim;
  std::vector<float> bulk(n), one(1);
  det->Score(x.data(), n, bulk.data(), nullptr);
  for (size_t r = 0; r < n; ++r) {
    det->Score(x.data() + r * dim, 1, one.data(), nullptr);
    EXPECT_NEAR(one[0], bulk[r], 1e-5f * std::max(1.0f, bulk[r])) << r;
  }
}

TEST_P(AutoencoderDetectorTest, SaveLoadRoundTripsAndBorrowsMappedWeights) {
  const size_t dim = kFrames * kChannels;
  auto det = Fitted(GetParam(), Lagged(Periodic(300, 1)));
  core::ByteWriter w;
  det->Save(w);
  std::vector<float> x = Lagged(Periodic(80, 4));
  const size_t n = x.size() / dim;
  std::vector<float> expected(n), got(n);
  det->Score(x.data(), n, expected.data(), nullptr);

  // Without an owner the weights are copied.
  auto copy = NewAutoencoderDetector(GetParam(), DetectorOptions{});
  ASSERT_TRUE(copy.ok());
  core::ByteReader plain(w.bytes(), "mem");
  ASSERT_TRUE((*copy)->Load(plain).ok());
  EXPECT_FALSE(AutoencoderNetwork(**copy)->borrowed());
  (*copy)->Score(x.data(), n, got.data(), nullptr);
  EXPECT_EQ(got, expected);

  // With an owner and an aligned buffer (as a mapped file gives), they are used in place.
  auto block = std::make_shared<core::Arena>();
  ASSERT_TRUE(block->Allocate(w.size()).ok());
  std::copy(w.bytes().begin(), w.bytes().end(), block->data());
  core::ByteReader mapped(std::span<const uint8_t>(block->data(), w.size()), "mapped", 0, block);
  auto borrowed = NewAutoencoderDetector(GetParam(), DetectorOptions{});
  ASSERT_TRUE(borrowed.ok());
  ASSERT_TRUE((*borrowed)->Load(mapped).ok());
  const nn::PackedNet* net = AutoencoderNetwork(**borrowed);
  ASSERT_NE(net, nullptr);
  EXPECT_TRUE(net->borrowed());
  EXPECT_EQ(net->WeightBytes(), AutoencoderNetwork(*det)->WeightBytes());
  block.reset();  // the detector keeps the block alive
  (*borrowed)->Score(x.data(), n, got.data(), nullptr);
  EXPECT_EQ(got, expected);

  core::ByteWriter again;
  (*borrowed)->Save(again);
  EXPECT_EQ(again.bytes(), w.bytes());
}

TEST_P(AutoencoderDetectorTest, SameSeedSameModelAndProgressIsReported) {
  const size_t dim = kFrames * kChannels;
  std::vector<float> rows = Lagged(Periodic(200, 1));
  DetectorOptions o = SmallOptions();
  o.nn_epochs = 5;
  o.nn_patience = 0;
  std::vector<TrainingProgress> seen;
  o.progress = [&](const TrainingProgress& p) { seen.push_back(p); };
  std::vector<uint8_t> bytes[2];
  for (auto& b : bytes) {
    auto det = NewAutoencoderDetector(GetParam(), o);
    ASSERT_TRUE(det.ok());
    ASSERT_TRUE((*det)->Fit(rows.data(), rows.size() / dim, dim).ok());
    core::ByteWriter w;
    (*det)->Save(w);
    b = w.bytes();
  }
  EXPECT_EQ(bytes[0], bytes[1]);
  ASSERT_EQ(seen.size(), 10u);
  EXPECT_EQ(seen[4].epoch, 5);
  EXPECT_EQ(seen[4].max_epochs, 5);
  EXPECT_TRUE(std::isfinite(seen[4].train_loss));
  EXPECT_TRUE(std::isfinite(seen[4].validation_loss));
}

TEST_P(AutoencoderDetectorTest, BadInputsAreErrors) {
  auto det = NewAutoencoderDetector(GetParam(), SmallOptions());
  ASSERT_TRUE(det.ok());
  std::vector<float> x(50 * 47, 0.0f);
  Status s = (*det)->Fit(x.data(), 50, 47);  // 47 is not 16 frames × channels
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("16-frame"), std::string::npos) << s.message();
  std::vector<float> few(3 * kFrames * kChannels, 0.0f);
  EXPECT_FALSE((*det)->Fit(few.data(), 3, kFrames * kChannels).ok());
  DetectorOptions bad = SmallOptions();
  bad.nn_learning_rate = 0;
  EXPECT_FALSE(NewAutoencoderDetector(GetParam(), bad).ok());
}

TEST_P(AutoencoderDetectorTest, DamagedPayloadsAreCorruptionNeverCrashes) {
  auto det = Fitted(GetParam(), Lagged(Periodic(200, 1)));
  core::ByteWriter w;
  det->Save(w);
  const std::vector<uint8_t>& good = w.bytes();
  for (size_t cut = 0; cut < good.size(); cut += 7) {
    std::vector<uint8_t> part(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut));
    core::ByteReader r(part, "cut");
    auto fresh = NewAutoencoderDetector(GetParam(), DetectorOptions{});
    ASSERT_TRUE(fresh.ok());
    EXPECT_FALSE((*fresh)->Load(r).ok()) << cut;
  }
  // A layer width that no longer matches its packed weights.
  std::vector<uint8_t> widened = good;
  std::mt19937 rng(3);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<uint8_t> flipped = widened;
    flipped[rng() % 200] ^= static_cast<uint8_t>(1u << (rng() % 8));
    core::ByteReader r(flipped, "flip");
    auto fresh = NewAutoencoderDetector(GetParam(), DetectorOptions{});
    Status s = (*fresh)->Load(r);  // either loads (a value flip) or is an error; never crashes
    if (!s.ok()) {
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.message();
    }
  }
}

TEST_P(AutoencoderDetectorTest, Fp16WeightsKeepScoresAndSurviveSaveLoad) {
  const size_t dim = kFrames * kChannels;
  const std::vector<float> train = Lagged(Periodic(300, 1));
  auto det = Fitted(GetParam(), train);
  std::vector<float> x = Lagged(Periodic(80, 4, 1.5f));
  const size_t n = x.size() / dim;
  std::vector<float> f32(n), f16(n), loaded(n);
  det->Score(x.data(), n, f32.data(), nullptr);
  const size_t f32_bytes = det->ParameterBytes();
  EXPECT_EQ(det->WeightType(), "f32");

  ASSERT_TRUE(det->Quantize("fp16", train.data(), train.size() / dim).ok());
  EXPECT_EQ(det->WeightType(), "f16");
  EXPECT_LT(det->ParameterBytes(), f32_bytes * 6 / 10);
  det->Score(x.data(), n, f16.data(), nullptr);
  for (size_t i = 0; i < n; ++i) EXPECT_NEAR(f16[i], f32[i], 5e-3 * f32[i] + 1e-6) << i;
  std::ostringstream described;
  det->Describe(described);
  EXPECT_NE(described.str().find("weights: f16, relative RMS output change per layer vs f32 on " +
                                 std::to_string(train.size() / dim) + " calibration rows:"),
            std::string::npos)
      << described.str();

  core::ByteWriter w;
  det->Save(w);
  auto again = NewAutoencoderDetector(GetParam(), DetectorOptions{});
  ASSERT_TRUE(again.ok());
  core::ByteReader r(w.bytes(), "mem");
  ASSERT_TRUE((*again)->Load(r).ok());
  EXPECT_EQ((*again)->WeightType(), "f16");
  (*again)->Score(x.data(), n, loaded.data(), nullptr);
  EXPECT_EQ(loaded, f16);
  std::ostringstream described_again;
  (*again)->Describe(described_again);
  EXPECT_EQ(described_again.str(), described.str());

  // Unknown types and going back up are errors that leave the detector as it was.
  EXPECT_EQ(det->Quantize("int3", nullptr, 0).message(), "unknown weight type 'int3' (expected fp32, fp16 or int8)");
  EXPECT_FALSE(det->Quantize("fp32", nullptr, 0).ok());
  EXPECT_TRUE(det->Quantize("fp16", nullptr, 0).ok());  // already f16: nothing to do
  det->Score(x.data(), n, loaded.data(), nullptr);
  EXPECT_EQ(loaded, f16);
}

TEST_P(AutoencoderDetectorTest, Int8WeightsNeedCalibrationAndKeepTheRanking) {
  const size_t dim = kFrames * kChannels;
  const std::vector<float> train = Lagged(Periodic(300, 1));
  auto det = Fitted(GetParam(), train);
  std::vector<float> normal = Lagged(Periodic(60, 4)), faulty = Lagged(Periodic(60, 5, 1.5f));
  const size_t n = normal.size() / dim;
  std::vector<float> normal32(n), faulty32(n), normal8(n), faulty8(n);
  det->Score(normal.data(), n, normal32.data(), nullptr);
  det->Score(faulty.data(), n, faulty32.data(), nullptr);
  EXPECT_EQ(det->Quantize("int8", nullptr, 0).message(),
            "int8 needs calibration data (normal rows) to choose activation ranges");
  ASSERT_TRUE(det->Quantize("int8", train.data(), train.size() / dim).ok());
  EXPECT_EQ(det->WeightType(), "int8");
  det->Score(normal.data(), n, normal8.data(), nullptr);
  det->Score(faulty.data(), n, faulty8.data(), nullptr);
  // Every faulty window still scores above every normal one, as in FP32.
  ASSERT_LT(*std::max_element(normal32.begin(), normal32.end()), *std::min_element(faulty32.begin(), faulty32.end()));
  EXPECT_LT(*std::max_element(normal8.begin(), normal8.end()), *std::min_element(faulty8.begin(), faulty8.end()));
  // Normal windows lie inside the calibrated ranges: their scores barely move. Faulty ones reach
  // past them and saturate there, so theirs may move by tens of percent — the ranking above is
  // what detection needs.
  for (size_t i = 0; i < n; ++i) EXPECT_NEAR(normal8[i], normal32[i], 0.1 * normal32[i] + 1e-3) << i;
}

INSTANTIATE_TEST_SUITE_P(Kinds, AutoencoderDetectorTest,
                         ::testing::Values(DetectorKind::kAutoencoder, DetectorKind::kConvAutoencoder),
                         [](const auto& info) {
                           return info.param == DetectorKind::kAutoencoder ? std::string("ae") : std::string("conv_ae");
                         });

}  // namespace
}  // namespace vigil::detect
