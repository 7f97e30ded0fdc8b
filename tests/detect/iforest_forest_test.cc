#include "detect/iforest_forest.h"

#include <gtest/gtest.h>

#include "detect/iforest_test_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "detect/iforest_random.h"
#include "detect/iforest_score.h"

namespace vigil::detect {
namespace {

std::vector<float> UniformMatrix(size_t rows, size_t dim, uint64_t seed) {
  IForestRandom rng(seed);
  std::vector<float> x(rows * dim);
  for (float& v : x) v = static_cast<float>(rng.UniformUnit() * 20.0 - 10.0);
  return x;
}

// Depth of every node of tree t, from the child links.
std::vector<uint32_t> Depths(const IForest& f, size_t t) {
  const uint32_t begin = f.tree_begin[t], end = f.tree_begin[t + 1];
  std::vector<uint32_t> depth(end - begin, 0);
  for (uint32_t i = begin; i < end; ++i) {
    const IForestNode& n = f.nodes[i];
    if (n.leaf_size == 0) depth[n.left - begin] = depth[n.left + 1 - begin] = depth[i - begin] + 1;
  }
  return depth;
}

TEST(IForestForestTest, AveragePathLengthKnownValues) {
  EXPECT_EQ(AveragePathLength(0), 0.0);
  EXPECT_EQ(AveragePathLength(1), 0.0);
  EXPECT_EQ(AveragePathLength(2), 1.0);
  // c(3) = 2(ln 2 + γ) − 4/3 = 2(0.693147 + 0.577216) − 1.333333
  EXPECT_NEAR(AveragePathLength(3), 1.207392, 1e-6);
  // c(256) = 2(ln 255 + γ) − 510/256 = 2(5.541264 + 0.577216) − 1.992188
  EXPECT_NEAR(AveragePathLength(256), 10.244770, 1e-6);
}

TEST(IForestForestTest, HeightLimitIsCeilLog2) {
  EXPECT_EQ(HeightLimit(1), 0u);
  EXPECT_EQ(HeightLimit(2), 1u);
  EXPECT_EQ(HeightLimit(3), 2u);
  EXPECT_EQ(HeightLimit(4), 2u);
  EXPECT_EQ(HeightLimit(5), 3u);
  EXPECT_EQ(HeightLimit(256), 8u);
  EXPECT_EQ(HeightLimit(257), 9u);
  EXPECT_EQ(HeightLimit(0xFFFFFFFFu), 32u);
}

TEST(IForestForestTest, FloatOrderKeyPreservesOrder) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> ascending = {-inf,   -3e38f, -2.5f, -1e-40f, 0.0f, 1e-45f,
                                        1e-40f, 1.0f,   2.5f,  3e38f,   inf};
  for (size_t i = 0; i + 1 < ascending.size(); ++i) {
    EXPECT_LT(FloatOrderKey(ascending[i]), FloatOrderKey(ascending[i + 1])) << ascending[i];
  }
  EXPECT_EQ(FloatOrderKey(-0.0f), FloatOrderKey(0.0f));  // equal floats, equal keys
}

TEST(IForestForestTest, CellsEncodeColumnAndKeyBelowThreshold) {
  const uint64_t cell = SplitCell(3, 2.5f);
  EXPECT_EQ(CellColumn(cell), 3 * kIForestLanes);
  // "x >= 2.5" is "key_below < key(x)".
  EXPECT_FALSE(CellKeyBelow(cell) < FloatOrderKey(2.4999998f));
  EXPECT_TRUE(CellKeyBelow(cell) < FloatOrderKey(2.5f));
  // No finite value passes a pass-through cell, so rows always go left.
  EXPECT_EQ(CellColumn(kIForestPassCell), 0u);
  EXPECT_FALSE(CellKeyBelow(kIForestPassCell) < FloatOrderKey(std::numeric_limits<float>::max()));
  EXPECT_TRUE(CellKeyBelow(kIForestPassCell) < FloatOrderKey(std::numeric_limits<float>::infinity()));
  EXPECT_EQ(CellPathLength(LeafCell(7.25f)), 7.25f);
}

using testing::TinyForest;

TEST(IForestForestTest, FinishBuildsCompleteTreeLayout) {
  const IForest f = TinyForest();
  ASSERT_EQ(f.depth, 2u);
  ASSERT_EQ(f.cells_per_tree(), 8u);
  ASSERT_EQ(f.leaf_level(), 4u);
  // Heap positions 1..7: root split, pass-through above the depth-1 leaf, the f1 split; then
  // the leaf level: the depth-1 leaf at its leftmost descendant (4) with 1 + c(1) = 1,
  // position 5 unreachable, 2 + c(2) = 3 and 2 + c(1) = 2.
  const std::vector<uint64_t> expected = {
      0, SplitCell(0, 5.0f), kIForestPassCell, SplitCell(1, 2.0f), LeafCell(1.0f),
      0, LeafCell(3.0f),     LeafCell(2.0f)};
  EXPECT_EQ(f.cells, expected);
  // log2 of rows per position: root 4, pass-through 1, split 3; leaf level 1, -, 2, 1.
  const float l3 = static_cast<float>(std::log2(3.0));
  EXPECT_EQ(f.log2_rows, (std::vector<float>{0.0f, 2.0f, 0.0f, l3, 0.0f, 0.0f, 1.0f, 0.0f}));
  EXPECT_DOUBLE_EQ(f.inv_norm, 1.0 / AveragePathLength(4));
}

TEST(IForestForestTest, TwoRowsScoreExactlyOneHalf) {
  // ψ = 2, H = 1: every tree splits the two rows at the root, both leaves hold one row, so
  // every row has path length 1 = c(2) and score 2^(−1/1) = 0.5.
  const std::vector<float> x = {0.0f, 1.0f};
  Result<IForest> f = BuildIForest(x.data(), 2, 1, {.trees = 10, .subsample = 256, .seed = 1});
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->subsample, 2u);
  EXPECT_EQ(f->height_limit, 1u);
  EXPECT_EQ(f->depth, 1u);
  EXPECT_EQ(f->nodes.size(), 30u);
  for (size_t t = 0; t < 10; ++t) {
    const IForestNode& root = f->nodes[f->tree_begin[t]];
    EXPECT_EQ(root.leaf_size, 0u);
    EXPECT_GT(root.threshold, 0.0f);
    EXPECT_LE(root.threshold, 1.0f);
  }
  const std::vector<float> probe = {-5.0f, 0.0f, 0.5f, 1.0f, 7.0f};
  std::vector<float> scores(probe.size());
  ScoreIForest(*f, probe.data(), probe.size(), scores.data(), nullptr);
  for (float s : scores) EXPECT_EQ(s, 0.5f);
}

TEST(IForestForestTest, ConstantDataMakesSingleLeafTrees) {
  const std::vector<float> x(50 * 3, 4.25f);
  Result<IForest> f = BuildIForest(x.data(), 50, 3, {.trees = 7, .subsample = 16, .seed = 1});
  ASSERT_TRUE(f.ok());
  ASSERT_EQ(f->nodes.size(), 7u);
  for (const IForestNode& n : f->nodes) EXPECT_EQ(n.leaf_size, 16u);
  // The layout follows the actual depth (0), not the height limit (4): 2 cells per tree.
  EXPECT_EQ(f->height_limit, 4u);
  EXPECT_EQ(f->depth, 0u);
  EXPECT_EQ(f->cells.size(), 7u * 2);
  // Path length c(16) in every tree: E[h]/c(ψ) = 1, score 0.5.
  float score = 0;
  ScoreIForest(*f, x.data(), 1, &score, nullptr);
  EXPECT_FLOAT_EQ(score, 0.5f);
}

TEST(IForestForestTest, TreesAreValidIsolationTrees) {
  const size_t rows = 500, dim = 5;
  const std::vector<float> x = UniformMatrix(rows, dim, 11);
  Result<IForest> f = BuildIForest(x.data(), rows, dim, {.trees = 20, .subsample = 100, .seed = 3});
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->subsample, 100u);
  EXPECT_EQ(f->height_limit, 7u);
  ASSERT_EQ(f->trees(), 20u);
  std::vector<float> lo(dim, 1e30f), hi(dim, -1e30f);
  for (size_t r = 0; r < rows; ++r) {
    for (size_t j = 0; j < dim; ++j) {
      lo[j] = std::min(lo[j], x[r * dim + j]);
      hi[j] = std::max(hi[j], x[r * dim + j]);
    }
  }
  for (size_t t = 0; t < f->trees(); ++t) {
    const uint32_t begin = f->tree_begin[t], end = f->tree_begin[t + 1];
    const std::vector<uint32_t> depth = Depths(*f, t);
    uint64_t leaf_rows = 0;
    for (uint32_t i = begin; i < end; ++i) {
      const IForestNode& n = f->nodes[i];
      ASSERT_LE(depth[i - begin], f->height_limit);
      if (n.leaf_size > 0) {
        leaf_rows += n.leaf_size;
        continue;
      }
      ASSERT_LT(n.feature, dim);
      ASSERT_GT(n.left, i);
      ASSERT_LT(n.left + 1, end);
      EXPECT_GT(n.threshold, lo[n.feature]);
      EXPECT_LE(n.threshold, hi[n.feature]);
    }
    EXPECT_EQ(leaf_rows, 100u) << "tree " << t;
  }
}

TEST(IForestForestTest, SamplesWithoutReplacement) {
  // Distinct values: a node shallower than the height limit holding two or more rows can
  // always be split, so such a leaf can only come from a row drawn twice.
  const size_t rows = 64;
  std::vector<float> x(rows);
  for (size_t i = 0; i < rows; ++i) x[i] = static_cast<float>(i);
  Result<IForest> f = BuildIForest(x.data(), rows, 1, {.trees = 100, .subsample = 64, .seed = 5});
  ASSERT_TRUE(f.ok());
  for (size_t t = 0; t < f->trees(); ++t) {
    const std::vector<uint32_t> depth = Depths(*f, t);
    for (uint32_t i = f->tree_begin[t]; i < f->tree_begin[t + 1]; ++i) {
      if (f->nodes[i].leaf_size > 1) {
        ASSERT_EQ(depth[i - f->tree_begin[t]], f->height_limit) << "tree " << t;
      }
    }
  }
}

TEST(IForestForestTest, SameSeedSameForestOtherSeedDifferent) {
  const std::vector<float> x = UniformMatrix(300, 4, 2);
  Result<IForest> a = BuildIForest(x.data(), 300, 4, {.trees = 10, .subsample = 64, .seed = 9});
  Result<IForest> b = BuildIForest(x.data(), 300, 4, {.trees = 10, .subsample = 64, .seed = 9});
  Result<IForest> c = BuildIForest(x.data(), 300, 4, {.trees = 10, .subsample = 64, .seed = 10});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto same = [](const IForest& p, const IForest& q) {
    if (p.nodes.size() != q.nodes.size()) return false;
    for (size_t i = 0; i < p.nodes.size(); ++i) {
      const IForestNode &m = p.nodes[i], &n = q.nodes[i];
      if (m.feature != n.feature || m.threshold != n.threshold || m.left != n.left ||
          m.leaf_size != n.leaf_size)
        return false;
    }
    return p.tree_begin == q.tree_begin;
  };
  EXPECT_TRUE(same(*a, *b));
  EXPECT_FALSE(same(*a, *c));
}

TEST(IForestForestTest, TreeDependsOnlyOnItsOwnStream) {
  // Tree 0 of a 1-tree forest equals tree 0 of a 5-tree forest with the same seed.
  const std::vector<float> x = UniformMatrix(200, 3, 4);
  Result<IForest> one = BuildIForest(x.data(), 200, 3, {.trees = 1, .subsample = 32, .seed = 8});
  Result<IForest> five = BuildIForest(x.data(), 200, 3, {.trees = 5, .subsample = 32, .seed = 8});
  ASSERT_TRUE(one.ok() && five.ok());
  ASSERT_EQ(one->nodes.size(), five->tree_begin[1]);
  for (size_t i = 0; i < one->nodes.size(); ++i) {
    EXPECT_EQ(one->nodes[i].threshold, five->nodes[i].threshold);
    EXPECT_EQ(one->nodes[i].leaf_size, five->nodes[i].leaf_size);
  }
}

TEST(IForestForestTest, RejectsBadInput) {
  const std::vector<float> x = UniformMatrix(10, 2, 1);
  auto build = [&](size_t rows, size_t dim, IForestParams p) {
    return BuildIForest(x.data(), rows, dim, p).status();
  };
  Status s = build(1, 2, {});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("at least 2 training rows, got 1"), std::string::npos) << s.message();
  s = build(0, 2, {});
  EXPECT_NE(s.message().find("got 0"), std::string::npos) << s.message();
  s = build(10, 0, {});
  EXPECT_NE(s.message().find("dim 0"), std::string::npos) << s.message();
  s = build(10, 2, {.trees = 0});
  EXPECT_NE(s.message().find("iforest_trees must be >= 1"), std::string::npos) << s.message();
  s = build(10, 2, {.subsample = 0});
  EXPECT_NE(s.message().find("iforest_subsample must be >= 2, got 0"), std::string::npos) << s.message();
  s = build(10, 2, {.subsample = 1});
  EXPECT_NE(s.message().find("got 1"), std::string::npos) << s.message();
}

TEST(IForestForestTest, RejectsNonFiniteValuesNamingRowAndColumn) {
  std::vector<float> x = UniformMatrix(10, 3, 1);
  x[4 * 3 + 2] = std::numeric_limits<float>::quiet_NaN();
  Status s = BuildIForest(x.data(), 10, 3, {}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("row 4, column 2"), std::string::npos) << s.message();
  x[4 * 3 + 2] = std::numeric_limits<float>::infinity();
  EXPECT_FALSE(BuildIForest(x.data(), 10, 3, {}).ok());
}

TEST(IForestForestTest, RejectsForestsBeyondTheSizeLimit) {
  // 2^20 trees of height 9 would need 2^29 leaf slots.
  const std::vector<float> x = UniformMatrix(300, 1, 1);
  Status s = BuildIForest(x.data(), 300, 1, {.trees = 1u << 20, .subsample = 300, .seed = 1}).status();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("size limit"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace vigil::detect
