// Internal: isolation forest scoring kernels.
//
//   ScoreIForest(forest, x, rows, scores, nullptr);          // fast path
//   ScoreIForest(forest, x, rows, scores, contrib);          // + per-channel shares
//
// Score s(x) = 2^(−E[h(x)] / c(ψ)) in (0, 1], where h is a tree's adjusted path length
// (splits to the leaf + c(leaf size)) and E the mean over trees. Neither kernel allocates;
// both sum a row's path lengths over trees in tree order in float, so a row's score does not
// depend on which kernel ran or how rows were blocked.
//
// Contributions (definition): a tree whose path isolates x after h splits with adjusted path
// length h_t casts a vote of weight 1/h_t (short path = strong evidence that x is easy to
// isolate), shared equally by the h splits on the path: each split credits 1/(h·h_t) to its
// feature. Channel j's share is its total credit over trees divided by the total over all
// channels. A channel x is extreme in is split on in nearly every short path, so it
// dominates; for ordinary rows credit spreads over all channels. If no tree splits at all
// (every root is a leaf: constant training data) shares are uniform.
#pragma once

#include <cstddef>

#include "detect/iforest_forest.h"

namespace vigil::detect {

// x: rows × forest.dim, row-major, finite. scores: rows. contrib: rows × dim or nullptr.
void ScoreIForest(const IForest& forest, const float* x, size_t rows, float* scores, float* contrib);

// Scores one row by walking the structure (explicit nodes and leaf tests) instead of the
// scoring layout: the reference the fast kernels are tested against, bit for bit.
float ScoreIForestRowReference(const IForest& forest, const float* row);

}  // namespace vigil::detect
