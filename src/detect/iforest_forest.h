// Internal: isolation forest storage and construction (Liu, Ting, Zhou, ICDM 2008).
//
//   Result<IForest> f = BuildIForest(x, rows, dim, {.trees = 100, .subsample = 256, .seed = 42});
//   ScoreIForest(*f, x, rows, scores, nullptr);   // see iforest_score.h
//
// Two representations of the same trees:
// - Structure (`nodes`): each tree a breadth-first run of explicit nodes with child links.
//   It is what the builder produces and what is serialized.
// - Scoring layout (`cells`), derived by FinishIForest: every tree as a complete binary tree
//   of depth D (the deepest leaf of the forest, <= height_limit) in 1-based heap order (root
//   1, children of p at 2p and 2p+1), one 8-byte cell per position, so a descent is D steps of
//       cell = cells[p];  p = 2p + (key_below(cell) < row_key[column(cell)])
//   with no child pointers, no leaf test and no branch; after D steps p is at the leaf level,
//   whose cells hold the path length. A leaf shallower than D becomes a chain of pass-through
//   cells (nothing is above their key: always left) ending at the leaf level. Thresholds and
//   row values are compared as order-preserving integer keys (FloatOrderKey); the cell stores
//   key − 1 so that "x >= threshold" is the carry of one unsigned compare, which x86 adds
//   straight into p (cmp + adc). Column and key share a cell so one base register serves
//   both, leaving registers for more rows in flight. A tree takes 2^(D+1) cells, at most
//   8·2^(H+1) <= 32ψ bytes (4 KiB at ψ = 256); all trees share one contiguous array.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "vigil/status.h"

namespace vigil::detect {

// Rows descend a tree in lockstep in groups of this many independent chains (see
// iforest_score.cc); cell columns are pre-multiplied by it so the kernel's address arithmetic
// is free.
constexpr uint32_t kIForestLanes = 10;
// Largest dim the scoring layout can address (feature × kIForestLanes fits in uint32).
constexpr uint64_t kIForestMaxDim = uint64_t{1} << 24;
// Bound on trees × 2^(depth+1), the number of cells: 12 bytes each with log2_rows, so at most
// 768 MiB of scoring layout (100 trees of ψ up to 2^18 fit). Also caps what a hostile model
// file can make Load allocate.
constexpr uint64_t kIForestMaxCells = uint64_t{1} << 26;

// Maps floats to uint32 so that unsigned order equals float order (−0 and +0 map alike, as
// they compare equal): a >= b  <=>  FloatOrderKey(a) >= FloatOrderKey(b) for non-NaN a, b.
constexpr uint32_t FloatOrderKey(float v) {
  const uint32_t bits = std::bit_cast<uint32_t>(v + 0.0f);  // −0 + 0 = +0
  const uint32_t negative = static_cast<uint32_t>(static_cast<int32_t>(bits) >> 31);
  return bits ^ (negative | 0x80000000u);
}

// A split cell: low half the column (feature × kIForestLanes), high half FloatOrderKey(t) − 1.
// Finite thresholds have keys >= 1, so the subtraction never wraps.
constexpr uint64_t SplitCell(uint32_t feature, float threshold) {
  return (uint64_t{FloatOrderKey(threshold) - 1} << 32) | (feature * kIForestLanes);
}
// Pass-through: no finite value's key exceeds FloatOrderKey(+inf) − 1 = FloatOrderKey(FLT_MAX).
constexpr uint64_t kIForestPassCell = uint64_t{FloatOrderKey(std::numeric_limits<float>::infinity()) - 1}
                                      << 32;
// A leaf-level cell: the bits of the path length in the low half.
constexpr uint64_t LeafCell(float path_length) { return std::bit_cast<uint32_t>(path_length); }
constexpr uint32_t CellColumn(uint64_t cell) { return static_cast<uint32_t>(cell); }
constexpr uint32_t CellKeyBelow(uint64_t cell) { return static_cast<uint32_t>(cell >> 32); }
constexpr float CellPathLength(uint64_t cell) { return std::bit_cast<float>(static_cast<uint32_t>(cell)); }

struct IForestNode {
  uint32_t feature;    // split feature (split nodes)
  float threshold;     // rows with x[feature] < threshold go left (split nodes)
  uint32_t left;       // index of the left child in IForest::nodes; right = left + 1 (split nodes)
  uint32_t leaf_size;  // training rows that reached this leaf; 0 marks a split node
};

struct IForest {
  size_t dim = 0;
  uint32_t subsample = 0;     // rows each tree was built on (ψ, already capped at the row count)
  uint32_t height_limit = 0;  // H = ceil(log2 ψ)
  uint32_t depth = 0;         // D: deepest leaf of any tree (FinishIForest); steps of a descent
  // Structure.
  std::vector<IForestNode> nodes;
  std::vector<uint32_t> tree_begin;  // trees + 1 offsets into nodes; a tree's root is its first node
  // Scoring layout (FinishIForest), tree-major, 2^(D+1) entries per tree indexed by 1-based
  // heap position (entry 0 unused): positions 1 .. 2^D − 1 are split or pass-through cells,
  // 2^D .. 2^(D+1) − 1 the leaf level.
  std::vector<uint64_t> cells;
  // log2 of the training rows that reached each position (a pass-through chain repeats its
  // leaf's value). Read only when computing contributions.
  std::vector<float> log2_rows;
  double inv_norm = 0;  // 1 / (trees · c(ψ)): turns a path-length sum into E[h]/c(ψ)

  size_t trees() const { return tree_begin.empty() ? 0 : tree_begin.size() - 1; }
  size_t cells_per_tree() const { return size_t{2} << depth; }
  size_t leaf_level() const { return size_t{1} << depth; }  // first leaf-level position
};

struct IForestParams {
  uint32_t trees = 100;
  uint32_t subsample = 256;  // requested ψ; capped at the number of rows
  uint64_t seed = 42;
};

// Average path length of an unsuccessful binary-search-tree search among n points, used to
// credit the unresolved part of a leaf holding n rows: c(n) = 2H(n−1) − 2(n−1)/n with
// H(i) = ln i + 0.5772156649, and by convention c(1) = 0, c(2) = 1 (as scikit-learn and
// Liu et al.'s 2012 paper do; the harmonic approximation is poor at 2).
double AveragePathLength(uint64_t n);

// ceil(log2 n) for n >= 1.
uint32_t HeightLimit(uint64_t n);

// Builds the forest. Each tree: ψ rows drawn without replacement (partial Fisher–Yates driven
// by the tree's own IForestRandom stream), then nodes split breadth-first on a feature chosen
// uniformly among those not constant in the node, at a value uniform in (min, max], until a
// node holds one row, reaches the height limit, or has only constant features.
// InvalidArgument for rows < 2, dim == 0 or > kIForestMaxDim, trees == 0, subsample < 2,
// trees × 2^(height_limit+1) > kIForestMaxCells, or a non-finite value (naming its row and
// column).
Result<IForest> BuildIForest(const float* x, size_t rows, size_t dim, const IForestParams& params);

// Derives depth, the scoring layout and inv_norm from the structure; used after building and
// after loading. Assumes a valid structure whose layout fits kIForestMaxCells (MaxLeafDepth).
void FinishIForest(IForest* forest);

// Deepest leaf over all trees of a valid structure.
uint32_t MaxLeafDepth(const IForest& forest);

}  // namespace vigil::detect
