#include "detect/iforest_score.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

namespace vigil::detect {
namespace {

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VIGIL_IFOREST_ASM_STEP 1
constexpr bool kHaveAsmStep = true;
#else
constexpr bool kHaveAsmStep = false;
#endif

constexpr size_t kLanes = kIForestLanes;
// Rows per block (a multiple of kLanes): every tree is walked by all of a block's rows before
// the next tree, so a tree's cells come from L2 once per block instead of once per row.
// 250 rows × 8 channels of keys is 8 KB; with one tree (4 KiB) it stays in L1.
constexpr size_t kBlockRows = 250;
// Stack scratch for a block's row keys. Blocks shrink so rows × dim fits; a dim too wide for
// one group of kLanes rows falls back to the per-row reference walk.
constexpr size_t kScratchKeys = 4096;
// Longest descent: depth <= height_limit = ceil(log2 ψ) <= 32 for a uint32 ψ.
constexpr uint32_t kMaxHeight = 32;

inline float ToScore(float path_sum, double inv_norm) {
  return static_cast<float>(std::exp2(-static_cast<double>(path_sum) * inv_norm));
}

// One descent step of lane kLane: p = 2p + (key_below(cells[p]) < gx[column(cells[p]) + kLane]).
// gx holds a group's row keys feature-major (row l's key of feature f at gx[f·kLanes + l]).
template <size_t kLane>
inline void PortableStep(const uint64_t* cells, const uint32_t* gx, size_t* p) {
  const uint64_t cell = cells[*p];
  *p = 2 * *p + static_cast<size_t>(CellKeyBelow(cell) < gx[CellColumn(cell) + kLane]);
}

#ifdef VIGIL_IFOREST_ASM_STEP
// The same step in four instructions: the compare's carry is exactly "x >= threshold" and adc
// doubles p and adds it. Written by hand because GCC 12 emits setb + movzx + lea here and
// needs more registers, which caps the lanes in flight. Measured on the SKAB benchmark (AMD
// EPYC VM, 100 trees, ψ 256, rows/s): portable step 2.0 M at 8 or 10 lanes; this step 2.05 M
// at 8 lanes, 2.35 M at 10, 2.2 M at 12 (spills).
// The two unnamed "m" operands tell the compiler the asm reads the arrays behind cells and gx
// (sized by upper bounds of their extent) without a full "memory" clobber, which would force
// the lanes' positions out of registers.
template <size_t kLane>
inline void AsmStep(const uint64_t* cells, const uint32_t* gx, size_t* p) {
  uint32_t column, key;
  asm("movl (%[cells],%[p],8), %[column]\n\t"
      "movl 4(%[cells],%[p],8), %[key]\n\t"
      "cmpl %c[lane](%[gx],%q[column],4), %[key]\n\t"
      "adcq %[p], %[p]"
      : [p] "+r"(*p), [column] "=&r"(column), [key] "=&r"(key)
      : [cells] "r"(cells), [gx] "r"(gx), [lane] "i"(4 * kLane),
        "m"(*(const uint64_t(*)[kIForestMaxCells])cells), "m"(*(const uint32_t(*)[kScratchKeys])gx)
      : "cc");
}
#endif

// Descends one tree with kLanes rows in lockstep and adds each row's path length to sums[l].
// A descent is a chain of dependent loads (cell, row key, next cell); kLanes independent
// chains keep the core busy. Kept out of line: inlined into the block loop, GCC spilled the
// per-lane addresses and ran ~15% slower.
template <size_t... kLane>
[[gnu::noinline]] void DescendGroupPortable(const uint64_t* cells, const uint32_t* gx, uint32_t h,
                                            float* sums, std::index_sequence<kLane...>) {
  size_t p[kLanes];
  for (size_t l = 0; l < kLanes; ++l) p[l] = 1;
  for (uint32_t s = 0; s < h; ++s) (PortableStep<kLane>(cells, gx, p + kLane), ...);
  for (size_t l = 0; l < kLanes; ++l) sums[l] += CellPathLength(cells[p[l]]);
}

#ifdef VIGIL_IFOREST_ASM_STEP
// Positions are named scalars, not an array: an array would be memory the asm's "m" operands
// might alias, and GCC then stores every position back after every step.
static_assert(kLanes == 10, "DescendGroupAsm spells out its lanes");
[[gnu::noinline]] void DescendGroupAsm(const uint64_t* cells, const uint32_t* gx, uint32_t h, float* sums) {
  size_t p0 = 1, p1 = 1, p2 = 1, p3 = 1, p4 = 1, p5 = 1, p6 = 1, p7 = 1, p8 = 1, p9 = 1;
  for (uint32_t s = 0; s < h; ++s) {
    AsmStep<0>(cells, gx, &p0);
    AsmStep<1>(cells, gx, &p1);
    AsmStep<2>(cells, gx, &p2);
    AsmStep<3>(cells, gx, &p3);
    AsmStep<4>(cells, gx, &p4);
    AsmStep<5>(cells, gx, &p5);
    AsmStep<6>(cells, gx, &p6);
    AsmStep<7>(cells, gx, &p7);
    AsmStep<8>(cells, gx, &p8);
    AsmStep<9>(cells, gx, &p9);
  }
  const size_t p[kLanes] = {p0, p1, p2, p3, p4, p5, p6, p7, p8, p9};
  for (size_t l = 0; l < kLanes; ++l) sums[l] += CellPathLength(cells[p[l]]);
}
#endif

template <bool kAsm>
inline void DescendGroup(const uint64_t* cells, const uint32_t* gx, uint32_t h, float* sums) {
#ifdef VIGIL_IFOREST_ASM_STEP
  if constexpr (kAsm) {
    DescendGroupAsm(cells, gx, h, sums);
    return;
  }
#else
  static_assert(!kAsm, "no assembly step on this target");
#endif
  DescendGroupPortable(cells, gx, h, sums, std::make_index_sequence<kLanes>());
}

// One row (keys at xk[f·kLanes]) through every tree, kLanes trees in lockstep for the same
// reason. Adds the path lengths to *sum in tree order.
void DescendRow(const IForest& forest, const uint32_t* xk, float* sum) {
  const uint32_t h = forest.depth;
  const size_t per_tree = forest.cells_per_tree(), trees = forest.trees();
  float acc = *sum;
  size_t t = 0;
  for (; t + kLanes <= trees; t += kLanes) {
    const uint64_t* cells = forest.cells.data() + t * per_tree;
    size_t p[kLanes];  // position in tree t + l, offset by l · per_tree
    for (size_t l = 0; l < kLanes; ++l) p[l] = l * per_tree + 1;
    for (uint32_t s = 0; s < h; ++s) {
#pragma GCC unroll 16
      for (size_t l = 0; l < kLanes; ++l) {
        // Position i of tree t + l is q = l·P + i; its child 2i + b is at 2q − l·P + b.
        const uint64_t cell = cells[p[l]];
        p[l] = 2 * p[l] - l * per_tree + static_cast<size_t>(CellKeyBelow(cell) < xk[CellColumn(cell)]);
      }
    }
    for (size_t l = 0; l < kLanes; ++l) acc += CellPathLength(cells[p[l]]);
  }
  for (; t < trees; ++t) {
    const uint64_t* cells = forest.cells.data() + t * per_tree;
    size_t p = 1;
    for (uint32_t s = 0; s < h; ++s) {
      const uint64_t cell = cells[p];
      p = 2 * p + static_cast<size_t>(CellKeyBelow(cell) < xk[CellColumn(cell)]);
    }
    acc += CellPathLength(cells[p]);
  }
  *sum = acc;
}

// sums[r] = Σ_t path length of row r in tree t for the n rows of one block. Full groups of
// kLanes rows go through DescendGroup, leftover rows through DescendRow; either way a row's
// lengths are added in tree order, so results do not depend on blocking.
template <bool kAsm>
void SumBlock(const IForest& forest, const float* x, size_t n, uint32_t* xk, float* sums) {
  const size_t dim = forest.dim;
  const size_t per_tree = forest.cells_per_tree();
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
    const uint64_t* cells = forest.cells.data() + t * per_tree;
    for (size_t g = 0; g < groups; ++g) {
      DescendGroup<kAsm>(cells, xk + g * dim * kLanes, forest.depth, sums + g * kLanes);
    }
  }
  for (size_t r = groups * kLanes; r < n; ++r) {
    const float* row = x + r * dim;
    for (size_t f = 0; f < dim; ++f) xk[f * kLanes] = FloatOrderKey(row[f]);
    DescendRow(forest, xk, sums + r);
  }
}

template <bool kAsm>
void ScoreBlocks(const IForest& forest, const float* x, size_t rows, float* scores) {
  const size_t dim = forest.dim;
  if (dim * kLanes > kScratchKeys) {
    for (size_t r = 0; r < rows; ++r) scores[r] = ScoreIForestRowReference(forest, x + r * dim);
    return;
  }
  alignas(64) uint32_t xk[kScratchKeys];
  float sums[kBlockRows];
  const size_t block = std::min(kBlockRows, kScratchKeys / (dim * kLanes) * kLanes);
  for (size_t start = 0; start < rows; start += block) {
    const size_t n = std::min(block, rows - start);
    SumBlock<kAsm>(forest, x + start * dim, n, xk, sums);
    for (size_t r = 0; r < n; ++r) scores[start + r] = ToScore(sums[r], forest.inv_norm);
  }
}

// Like DescendRow (kLanes trees in lockstep) but reads the row's floats directly and records
// each step's feature and the bits it gained, log2(rows before / rows after); pass-through
// steps gain 0 bits. Each step then credits bits / h_t(x) to its feature (h_t >= 1: a leaf
// at depth 0 holds all ψ >= 2 rows, so c(ψ) >= 1).
void ScoreRowWithContrib(const IForest& forest, const float* row, float* score, float* contrib) {
  const size_t dim = forest.dim;
  const uint32_t h = forest.depth;
  const size_t per_tree = forest.cells_per_tree(), trees = forest.trees();
  uint32_t feature[kMaxHeight * kLanes];  // [s·kLanes + l]: lane l's split feature at step s
  float bits[kMaxHeight * kLanes];
  std::fill(contrib, contrib + dim, 0.0f);
  float sum = 0.0f;
  for (size_t t = 0; t < trees; t += kLanes) {
    const size_t lanes = std::min(kLanes, trees - t);
    size_t p[kLanes];
    for (size_t l = 0; l < lanes; ++l) p[l] = 1;
    for (uint32_t s = 0; s < h; ++s) {
      for (size_t l = 0; l < lanes; ++l) {
        const uint64_t* cells = forest.cells.data() + (t + l) * per_tree;
        const float* log2_rows = forest.log2_rows.data() + (t + l) * per_tree;
        const uint64_t cell = cells[p[l]];
        const uint32_t f = CellColumn(cell) / kLanes;
        const size_t child = 2 * p[l] + static_cast<size_t>(CellKeyBelow(cell) < FloatOrderKey(row[f]));
        feature[s * kLanes + l] = f;
        bits[s * kLanes + l] = log2_rows[p[l]] - log2_rows[child];
        p[l] = child;
      }
    }
    for (size_t l = 0; l < lanes; ++l) {
      const float length = CellPathLength(forest.cells[(t + l) * per_tree + p[l]]);
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
  if (contrib != nullptr) {
    const size_t dim = forest.dim;
    for (size_t r = 0; r < rows; ++r) ScoreRowWithContrib(forest, x + r * dim, scores + r, contrib + r * dim);
    return;
  }
  ScoreBlocks<kHaveAsmStep>(forest, x, rows, scores);
}

void ScoreIForestPortable(const IForest& forest, const float* x, size_t rows, float* scores) {
  ScoreBlocks<false>(forest, x, rows, scores);
}

bool IForestUsesAsmStep() { return kHaveAsmStep; }

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
