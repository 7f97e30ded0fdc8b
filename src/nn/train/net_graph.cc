#include "nn/train/net_graph.h"

#include <string>

namespace vigil::nn::train {

Result<Graph> BuildNetGraph(const NetParams& params, const NetGraphOptions& options) {
  VIGIL_RETURN_IF_ERROR(ValidateNetParams(params));
  if (!options.reconstruction_error && !options.net_output) {
    return Status::InvalidArgument("NetGraphOptions requests no output");
  }
  const std::vector<int64_t>& in_shape = params.input_shape;
  const std::vector<int64_t>& out_shape = params.output_shape();
  if (options.reconstruction_error) {
    if (ShapeElements(out_shape) != ShapeElements(in_shape)) {
      return Status::InvalidArgument("reconstruction error needs as many outputs as inputs, got input " +
                                     ShapeText(in_shape) + " and output " + ShapeText(out_shape));
    }
    if (options.error_axes == ReduceAxes::kPerChannel && in_shape.size() != 2) {
      return Status::InvalidArgument(
          "per-channel reconstruction error needs a [length, channels] input, got " + ShapeText(in_shape));
    }
  }

  GraphBuilder b;
  const ValueId input = b.AddInput(in_shape);
  ValueId v = input;
  for (const NetLayerParams& l : params.layers) {
    switch (l.spec.kind) {
      case LayerKind::kDense: {
        const int64_t in = ShapeElements(l.in_shape);
        if (l.in_shape.size() != 1) v = b.AddReshape(v, {in});
        v = b.AddDense(v, in, l.spec.out, l.weights, l.bias, l.spec.activation);
        break;
      }
      case LayerKind::kConv1D: {
        const Conv1DParams conv{.in_channels = l.in_shape[1],
                                .out_channels = l.spec.out,
                                .kernel = l.spec.kernel,
                                .stride = l.spec.stride,
                                .padding = l.spec.padding,
                                .dilation = l.spec.dilation};
        v = b.AddConv1D(v, conv, l.weights, l.bias, l.spec.activation);
        break;
      }
      case LayerKind::kUpsample1D:
        v = b.AddUpsample1D(v, l.spec.factor);
        if (l.spec.activation != kernels::Activation::kNone) v = b.AddActivation(v, l.spec.activation);
        break;
      case LayerKind::kTransformerBlock: {
        const BlockSpec s = BlockSpecOf(l.spec, l.in_shape);
        v = b.AddTransformerBlock(v, {s.dim, s.heads, s.hidden, l.in_shape[0], s.ln_eps}, l.weights);
        break;
      }
    }
  }
  if (options.reconstruction_error) {
    const ValueId reconstruction = out_shape == in_shape ? v : b.AddReshape(v, in_shape);
    b.MarkOutput(b.AddReduceMeanSquaredError(input, reconstruction, options.error_axes));
  }
  if (options.net_output) b.MarkOutput(v);
  return std::move(b).Create();
}

}  // namespace vigil::nn::train
