#include "detect/iforest_score.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace vigil::detect {
namespace {

constexpr size_t kLanes = kIForestLanes;
// Rows per block: every tree is walked by all of a block's rows before the next tree, so a
// tree's slots are fetched from L2 once per block instead of once per row. 256 rows × 8
// channels of keys is 8 KiB; with one tree (3 KiB) it stays in L1.
constexpr size_t kBlockRows = 256;
// Stack scratch for a block's row keys. Blocks shrink so rows × dim fits; a dim too wide for
// one group of kLanes rows falls back to the per-row reference walk.
constexpr size_t kScratchKeys = 4096;

inline float ToScore(float path_sum, double inv_norm) {
  return static_cast<float>(std::exp2(-static_cast<double>(path_sum) * inv_norm));
}

// Descends one tree with kLanes rows in lockstep and adds each row's path length to sums[l].
// gx holds the group's keys feature-major: row l's key of feature f at gx[f·kLanes + l], so a
// slot's column plus the lane is the address. `leaf` is leaf_length of the tree shifted by
// −(2^H − 1) so it is indexed by the final slot position. A descent is a chain of dependent
// loads (column, row key, next slot); kLanes independent chains keep the core busy (8 beat 4,
// 12 and 16, which spill). Kept out of line: inlined into the block loop, GCC spilled the
// per-lane addresses and ran ~15% slower.
[[gnu::noinline]] void DescendGroup(const uint32_t* columns, const uint32_t* keys, const uint32_t* gx, uint32_t h,
                                    const float* leaf, float* sums) {
  size_t p[kLanes];
  // The root's slot is the same for every lane: no column load in the first step.
  const size_t root_column = columns[0];
  const uint32_t root_key = keys[0];
#pragma GCC unroll 16
  for (size_t l = 0; l < kLanes; ++l) p[l] = 1 + static_cast<size_t>(gx[root_column + l] >= root_key);
  for (uint32_t s = 1; s < h; ++s) {
#pragma GCC unroll 16
    for (size_t l = 0; l < kLanes; ++l) {
      const size_t q = p[l];
      p[l] = 2 * q + 1 + static_cast<size_t>(gx[size_t{columns[q]} + l] >= keys[q]);
    }
  }
  for (size_t l = 0; l < kLanes; ++l) sums[l] += leaf[p[l]];
}

// One row (keys at xk[f·kLanes]) through every tree, kLanes trees in lockstep for the same
// reason as above. Adds the path lengths to *sum in tree order.
void DescendRow(const IForest& forest, const uint32_t* xk, float* sum) {
  const uint32_t h = forest.height_limit;
  const size_t slots = forest.slots_per_tree(), leaves = forest.leaves_per_tree();
  const size_t trees = forest.trees();
  float acc = *sum;
  size_t t = 0;
  for (; t + kLanes <= trees; t += kLanes) {
    const uint32_t* columns = forest.columns.data() + t * slots;
    const uint32_t* keys = forest.keys.data() + t * slots;
    size_t p[kLanes];  // slot index into tree t + l's arrays, offset by l · slots
#pragma GCC unroll 16
    for (size_t l = 0; l < kLanes; ++l) p[l] = l * slots;
    for (uint32_t s = 0; s < h; ++s) {
#pragma GCC unroll 16
      for (size_t l = 0; l < kLanes; ++l) {
        const size_t q = p[l];
        // Local index i = q − l·slots; the child 2i + 1 + b is at 2q + 1 + b − l·slots.
        p[l] = 2 * q + 1 + static_cast<size_t>(xk[columns[q]] >= keys[q]) - l * slots;
      }
    }
    for (size_t l = 0; l < kLanes; ++l) {
      acc += forest.leaf_length[(t + l) * leaves + (p[l] - l * slots) - slots];
    }
  }
  for (; t < trees; ++t) {
    const uint32_t* columns = forest.columns.data() + t * slots;
    const uint32_t* keys = forest.keys.data() + t * slots;
    size_t p = 0;
    for (uint32_t s = 0; s < h; ++s) p = 2 * p + 1 + static_cast<size_t>(xk[columns[p]] >= keys[p]);
    acc += forest.leaf_length[t * leaves + p - slots];
  }
  *sum = acc;
}

// sums[r] = Σ_t path length of row r in tree t for the n rows of one block. Full groups of
// kLanes rows go through DescendGroup, leftover rows through DescendRow; either way a row's
// lengths are added in tree order, so results do not depend on blocking.
void SumBlock(const IForest& forest, const float* x, size_t n, uint32_t* xk, float* sums) {
  const size_t dim = forest.dim;
  const size_t slots = forest.slots_per_tree(), leaves = forest.leaves_per_tree();
  const size_t groups = n / kLanes;
  for (size_t g = 0; g < groups; ++g) {
    uint32_t* gx = xk + g * dim * kLanes;
    for (size_t l = 0; l < kLanes; ++l) {
      const float* row = x + (g * kLanes + l) * dim;
      for (size_t f = 0; f < dim; ++f) gx[f * kLanes + l] = FloatOrderKey(row[f]);
    }
  }
  std::fill(sums, sums + n, 0.0f);
  for (size_t t = 0; t < forest.trees(); ++t) {
    const uint32_t* columns = forest.columns.data() + t * slots;
    const uint32_t* keys = forest.keys.data() + t * slots;
    const float* leaf = forest.leaf_length.data() + t * leaves - slots;
    for (size_t g = 0; g < groups; ++g) {
      DescendGroup(columns, keys, xk + g * dim * kLanes, forest.height_limit, leaf, sums + g * kLanes);
    }
  }
  for (size_t r = groups * kLanes; r < n; ++r) {
    const float* row = x + r * dim;
    for (size_t f = 0; f < dim; ++f) xk[f * kLanes] = FloatOrderKey(row[f]);
    DescendRow(forest, xk, sums + r);
  }
}

// Longest descent: height_limit = ceil(log2 ψ) <= 32 for a uint32 ψ.
constexpr uint32_t kMaxHeight = 32;

// Like DescendRow (kLanes trees in lockstep) but reads the row's floats directly and records
// each step's feature and the bits it gained, log2(rows before / rows after); pass-through
// steps gain 0 bits. Each step then credits bits / h_t(x) to its feature.
void ScoreRowWithContrib(const IForest& forest, const float* row, float* score, float* contrib) {
  const size_t dim = forest.dim;
  const uint32_t h = forest.height_limit;
  const size_t slots = forest.slots_per_tree(), leaves = forest.leaves_per_tree();
  const size_t positions = forest.positions_per_tree();
  const size_t trees = forest.trees();
  uint32_t feature[kMaxHeight * kLanes];  // [s·kLanes + l]: lane l's split feature at step s
  float bits[kMaxHeight * kLanes];
  std::fill(contrib, contrib + dim, 0.0f);
  float sum = 0.0f;
  for (size_t t = 0; t < trees; t += kLanes) {
    const size_t lanes = std::min(kLanes, trees - t);
    const uint32_t* columns = forest.columns.data() + t * slots;
    const uint32_t* keys = forest.keys.data() + t * slots;
    size_t p[kLanes];  // local heap position in tree t + l
    for (size_t l = 0; l < lanes; ++l) p[l] = 0;
    for (uint32_t s = 0; s < h; ++s) {
      for (size_t l = 0; l < lanes; ++l) {
        const size_t q = l * slots + p[l];
        const uint32_t f = columns[q] / kLanes;
        const size_t child = 2 * p[l] + 1 + static_cast<size_t>(FloatOrderKey(row[f]) >= keys[q]);
        const float* log2_rows = forest.log2_rows.data() + (t + l) * positions;
        feature[s * kLanes + l] = f;
        bits[s * kLanes + l] = log2_rows[p[l]] - log2_rows[child];
        p[l] = child;
      }
    }
    for (size_t l = 0; l < lanes; ++l) {
      const float length = forest.leaf_length[(t + l) * leaves + p[l] - slots];
      sum += length;
      const float weight = 1.0f / length;
      for (uint32_t s = 0; s < h; ++s) contrib[feature[s * kLanes + l]] += bits[s * kLanes + l] * weight;
    }
  }
  *score = ToScore(sum, forest.inv_norm);
  float total = 0.0f;
  for (size_t j = 0; j < dim; ++j) total += contrib[j];
  if (total > 0.0f) {
    const float inv = 1.0f / total;
    for (size_t j = 0; j < dim; ++j) contrib[j] *= inv;
  } else {
    std::fill(contrib, contrib + dim, 1.0f / static_cast<float>(dim));
  }
}

}  // namespace

void ScoreIForest(const IForest& forest, const float* x, size_t rows, float* scores, float* contrib) {
  const size_t dim = forest.dim;
  if (contrib != nullptr) {
    for (size_t r = 0; r < rows; ++r) ScoreRowWithContrib(forest, x + r * dim, scores + r, contrib + r * dim);
    return;
  }
  if (dim * kLanes > kScratchKeys) {
    for (size_t r = 0; r < rows; ++r) scores[r] = ScoreIForestRowReference(forest, x + r * dim);
    return;
  }
  alignas(64) uint32_t xk[kScratchKeys];
  float sums[kBlockRows];
  const size_t block = std::min(kBlockRows, kScratchKeys / (dim * kLanes) * kLanes);
  for (size_t start = 0; start < rows; start += block) {
    const size_t n = std::min(block, rows - start);
    SumBlock(forest, x + start * dim, n, xk, sums);
    for (size_t r = 0; r < n; ++r) scores[start + r] = ToScore(sums[r], forest.inv_norm);
  }
}

float ScoreIForestRowReference(const IForest& forest, const float* row) {
  float sum = 0.0f;
  for (size_t t = 0; t < forest.trees(); ++t) {
    uint32_t i = forest.tree_begin[t], depth = 0;
    while (forest.nodes[i].leaf_size == 0) {
      const IForestNode& n = forest.nodes[i];
      i = row[n.feature] < n.threshold ? n.left : n.left + 1;
      ++depth;
    }
    sum += static_cast<float>(depth + AveragePathLength(forest.nodes[i].leaf_size));
  }
  return ToScore(sum, forest.inv_norm);
}

}  // namespace vigil::detect
