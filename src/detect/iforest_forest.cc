#include "detect/iforest_forest.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <utility>

#include "detect/iforest_random.h"

namespace vigil::detect {
namespace {

constexpr double kEulerGamma = 0.5772156649;

// Builds one tree into forest->nodes. `cols` holds the tree's ψ sample rows column-major
// (feature f of sample i at cols[f * psi + i]) so a node's min/max scan is a contiguous walk.
class TreeBuilder {
 public:
  TreeBuilder(size_t dim, uint32_t psi, uint32_t height_limit)
      : dim_(dim), psi_(psi), height_limit_(height_limit), cols_(dim * psi), order_(psi), candidates_(dim) {}

  // Copies the sample rows named by `sample` (ψ row indices into x).
  void LoadSample(const float* x, const size_t* sample) {
    for (uint32_t i = 0; i < psi_; ++i) {
      const float* row = x + sample[i] * dim_;
      for (size_t f = 0; f < dim_; ++f) cols_[f * psi_ + i] = row[f];
    }
  }

  void Build(IForestRandom* rng, IForest* forest) {
    std::iota(order_.begin(), order_.end(), 0u);
    const size_t root = forest->nodes.size();
    forest->nodes.push_back({});
    pending_.clear();
    pending_.push_back({root, 0, psi_, 0});
    // Breadth-first: pending_ is a FIFO read by index, appended to as nodes split.
    for (size_t next = 0; next < pending_.size(); ++next) {
      const Pending p = pending_[next];
      Split split;
      if (p.depth >= height_limit_ || p.end - p.begin <= 1 || !ChooseSplit(rng, p, &split)) {
        forest->nodes[p.node] = {0, 0.0f, 0, p.end - p.begin};
        continue;
      }
      const uint32_t* first = order_.data() + p.begin;
      const float* col = cols_.data() + split.feature * psi_;
      uint32_t* mid = std::partition(order_.data() + p.begin, order_.data() + p.end,
                                     [&](uint32_t i) { return col[i] < split.threshold; });
      const uint32_t mid_index = p.begin + static_cast<uint32_t>(mid - first);
      const size_t left = forest->nodes.size();
      forest->nodes[p.node] = {split.feature, split.threshold, static_cast<uint32_t>(left), 0};
      forest->nodes.resize(left + 2);
      pending_.push_back({left, p.begin, mid_index, p.depth + 1});
      pending_.push_back({left + 1, mid_index, p.end, p.depth + 1});
    }
  }

 private:
  struct Pending {
    size_t node;
    uint32_t begin, end;  // range of order_
    uint32_t depth;
  };
  struct Split {
    uint32_t feature;
    float threshold;
  };

  // Draws a feature uniformly among the remaining candidates; a constant one is dropped and
  // the draw repeated, which makes the final choice uniform over the non-constant features
  // while usually scanning only one column.
  bool ChooseSplit(IForestRandom* rng, const Pending& p, Split* out) {
    std::iota(candidates_.begin(), candidates_.end(), 0u);
    size_t remaining = dim_;
    while (remaining > 0) {
      const size_t pick = rng->UniformIndex(remaining);
      const uint32_t f = candidates_[pick];
      const float* col = cols_.data() + size_t{f} * psi_;
      float lo = col[order_[p.begin]], hi = lo;
      for (uint32_t k = p.begin + 1; k < p.end; ++k) {
        const float v = col[order_[k]];
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      if (hi > lo) {
        // The product goes through a volatile so no compiler fuses it with the add (an FMA
        // rounds once, not twice): thresholds must be identical on every platform.
        volatile double offset = rng->UniformUnit() * (static_cast<double>(hi) - lo);
        float t = static_cast<float>(static_cast<double>(lo) + offset);
        // Keep the threshold in (lo, hi] after rounding so both children are non-empty.
        if (!(t > lo)) t = std::nextafter(lo, std::numeric_limits<float>::infinity());
        if (t > hi) t = hi;
        *out = {f, t};
        return true;
      }
      std::swap(candidates_[pick], candidates_[remaining - 1]);
      --remaining;
    }
    return false;
  }

  size_t dim_;
  uint32_t psi_;
  uint32_t height_limit_;
  std::vector<float> cols_;
  std::vector<uint32_t> order_;       // sample indices, partitioned in place as nodes split
  std::vector<uint32_t> candidates_;  // features not yet found constant in the current node
  std::vector<Pending> pending_;
};

// Depth of every node; parents precede children within a tree, so one forward pass works.
std::vector<uint32_t> NodeDepths(const IForest& forest) {
  std::vector<uint32_t> depth(forest.nodes.size(), 0);
  for (size_t t = 0; t < forest.trees(); ++t) {
    for (uint32_t i = forest.tree_begin[t]; i < forest.tree_begin[t + 1]; ++i) {
      const IForestNode& node = forest.nodes[i];
      if (node.leaf_size == 0) depth[node.left] = depth[node.left + 1] = depth[i] + 1;
    }
  }
  return depth;
}

Status ValidateInput(const float* x, size_t rows, size_t dim, const IForestParams& params) {
  if (dim == 0) return Status::InvalidArgument("iforest: no input channels (dim 0)");
  if (dim > kIForestMaxDim) {
    return Status::InvalidArgument("iforest: dim " + std::to_string(dim) + " exceeds the limit " +
                                   std::to_string(kIForestMaxDim));
  }
  if (rows < 2) {
    return Status::InvalidArgument("iforest: need at least 2 training rows, got " + std::to_string(rows));
  }
  if (params.trees == 0) return Status::InvalidArgument("iforest: iforest_trees must be >= 1, got 0");
  if (params.subsample < 2) {
    return Status::InvalidArgument("iforest: iforest_subsample must be >= 2, got " +
                                   std::to_string(params.subsample));
  }
  const uint64_t psi = std::min<uint64_t>(params.subsample, rows);
  // Checked against the height limit, the deepest a tree can get, before any work is done.
  if (uint64_t{params.trees} << (HeightLimit(psi) + 1) > kIForestMaxCells) {
    return Status::InvalidArgument("iforest: " + std::to_string(params.trees) + " trees of subsample " +
                                   std::to_string(psi) +
                                   " exceed the model size limit (trees x 2^(ceil(log2 " +
                                   "subsample)+1) must be <= " + std::to_string(kIForestMaxCells) + ")");
  }
  for (size_t r = 0; r < rows; ++r) {
    for (size_t j = 0; j < dim; ++j) {
      if (!std::isfinite(x[r * dim + j])) {
        return Status::InvalidArgument("iforest: non-finite training value at row " + std::to_string(r) +
                                       ", column " + std::to_string(j));
      }
    }
  }
  return Status::OK();
}

}  // namespace

double AveragePathLength(uint64_t n) {
  if (n <= 1) return 0.0;
  if (n == 2) return 1.0;
  const double m = static_cast<double>(n - 1);
  return 2.0 * (std::log(m) + kEulerGamma) - 2.0 * m / static_cast<double>(n);
}

uint32_t HeightLimit(uint64_t n) {
  uint32_t h = 0;
  while (h < 64 && (uint64_t{1} << h) < n) ++h;
  return h;
}

uint32_t MaxLeafDepth(const IForest& forest) {
  const std::vector<uint32_t> depth = NodeDepths(forest);
  return depth.empty() ? 0 : *std::max_element(depth.begin(), depth.end());
}

void FinishIForest(IForest* forest) {
  const size_t trees = forest->trees();
  const size_t n = forest->nodes.size();
  const std::vector<uint32_t> depth = NodeDepths(*forest);
  forest->depth = n == 0 ? 0 : *std::max_element(depth.begin(), depth.end());
  const uint32_t d_max = forest->depth;
  const size_t per_tree = forest->cells_per_tree();
  forest->cells.assign(trees * per_tree, 0);
  forest->log2_rows.assign(trees * per_tree, 0.0f);
  // Rows per node, from the leaves up (children always follow their parent).
  std::vector<uint64_t> rows(n);
  for (size_t i = n; i-- > 0;) {
    const IForestNode& node = forest->nodes[i];
    rows[i] = node.leaf_size > 0 ? node.leaf_size : rows[node.left] + rows[node.left + 1];
  }
  std::vector<uint64_t> pos(n);  // heap position, parents first
  for (size_t t = 0; t < trees; ++t) {
    uint64_t* cells = forest->cells.data() + t * per_tree;
    float* log2_rows = forest->log2_rows.data() + t * per_tree;
    const uint32_t begin = forest->tree_begin[t], end = forest->tree_begin[t + 1];
    pos[begin] = 1;
    for (uint32_t i = begin; i < end; ++i) {
      const IForestNode& node = forest->nodes[i];
      uint64_t p = pos[i];
      const float bits = static_cast<float>(std::log2(static_cast<double>(rows[i])));
      if (node.leaf_size == 0) {
        cells[p] = SplitCell(node.feature, node.threshold);
        log2_rows[p] = bits;
        pos[node.left] = 2 * p;
        pos[node.left + 1] = 2 * p + 1;
        continue;
      }
      // Pass-through cells always go left: after D − d more steps the row is at the leftmost
      // leaf-level descendant of p.
      for (uint32_t k = depth[i]; k < d_max; ++k, p = 2 * p) {
        cells[p] = kIForestPassCell;
        log2_rows[p] = bits;
      }
      cells[p] = LeafCell(static_cast<float>(depth[i] + AveragePathLength(node.leaf_size)));
      log2_rows[p] = bits;
    }
  }
  forest->inv_norm = 1.0 / (static_cast<double>(trees) * AveragePathLength(forest->subsample));
}

Result<IForest> BuildIForest(const float* x, size_t rows, size_t dim, const IForestParams& params) {
  VIGIL_RETURN_IF_ERROR(ValidateInput(x, rows, dim, params));
  IForest forest;
  forest.dim = dim;
  forest.subsample = static_cast<uint32_t>(std::min<uint64_t>(params.subsample, rows));
  forest.height_limit = HeightLimit(forest.subsample);
  const uint32_t psi = forest.subsample;
  forest.nodes.reserve(size_t{params.trees} * psi);
  forest.tree_begin.reserve(size_t{params.trees} + 1);

  // A permutation of the rows; each tree shuffles its first ψ slots (partial Fisher–Yates)
  // and then undoes the swaps, so every tree starts from the identity and its sample depends
  // only on its own random stream.
  std::vector<size_t> perm(rows);
  std::iota(perm.begin(), perm.end(), size_t{0});
  std::vector<size_t> swapped_with(psi);
  TreeBuilder builder(dim, psi, forest.height_limit);
  for (uint32_t t = 0; t < params.trees; ++t) {
    IForestRandom rng(IForestRandom::SeedFor(params.seed, t));
    for (uint32_t i = 0; i < psi; ++i) {
      const size_t j = i + rng.UniformIndex(rows - i);
      std::swap(perm[i], perm[j]);
      swapped_with[i] = j;
    }
    builder.LoadSample(x, perm.data());
    for (uint32_t i = psi; i-- > 0;) std::swap(perm[i], perm[swapped_with[i]]);

    forest.tree_begin.push_back(static_cast<uint32_t>(forest.nodes.size()));
    builder.Build(&rng, &forest);
  }
  forest.tree_begin.push_back(static_cast<uint32_t>(forest.nodes.size()));
  forest.nodes.shrink_to_fit();
  FinishIForest(&forest);
  return forest;
}

}  // namespace vigil::detect
