#include "detect/iforest_score.h"

#include <gtest/gtest.h>

#include "detect/iforest_test_forest.h"

#include <cmath>
#include <limits>
#include <vector>

#include "detect/iforest_random.h"

namespace vigil::detect {
namespace {

constexpr float kGuard = -12345.0f;

std::vector<float> GaussianMatrix(size_t rows, size_t dim, uint64_t seed) {
  IForestRandom rng(seed);
  std::vector<float> x(rows * dim);
  for (float& v : x) {
    const double u1 = rng.UniformUnit(), u2 = rng.UniformUnit();
    v = static_cast<float>(std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(6.283185307179586 * u2));
  }
  return x;
}

IForest Fit(const std::vector<float>& x, size_t dim, uint32_t trees, uint32_t subsample, uint64_t seed = 42) {
  Result<IForest> f =
      BuildIForest(x.data(), x.size() / dim, dim, {.trees = trees, .subsample = subsample, .seed = seed});
  EXPECT_TRUE(f.ok()) << f.status().ToString();
  return std::move(f).value();
}

using testing::TinyForest;

TEST(IForestScoreTest, HandBuiltTreeScores) {
  const IForest f = TinyForest();
  // c(4) = 2(ln 3 + 0.5772156649) − 1.5 = 1.8516560
  const double c4 = 1.8516560;
  // Path lengths: (4, 0) → 1; (5, 1) → 2 + c(2) = 3; (5, 2) → 2; (-1e30, 9) → 1.
  const std::vector<float> x = {4, 0, 5, 1, 5, 2, -1e30f, 9};
  const std::vector<double> length = {1, 3, 2, 1};
  std::vector<float> scores(4), contrib(8);
  ScoreIForest(f, x.data(), 4, scores.data(), nullptr);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(scores[i], std::exp2(-length[i] / c4), 1e-6) << i;
    EXPECT_EQ(scores[i], ScoreIForestRowReference(f, x.data() + 2 * i)) << i;
  }
  ScoreIForest(f, x.data(), 4, scores.data(), contrib.data());
  // Bits gained per split, log2(rows before / rows after), all divided by the same h_t:
  // row 0: f0 takes 4 → 1 rows (2 bits), so f0 gets everything.
  // row 1: f0 4 → 3 (0.41504 bits), f1 3 → 2 (0.58496 bits); shares 0.41504 and 0.58496.
  // row 2: f0 4 → 3 (0.41504), f1 3 → 1 (1.58496); total 2 bits, shares 0.20752, 0.79248.
  EXPECT_EQ(contrib[0], 1.0f);
  EXPECT_EQ(contrib[1], 0.0f);
  EXPECT_NEAR(contrib[2], 0.41504f, 1e-5);
  EXPECT_NEAR(contrib[3], 0.58496f, 1e-5);
  EXPECT_NEAR(contrib[4], 0.20752f, 1e-5);
  EXPECT_NEAR(contrib[5], 0.79248f, 1e-5);
}

TEST(IForestScoreTest, BlockedSingleRowReferenceAndContribPathsAgreeBitForBit) {
  // 409 channels × 10 lanes just fit the scratch (blocks of one group).
  for (size_t dim : {1u, 3u, 8u, 409u}) {
    const IForest f = Fit(GaussianMatrix(700, dim, 1 + dim), dim, 37, 128);
    for (size_t rows : {1u, 7u, 8u, 9u, 255u, 256u, 257u, 1000u}) {
      const std::vector<float> x = GaussianMatrix(rows, dim, 100 + rows);
      std::vector<float> batch(rows + 1, std::numeric_limits<float>::quiet_NaN());
      std::vector<float> with_contrib(rows + 1, std::numeric_limits<float>::quiet_NaN());
      std::vector<float> contrib(rows * dim + 1, std::numeric_limits<float>::quiet_NaN());
      batch[rows] = with_contrib[rows] = contrib[rows * dim] = kGuard;
      std::vector<float> portable(rows);
      ScoreIForest(f, x.data(), rows, batch.data(), nullptr);
      ScoreIForestPortable(f, x.data(), rows, portable.data());
      ScoreIForest(f, x.data(), rows, with_contrib.data(), contrib.data());
      EXPECT_EQ(batch[rows], kGuard);
      EXPECT_EQ(with_contrib[rows], kGuard);
      EXPECT_EQ(contrib[rows * dim], kGuard);
      for (size_t r = 0; r < rows; ++r) {
        float single = 0;
        ScoreIForest(f, x.data() + r * dim, 1, &single, nullptr);
        const float reference = ScoreIForestRowReference(f, x.data() + r * dim);
        ASSERT_EQ(batch[r], reference) << "dim " << dim << " rows " << rows << " row " << r;
        ASSERT_EQ(portable[r], reference) << "dim " << dim << " rows " << rows << " row " << r;
        ASSERT_EQ(single, reference) << "dim " << dim << " row " << r;
        ASSERT_EQ(with_contrib[r], reference) << "dim " << dim << " row " << r;
        ASSERT_GT(batch[r], 0.0f);
        ASSERT_LE(batch[r], 1.0f);
        float total = 0;
        for (size_t j = 0; j < dim; ++j) {
          ASSERT_GE(contrib[r * dim + j], 0.0f);
          total += contrib[r * dim + j];
        }
        ASSERT_NEAR(total, 1.0f, 1e-5f);
      }
    }
  }
}

TEST(IForestScoreTest, WideRowsUseTheReferencePath) {
  // 600 channels × 8 lanes exceeds the stack scratch: scored row by row, same results.
  const size_t dim = 600;
  const IForest f = Fit(GaussianMatrix(64, dim, 3), dim, 5, 32);
  const std::vector<float> x = GaussianMatrix(20, dim, 4);
  std::vector<float> batch(20), with_contrib(20), contrib(20 * dim);
  ScoreIForest(f, x.data(), 20, batch.data(), nullptr);
  ScoreIForest(f, x.data(), 20, with_contrib.data(), contrib.data());
  for (size_t r = 0; r < 20; ++r) {
    EXPECT_EQ(batch[r], ScoreIForestRowReference(f, x.data() + r * dim));
    EXPECT_EQ(with_contrib[r], batch[r]);
  }
}

TEST(IForestScoreTest, ConstantTrainingGivesUniformContributions) {
  const std::vector<float> x(40 * 4, 1.0f);
  const IForest f = Fit(x, 4, 9, 16);
  const std::vector<float> probe = {100, -3, 2, 1};
  float score = 0;
  std::vector<float> contrib(4);
  ScoreIForest(f, probe.data(), 1, &score, contrib.data());
  EXPECT_FLOAT_EQ(score, 0.5f);
  for (float c : contrib) EXPECT_EQ(c, 0.25f);
}

TEST(IForestScoreTest, ExtremeChannelDominatesContributions) {
  const size_t dim = 6;
  const IForest f = Fit(GaussianMatrix(2000, dim, 8), dim, 100, 256);
  std::vector<float> row(dim, 0.1f);
  row[4] = 9.0f;
  float score = 0;
  std::vector<float> contrib(dim);
  ScoreIForest(f, row.data(), 1, &score, contrib.data());
  for (size_t j = 0; j < dim; ++j) {
    if (j != 4) {
      EXPECT_LT(contrib[j], contrib[4]) << j;
    }
  }
  EXPECT_GT(contrib[4], 0.5f);
}

TEST(IForestScoreTest, ZeroRowsWritesNothing) {
  const IForest f = TinyForest();
  float score = kGuard;
  ScoreIForest(f, nullptr, 0, &score, nullptr);
  EXPECT_EQ(score, kGuard);
}

}  // namespace
}  // namespace vigil::detect
