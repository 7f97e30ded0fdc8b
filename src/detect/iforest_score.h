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
// Contributions (definition): a split on x's path that sends x from a node holding n training
// rows to a child holding m gains log2(n/m) bits of isolation; summed along the path the
// bits are log2(ψ / leaf rows), so they split the isolation a tree achieved exactly among its
// splits. Each split credits its bits × 1/h_t(x) to its feature, where h_t(x) is the tree's
// adjusted path length (short path = strong evidence that x is easy to isolate). Channel j's
// share is its total credit over trees divided by the total over all channels. A split that
// cuts x away from most of the node (x in a sparse tail of that channel) earns many bits, so
// the channel x is extreme in dominates; for ordinary rows credit spreads over the channels.
// If no tree splits at all (every root is a leaf: constant training data) shares are uniform.
#pragma once

#include <cstddef>

#include "detect/iforest_forest.h"

namespace vigil::detect {

// x: rows × forest.dim, row-major, finite. scores: rows. contrib: rows × dim or nullptr.
void ScoreIForest(const IForest& forest, const float* x, size_t rows, float* scores, float* contrib);

// ScoreIForest without contributions and without the x86-64 assembly step: the kernel other
// targets run. Bit-identical to ScoreIForest; exposed so tests cover it on every target.
void ScoreIForestPortable(const IForest& forest, const float* x, size_t rows, float* scores);
// Whether ScoreIForest uses the x86-64 assembly step on this build.
bool IForestUsesAsmStep();

// Scores one row by walking the structure (explicit nodes and leaf tests) instead of the
// scoring layout: the reference the fast kernels are tested against, bit for bit.
float ScoreIForestRowReference(const IForest& forest, const float* row);

}  // namespace vigil::detect
