#include "detect/iforest_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>
#include <vector>

#include "core/byte_io.h"
#include "detect/iforest_random.h"

namespace vigil::detect {
namespace {

constexpr size_t kDim = 4;

// Deterministic standard normals: SplitMix64 → 53-bit uniforms → Box–Muller.
class Gaussian {
 public:
  explicit Gaussian(uint64_t seed) : state_(seed) {}
  double Uniform() { return static_cast<double>(SplitMix64Next(&state_) >> 11) * 0x1.0p-53; }
  double Next() {
    const double u1 = Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * 3.141592653589793 * u2);
  }

 private:
  uint64_t state_;
};

struct Data {
  std::vector<float> train;  // 2000 × kDim
  std::vector<float> test;   // 600 × kDim
  std::vector<int> labels;   // 600
};

// Train: 2000 rows of N(0, I4). Test: 600 rows of N(0, I4) where every 10th row (label 1) has
// channel (i/10) mod 4 shifted by +3. The expected AUC was produced offline by this script,
// which draws the same numbers (same generator, same order):
//
//   import math, numpy as np
//   from sklearn.ensemble import IsolationForest
//   from sklearn.metrics import roc_auc_score
//   M = (1 << 64) - 1; state = 2024
//   def sm():
//       global state
//       state = (state + 0x9E3779B97F4A7C15) & M; z = state
//       z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
//       z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
//       return z ^ (z >> 31)
//   def u(): return (sm() >> 11) * 2.0**-53
//   def normal():
//       u1, u2 = u(), u()
//       return math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2)
//   train = np.array([[normal() for _ in range(4)] for _ in range(2000)], dtype=np.float32)
//   test, y = [], []
//   for i in range(600):
//       row = [normal() for _ in range(4)]
//       if i % 10 == 0: row[(i // 10) % 4] += 3.0
//       test.append(row); y.append(int(i % 10 == 0))
//   test = np.array(test, dtype=np.float32)
//   aucs = [roc_auc_score(y, -IsolationForest(n_estimators=100, max_samples=256,
//           random_state=rs).fit(train).score_samples(test)) for rs in range(10)]
//   print(np.mean(aucs), min(aucs), max(aucs))   # 0.8950 0.8883 0.9048 (scikit-learn 1.2.1)
constexpr double kSklearnMeanAuc = 0.8950;

Data MakeGaussianData() {
  Gaussian g(2024);
  Data d;
  d.train.resize(2000 * kDim);
  for (float& v : d.train) v = static_cast<float>(g.Next());
  for (int i = 0; i < 600; ++i) {
    double row[kDim];
    for (double& v : row) v = g.Next();
    if (i % 10 == 0) row[(i / 10) % kDim] += 3.0;
    for (double v : row) d.test.push_back(static_cast<float>(v));
    d.labels.push_back(i % 10 == 0 ? 1 : 0);
  }
  return d;
}

// ROC AUC as the probability that a random positive outscores a random negative (ties ½).
double Auc(const std::vector<float>& scores, const std::vector<int>& labels) {
  double wins = 0, pairs = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != 1) continue;
    for (size_t j = 0; j < scores.size(); ++j) {
      if (labels[j] != 0) continue;
      wins += scores[i] > scores[j] ? 1.0 : scores[i] == scores[j] ? 0.5 : 0.0;
      pairs += 1;
    }
  }
  return wins / pairs;
}

std::unique_ptr<Detector> Make(uint64_t seed = 42, uint32_t trees = 100, uint32_t subsample = 256) {
  DetectorOptions o;
  o.seed = seed;
  o.iforest_trees = trees;
  o.iforest_subsample = subsample;
  Result<std::unique_ptr<Detector>> d = NewIForestDetector(o);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return std::move(d).value();
}

std::vector<float> ScoreAll(const Detector& d, const std::vector<float>& x) {
  std::vector<float> s(x.size() / d.dim());
  d.Score(x.data(), s.size(), s.data(), nullptr);
  return s;
}

std::vector<uint8_t> SaveBytes(const Detector& d) {
  core::ByteWriter w;
  d.Save(w);
  return w.bytes();
}

TEST(IForestDetectorTest, FactoryValidatesOptions) {
  DetectorOptions o;
  o.iforest_trees = 0;
  Result<std::unique_ptr<Detector>> d = NewIForestDetector(o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(d.status().message().find("iforest_trees must be >= 1, got 0"), std::string::npos);
  o.iforest_trees = 10;
  for (uint32_t bad : {0u, 1u}) {
    o.iforest_subsample = bad;
    d = NewIForestDetector(o);
    ASSERT_FALSE(d.ok());
    EXPECT_NE(d.status().message().find("iforest_subsample must be >= 2, got " + std::to_string(bad)),
              std::string::npos)
        << d.status().message();
  }
  auto ok = Make();
  EXPECT_EQ(ok->kind(), DetectorKind::kIForest);
  EXPECT_EQ(ok->name(), "iforest");
}

TEST(IForestDetectorTest, FitRejectsEmptyInput) {
  const std::vector<float> x(10 * kDim, 1.0f);
  auto d = Make();
  Status s = d->Fit(x.data(), 0, kDim);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("need at least 2 training rows, got 0"), std::string::npos) << s.message();
  s = d->Fit(x.data(), 10, 0);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("dim 0"), std::string::npos) << s.message();
}

TEST(IForestDetectorTest, SameSeedSameScoresOtherSeedDifferent) {
  const Data data = MakeGaussianData();
  auto a = Make(7), b = Make(7), c = Make(8);
  ASSERT_TRUE(a->Fit(data.train.data(), 2000, kDim).ok());
  ASSERT_TRUE(b->Fit(data.train.data(), 2000, kDim).ok());
  ASSERT_TRUE(c->Fit(data.train.data(), 2000, kDim).ok());
  EXPECT_EQ(a->dim(), kDim);
  const std::vector<float> sa = ScoreAll(*a, data.test), sb = ScoreAll(*b, data.test),
                           sc = ScoreAll(*c, data.test);
  EXPECT_EQ(sa, sb);
  EXPECT_NE(sa, sc);
  EXPECT_EQ(SaveBytes(*a), SaveBytes(*b));
}

TEST(IForestDetectorTest, PerturbedChannelRaisesScoreAndIsBlamed) {
  // Isolation forest saturates outside the training range: a value of 8 in one channel
  // scores like the most extreme training values of that channel (scikit-learn gives the
  // same ~0.52 here), so the checks are relative to the unperturbed row and to typical rows.
  const Data data = MakeGaussianData();
  auto d = Make();
  ASSERT_TRUE(d->Fit(data.train.data(), 2000, kDim).ok());
  std::vector<float> rows(data.test.begin(), data.test.end());  // 600 test rows
  const std::vector<float> base = {0.2f, -0.3f, 0.1f, 0.1f};
  std::vector<float> perturbed = base;
  perturbed[2] = 8.0f;
  rows.insert(rows.end(), base.begin(), base.end());
  rows.insert(rows.end(), perturbed.begin(), perturbed.end());
  std::vector<float> scores(602), contrib(602 * kDim);
  d->Score(rows.data(), 602, scores.data(), contrib.data());
  std::vector<float> inliers;
  for (size_t i = 0; i < 600; ++i) {
    if (data.labels[i] == 0) inliers.push_back(scores[i]);
  }
  std::sort(inliers.begin(), inliers.end());
  const float base_score = scores[600], outlier_score = scores[601];
  EXPECT_GT(outlier_score, base_score + 0.1f);
  EXPECT_GT(outlier_score, inliers[inliers.size() * 3 / 4]);  // above the 75th percentile
  const float* c = contrib.data() + 601 * kDim;
  EXPECT_EQ(std::max_element(c, c + kDim) - c, 2);
  EXPECT_GT(c[2], 0.6f);
}

TEST(IForestDetectorTest, ObviousOutlierScoresAboveAllInliers) {
  const Data data = MakeGaussianData();
  auto d = Make();
  ASSERT_TRUE(d->Fit(data.train.data(), 2000, kDim).ok());
  const std::vector<float> inlier_scores = ScoreAll(*d, data.train);
  const std::vector<float> outlier = {6.0f, -6.0f, 6.0f, 6.0f};
  float score = 0;
  d->Score(outlier.data(), 1, &score, nullptr);
  EXPECT_GT(score, *std::max_element(inlier_scores.begin(), inlier_scores.end()));
  EXPECT_GT(score, 0.7f);
}

TEST(IForestDetectorTest, AucMatchesScikitLearn) {
  const Data data = MakeGaussianData();
  double sum = 0;
  for (uint64_t seed = 1; seed <= 5; ++seed) {
    auto d = Make(seed);
    ASSERT_TRUE(d->Fit(data.train.data(), 2000, kDim).ok());
    const double auc = Auc(ScoreAll(*d, data.test), data.labels);
    // scikit-learn's own spread over 10 seeds is 0.888..0.905.
    EXPECT_NEAR(auc, kSklearnMeanAuc, 0.025) << "seed " << seed;
    sum += auc;
  }
  EXPECT_NEAR(sum / 5, kSklearnMeanAuc, 0.015);
}

TEST(IForestDetectorTest, BlockedAndSingleRowScoringAgree) {
  const Data data = MakeGaussianData();
  auto d = Make();
  ASSERT_TRUE(d->Fit(data.train.data(), 2000, kDim).ok());
  const std::vector<float> batch = ScoreAll(*d, data.test);
  std::vector<float> contrib_batch(data.test.size());
  std::vector<float> scores_with_contrib(600);
  d->Score(data.test.data(), 600, scores_with_contrib.data(), contrib_batch.data());
  EXPECT_EQ(scores_with_contrib, batch);
  for (size_t r = 0; r < 600; ++r) {
    float single = 0;
    float contrib[kDim];
    d->Score(data.test.data() + r * kDim, 1, &single, nullptr);
    ASSERT_EQ(single, batch[r]) << "row " << r;
    d->Score(data.test.data() + r * kDim, 1, &single, contrib);
    ASSERT_EQ(single, batch[r]) << "row " << r;
    ASSERT_EQ(std::memcmp(contrib, contrib_batch.data() + r * kDim, sizeof contrib), 0) << "row " << r;
  }
}

TEST(IForestDetectorTest, SaveLoadRoundTripIsBitExact) {
  const Data data = MakeGaussianData();
  auto d = Make(3, 25, 64);
  ASSERT_TRUE(d->Fit(data.train.data(), 2000, kDim).ok());
  const std::vector<uint8_t> bytes = SaveBytes(*d);
  auto e = Make();  // different options: Load replaces them
  core::ByteReader r(bytes, "model.vgm");
  ASSERT_TRUE(e->Load(r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(SaveBytes(*e), bytes);
  EXPECT_EQ(ScoreAll(*e, data.test), ScoreAll(*d, data.test));
  std::ostringstream a, b;
  d->Describe(a);
  e->Describe(b);
  EXPECT_EQ(a.str(), b.str());
  EXPECT_EQ(e->ParameterBytes(), d->ParameterBytes());
}

TEST(IForestDetectorTest, LoadRejectsEveryTruncationAndBadHeader) {
  const Data data = MakeGaussianData();
  auto d = Make(3, 2, 8);
  ASSERT_TRUE(d->Fit(data.train.data(), 100, kDim).ok());
  const std::vector<uint8_t> bytes = SaveBytes(*d);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto e = Make();
    core::ByteReader r(std::span<const uint8_t>(bytes.data(), n), "model.vgm");
    Status s = e->Load(r);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << "length " << n;
  }
  auto load = [&](std::vector<uint8_t> b) {
    auto e = Make();
    core::ByteReader r(b, "model.vgm");
    return e->Load(r);
  };
  std::vector<uint8_t> bad = bytes;
  bad[0] = 9;  // version
  Status s = load(bad);
  EXPECT_NE(s.message().find("field 'iforest.version': unsupported version 9"), std::string::npos)
      << s.message();
  bad = bytes;
  bad[12] = 3;  // trees option (u32 after version and seed) no longer matches the 2 stored trees
  s = load(bad);
  EXPECT_NE(s.message().find("2 trees stored, options say 3"), std::string::npos) << s.message();
  bad = bytes;
  std::memset(bad.data() + 16, 0, 4);  // subsample option 0
  s = load(bad);
  EXPECT_NE(s.message().find("iforest.options.subsample"), std::string::npos) << s.message();
  // Flip the root's left-child index (last u32 of the first node record) to point at itself.
  bad = bytes;
  const size_t root_left = 20 + 28 + 4 * 2 + 12;
  std::memset(bad.data() + root_left, 0, 4);
  s = load(bad);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("field 'iforest.left'"), std::string::npos) << s.message();
}

TEST(IForestDetectorTest, DescribeAndParameterBytes) {
  const Data data = MakeGaussianData();
  auto d = Make();
  ASSERT_TRUE(d->Fit(data.train.data(), 2000, kDim).ok());
  std::ostringstream os;
  d->Describe(os);
  const std::string text = os.str();
  EXPECT_EQ(text.rfind("detector: iforest\ntrees: 100\nsubsample: 256\nheight_limit: 8\nnodes: ", 0), 0u)
      << text;
  EXPECT_NE(text.find("\nseed: 42\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\ndim: 4\n"), std::string::npos) << text;
  // 100 trees × 2^9 positions × (8-byte cell + 4-byte log2 row count).
  EXPECT_EQ(d->ParameterBytes(), 100u * 512 * (8 + 4));

  auto small = Make(42, 10, 256);
  ASSERT_TRUE(small->Fit(data.train.data(), 100, kDim).ok());
  std::ostringstream os2;
  small->Describe(os2);
  EXPECT_NE(os2.str().find("subsample: 100\nsubsample_requested: 256"), std::string::npos) << os2.str();
  EXPECT_NE(os2.str().find("height_limit: 7\n"), std::string::npos) << os2.str();
}

TEST(IForestDetectorDeathTest, ScoreBeforeFitAborts) {
  auto d = Make();
  float x[kDim] = {}, s = 0;
  EXPECT_DEATH(d->Score(x, 1, &s, nullptr), "VIGIL_CHECK");
}

}  // namespace
}  // namespace vigil::detect
