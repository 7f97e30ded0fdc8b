#include "detect/iforest_serialize.h"

#include <cmath>
#include <string>
#include <vector>

namespace vigil::detect {
namespace {

constexpr size_t kNodeRecordBytes = 16;

std::string Str(uint64_t v) { return std::to_string(v); }

// Reads one tree's node records (tree_size of them, starting at global index begin) and
// validates them as they arrive, so an error points at the offending record.
Status LoadTree(core::ByteReader& r, uint32_t tree, uint32_t begin, uint32_t tree_size, IForest* f) {
  std::vector<uint8_t> parents(tree_size, 0);
  std::vector<uint32_t> depth(tree_size, 0);
  uint64_t leaf_total = 0;
  for (uint32_t i = 0; i < tree_size; ++i) {
    auto where = [&] { return "tree " + Str(tree) + " node " + Str(i) + ": "; };
    uint32_t leaf_size = 0, feature = 0, left = 0;
    float threshold = 0;
    // Each field is checked right after it is read, so errors carry its own offset.
    VIGIL_RETURN_IF_ERROR(r.U32("iforest.leaf_size", &leaf_size));
    // Parents precede children, so by now every reference to node i has been seen.
    if (i > 0 && parents[i] != 1) return r.Error("iforest.leaf_size", where() + "is the child of no node");
    if (depth[i] > f->height_limit) {
      return r.Error("iforest.leaf_size",
                     where() + "depth " + Str(depth[i]) + " exceeds height limit " + Str(f->height_limit));
    }
    const bool leaf = leaf_size > 0;
    leaf_total += leaf_size;
    if (leaf_total > f->subsample) {
      return r.Error("iforest.leaf_size", where() + "leaf sizes exceed subsample " + Str(f->subsample));
    }
    VIGIL_RETURN_IF_ERROR(r.U32("iforest.feature", &feature));
    if (leaf ? feature != 0 : feature >= f->dim) {
      return r.Error("iforest.feature",
                     where() + (leaf ? "leaf with non-zero feature " + Str(feature)
                                     : "feature " + Str(feature) + " >= dim " + Str(f->dim)));
    }
    VIGIL_RETURN_IF_ERROR(r.F32("iforest.threshold", &threshold));
    if (leaf ? (threshold != 0 || std::signbit(threshold)) : !std::isfinite(threshold)) {
      return r.Error("iforest.threshold",
                     where() + (leaf ? "leaf with non-zero threshold" : "non-finite threshold"));
    }
    VIGIL_RETURN_IF_ERROR(r.U32("iforest.left", &left));
    if (leaf) {
      if (left != 0) return r.Error("iforest.left", where() + "leaf with non-zero left child " + Str(left));
    } else {
      if (left <= i || left >= tree_size - 1) {
        return r.Error("iforest.left", where() + "left child " + Str(left) + " outside (" + Str(i) + ", " +
                                           Str(tree_size - 1) + ")");
      }
      if (parents[left] != 0 || parents[left + 1] != 0) {
        return r.Error("iforest.left", where() + "child " + Str(left) + " already has a parent");
      }
      parents[left] = parents[left + 1] = 1;
      depth[left] = depth[left + 1] = depth[i] + 1;
    }
    f->nodes.push_back({feature, threshold, leaf ? 0 : begin + left, leaf_size});
  }
  if (leaf_total != f->subsample) {
    return r.Error("iforest.leaf_size", "tree " + Str(tree) + ": leaf sizes sum to " + Str(leaf_total) +
                                            ", expected subsample " + Str(f->subsample));
  }
  return Status::OK();
}

}  // namespace

void SaveIForest(const IForest& forest, core::ByteWriter& w) {
  w.U64(forest.dim);
  w.U32(forest.subsample);
  w.U32(forest.height_limit);
  w.U32(static_cast<uint32_t>(forest.trees()));
  w.U64(forest.nodes.size());
  for (size_t t = 0; t < forest.trees(); ++t) w.U32(forest.tree_begin[t + 1] - forest.tree_begin[t]);
  for (size_t t = 0; t < forest.trees(); ++t) {
    const uint32_t begin = forest.tree_begin[t];
    for (uint32_t i = begin; i < forest.tree_begin[t + 1]; ++i) {
      const IForestNode& n = forest.nodes[i];
      const bool leaf = n.leaf_size > 0;
      w.U32(n.leaf_size);
      w.U32(leaf ? 0 : n.feature);
      w.F32(leaf ? 0.0f : n.threshold);
      w.U32(leaf ? 0 : n.left - begin);
    }
  }
}

Status LoadIForest(core::ByteReader& r, IForest* out) {
  IForest f;
  uint64_t dim = 0, total_nodes = 0;
  uint32_t trees = 0;
  VIGIL_RETURN_IF_ERROR(r.U64("iforest.dim", &dim));
  if (dim == 0 || dim > kIForestMaxDim) {
    return r.Error("iforest.dim", "dim " + Str(dim) + " outside [1, " + Str(kIForestMaxDim) + "]");
  }
  f.dim = dim;
  VIGIL_RETURN_IF_ERROR(r.U32("iforest.subsample", &f.subsample));
  if (f.subsample < 2) return r.Error("iforest.subsample", "subsample " + Str(f.subsample) + " < 2");
  VIGIL_RETURN_IF_ERROR(r.U32("iforest.height_limit", &f.height_limit));
  if (f.height_limit != HeightLimit(f.subsample)) {
    return r.Error("iforest.height_limit", "height limit " + Str(f.height_limit) + " != ceil(log2 " +
                                               Str(f.subsample) + ") = " + Str(HeightLimit(f.subsample)));
  }
  VIGIL_RETURN_IF_ERROR(r.U32("iforest.trees", &trees));
  // Each tree needs at least a 4-byte size and one node record.
  if (trees == 0 || trees > r.remaining() / (4 + kNodeRecordBytes)) {
    return r.Error("iforest.trees",
                   Str(trees) + " trees cannot fit in the " + Str(r.remaining()) + " bytes left (or is 0)");
  }
  VIGIL_RETURN_IF_ERROR(r.U64("iforest.nodes", &total_nodes));
  const uint64_t max_tree_nodes = 2 * uint64_t{f.subsample} - 1;
  if (total_nodes < trees || total_nodes > uint64_t{trees} * max_tree_nodes ||
      total_nodes > (uint64_t{1} << 31) ||
      total_nodes > (r.remaining() - 4 * uint64_t{trees}) / kNodeRecordBytes) {
    return r.Error("iforest.nodes", "node count " + Str(total_nodes) + " impossible for " + Str(trees) +
                                        " trees of subsample " + Str(f.subsample) + " in " +
                                        Str(r.remaining()) + " bytes");
  }
  std::vector<uint32_t> sizes(trees);
  uint64_t sum = 0;
  for (uint32_t t = 0; t < trees; ++t) {
    VIGIL_RETURN_IF_ERROR(r.U32("iforest.tree_size", &sizes[t]));
    if (sizes[t] == 0 || sizes[t] > max_tree_nodes || sizes[t] % 2 == 0) {
      return r.Error("iforest.tree_size", "tree " + Str(t) + " has " + Str(sizes[t]) +
                                              " nodes; a full binary tree on subsample " + Str(f.subsample) +
                                              " has an odd count in [1, " + Str(max_tree_nodes) + "]");
    }
    sum += sizes[t];
  }
  if (sum != total_nodes) {
    return r.Error("iforest.tree_size", "tree sizes sum to " + Str(sum) + ", expected " + Str(total_nodes));
  }
  f.nodes.reserve(total_nodes);
  f.tree_begin.reserve(size_t{trees} + 1);
  for (uint32_t t = 0; t < trees; ++t) {
    const uint32_t begin = static_cast<uint32_t>(f.nodes.size());
    f.tree_begin.push_back(begin);
    VIGIL_RETURN_IF_ERROR(LoadTree(r, t, begin, sizes[t], &f));
  }
  f.tree_begin.push_back(static_cast<uint32_t>(f.nodes.size()));
  // The scoring layout grows with the deepest leaf; refuse before allocating it.
  const uint32_t depth = MaxLeafDepth(f);
  if (uint64_t{trees} << (depth + 1) > kIForestMaxCells) {
    return r.Error("iforest.nodes",
                   Str(trees) + " trees of depth " + Str(depth) +
                       " exceed the model size limit (trees x 2^(depth+1) <= " + Str(kIForestMaxCells) + ")");
  }
  FinishIForest(&f);
  *out = std::move(f);
  return Status::OK();
}

}  // namespace vigil::detect
