// Internal: isolation forest (de)serialization.
//
//   SaveIForest(forest, w);
//   IForest f;  VIGIL_RETURN_IF_ERROR(LoadIForest(r, &f));
//
// Payload (little-endian, widths fixed):
//   u64 dim, u32 subsample ψ, u32 height_limit, u32 trees, u64 nodes,
//   u32 node count of each tree,
//   per node, trees in order, each tree breadth-first from its root, 16 bytes:
//     u32 leaf_size (0 = split node), u32 feature, f32 threshold, u32 left child
//     (index within the tree; right = left + 1). Leaves store feature, threshold, left as 0.
// Only structure is stored; path lengths are recomputed, so a loaded forest scores exactly
// like the saved one and saving it again yields the same bytes.
//
// LoadIForest checks everything a hostile file could break and reports Corruption with the
// field and byte offset: dim in [1, kIForestMaxDim], ψ >= 2, height_limit = ceil(log2 ψ), sizes that fit
// the remaining bytes, feature < dim, finite thresholds, children inside the tree and after
// their parent (so no cycles), every non-root node the child of exactly one node, depth <=
// height_limit, leaf sizes summing to ψ per tree, canonical zero fields in leaves, and
// trees × 2^(deepest leaf + 1) <= kIForestMaxCells (the scoring layout is allocated from it).
#pragma once

#include "core/byte_io.h"
#include "detect/iforest_forest.h"

namespace vigil::detect {

void SaveIForest(const IForest& forest, core::ByteWriter& w);
// On error *out is left in an unspecified but destructible state.
Status LoadIForest(core::ByteReader& r, IForest* out);

}  // namespace vigil::detect
