#include "nn/train/mlp_graph.h"

#include <string>

namespace vigil::nn::train {

Result<Graph> BuildMlpGraph(const MlpParams& params, const MlpGraphOptions& options) {
  VIGIL_RETURN_IF_ERROR(ValidateMlpParams(params));
  if (!options.reconstruction_error && !options.mlp_output) {
    return Status::InvalidArgument("MlpGraphOptions requests no output");
  }
  if (options.reconstruction_error && params.input_dim() != params.output_dim()) {
    return Status::InvalidArgument("reconstruction error needs input_dim == output_dim, got " +
                                   std::to_string(params.input_dim()) + " and " +
                                   std::to_string(params.output_dim()));
  }
  GraphBuilder builder;
  const ValueId input = builder.AddInput({params.input_dim()});
  ValueId v = input;
  for (const DenseLayerParams& layer : params.layers) {
    v = builder.AddDense(v, layer.in, layer.out, layer.weights, layer.bias, layer.activation);
  }
  if (options.reconstruction_error)
    builder.MarkOutput(builder.AddReduceMeanSquaredError(input, v, ReduceAxes::kPerRow));
  if (options.mlp_output) builder.MarkOutput(v);
  return std::move(builder).Create();
}

}  // namespace vigil::nn::train
