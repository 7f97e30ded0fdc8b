// Builds an inference nn::Graph from trained MLP weights, so a trained autoencoder runs on the
// runtime's packed SIMD kernels.
//
//   VIGIL_ASSIGN_OR_RETURN(nn::Graph g, train::BuildMlpGraph(params, {}));
//   VIGIL_RETURN_IF_ERROR(g.Plan(batch));
//   // input 0: batch × input_dim; output 0: batch × 1 reconstruction error per row.
//
// The graph copies (packs) the weights, so params may be freed after this returns.
#pragma once

#include "nn/graph.h"
#include "nn/train/mlp.h"
#include "vigil/status.h"

namespace vigil::nn::train {

struct MlpGraphOptions {
  // Output 0 = mean over features of (input − output)² per row; needs input_dim == output_dim.
  bool reconstruction_error = true;
  // Also (or only) output the MLP output rows, after the error output when both are on.
  bool mlp_output = false;
};

// InvalidArgument from ValidateMlpParams, when neither output is requested, or when the
// reconstruction error is requested and input_dim != output_dim.
Result<Graph> BuildMlpGraph(const MlpParams& params, const MlpGraphOptions& options);

}  // namespace vigil::nn::train
