// Builds an inference nn::Graph from a trained sequential network (net.h), so a trained
// convolutional autoencoder runs on the runtime's packed SIMD kernels.
//
//   VIGIL_ASSIGN_OR_RETURN(nn::Graph g, train::BuildNetGraph(trained.params, {}));
//   VIGIL_RETURN_IF_ERROR(g.Plan(batch));
//   // input 0: batch × input_shape; output 0: batch × 1 reconstruction error per sample.
//
// Dense layers act on the whole sample, so one on a [length, channels] sample is preceded by
// a Reshape to its flat size (a view, no copy). An output of the input's element count but a
// different shape (e.g. a Dense decoder behind a convolutional encoder) is reshaped back to
// the input shape before the error. The graph packs its own copy of the weights, so params
// may be freed after this returns.
#pragma once

#include "nn/graph.h"
#include "nn/ops/ops.h"
#include "nn/train/net.h"
#include "vigil/status.h"

namespace vigil::nn::train {

struct NetGraphOptions {
  // An output of the mean of (input − reconstruction)² per sample: [1] per sample for kPerRow,
  // [channels] per sample for kPerChannel (needs a [length, channels] input).
  bool reconstruction_error = true;
  ReduceAxes error_axes = ReduceAxes::kPerRow;
  // Also (or only) output the network output, after the error output when both are on.
  bool net_output = false;
};

// InvalidArgument from ValidateNetParams; when neither output is requested; when the error is
// requested and the output's element count differs from the input's, or kPerChannel is asked
// of a flat input; or from graph creation (e.g. an activation the runtime lacks).
Result<Graph> BuildNetGraph(const NetParams& params, const NetGraphOptions& options);

}  // namespace vigil::nn::train
