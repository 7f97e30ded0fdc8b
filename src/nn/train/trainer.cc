#include "nn/train/trainer.h"

#include <string>

#include "nn/train/net_trainer.h"

namespace vigil::nn::train {

Result<TrainResult> Train(const MlpSpec& spec, std::span<const float> data, int64_t rows, int64_t dim,
                          const TrainOptions& options) {
  VIGIL_RETURN_IF_ERROR(ValidateMlpSpec(spec));
  if (spec.input_dim != dim || spec.output_dim != dim) {
    return Status::InvalidArgument("autoencoder spec input_dim = " + std::to_string(spec.input_dim) +
                                   " and output_dim = " + std::to_string(spec.output_dim) +
                                   " must both equal the data dim " + std::to_string(dim));
  }
  // An MLP is a net of Dense layers over a flat sample; InitNet draws its weights exactly as
  // InitMlp does.
  NetSpec net{.input_shape = {dim}, .layers = {}};
  for (size_t l = 0; l <= spec.hidden.size(); ++l) {
    LayerSpec layer;
    layer.kind = LayerKind::kDense;
    layer.out = l < spec.hidden.size() ? spec.hidden[l] : spec.output_dim;
    layer.activation = l < spec.hidden.size() ? spec.activation : spec.output_activation;
    net.layers.push_back(layer);
  }
  VIGIL_ASSIGN_OR_RETURN(NetTrainResult trained, TrainNet(net, data, rows, options));
  TrainResult result;
  for (const NetLayerParams& l : trained.params.layers) {
    result.params.layers.push_back({.in = l.in_shape[0],
                                    .out = l.spec.out,
                                    .weights = l.weights,
                                    .bias = l.bias,
                                    .activation = l.spec.activation});
  }
  result.history = std::move(trained.history);
  result.best_epoch = trained.best_epoch;
  result.stopped_early = trained.stopped_early;
  return result;
}

}  // namespace vigil::nn::train
