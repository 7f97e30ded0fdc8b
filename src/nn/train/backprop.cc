#include "nn/train/backprop.h"

namespace vigil::nn::train {

namespace {

// Copies the MLP into ws->net as Dense layers: the shapes when they changed, the weights always
// (into the capacity already there, so no allocation once warm).
const NetParams& Mirror(const MlpParams& params, MlpWorkspace* ws) {
  VIGIL_CHECK(!params.layers.empty());
  NetParams& net = ws->net;
  bool same_shapes = net.layers.size() == params.layers.size() && net.input_shape.size() == 1 &&
                     net.input_shape[0] == params.input_dim();
  for (size_t l = 0; same_shapes && l < params.layers.size(); ++l) {
    same_shapes =
        net.layers[l].in_shape[0] == params.layers[l].in && net.layers[l].spec.out == params.layers[l].out;
  }
  if (!same_shapes) {
    net.input_shape = {params.input_dim()};
    net.layers.resize(params.layers.size());
    for (size_t l = 0; l < params.layers.size(); ++l) {
      const DenseLayerParams& layer = params.layers[l];
      VIGIL_CHECK(l == 0 || layer.in == params.layers[l - 1].out);
      NetLayerParams& n = net.layers[l];
      n.spec = LayerSpec{.kind = LayerKind::kDense, .out = layer.out};
      n.in_shape = {layer.in};
      n.out_shape = {layer.out};
    }
  }
  for (size_t l = 0; l < params.layers.size(); ++l) {
    const DenseLayerParams& layer = params.layers[l];
    NetLayerParams& n = net.layers[l];
    n.spec.activation = layer.activation;
    n.weights.assign(layer.weights.begin(), layer.weights.end());
    n.bias.assign(layer.bias.begin(), layer.bias.end());
  }
  return net;
}

}  // namespace

std::span<const float> ForwardMlp(const MlpParams& params, const float* x, size_t batch, MlpWorkspace* ws) {
  return ForwardNet(Mirror(params, ws), x, batch, &ws->net_workspace);
}

double MeanSquaredError(std::span<const float> y, const float* target, float* delta) {
  // dL/dy = 2 (y − target) / N for L = Σ (y − target)² / N.
  const float scale = 2.0f / static_cast<float>(y.size());
  double sum = 0.0;
  for (size_t k = 0; k < y.size(); ++k) {
    const float d = y[k] - target[k];
    sum += static_cast<double>(d) * static_cast<double>(d);
    if (delta != nullptr) delta[k] = scale * d;
  }
  return y.empty() ? 0.0 : sum / static_cast<double>(y.size());
}

double MseLoss(const MlpParams& params, const float* x, const float* target, size_t batch, MlpWorkspace* ws) {
  return MeanSquaredError(ForwardMlp(params, x, batch, ws), target, nullptr);
}

double MseLossAndGradients(const MlpParams& params, const float* x, const float* target, size_t batch,
                           MlpWorkspace* ws, MlpGradients* grads) {
  const double loss =
      NetMseLossAndGradients(Mirror(params, ws), x, target, batch, &ws->net_workspace, &ws->net_gradients);
  const size_t layers = params.layers.size();
  grads->weights.resize(layers);
  grads->bias.resize(layers);
  for (size_t l = 0; l < layers; ++l) {
    const std::vector<float>& w = ws->net_gradients.weights[l];
    const std::vector<float>& b = ws->net_gradients.bias[l];
    grads->weights[l].assign(w.begin(), w.end());
    grads->bias[l].assign(b.begin(), b.end());
  }
  return loss;
}

}  // namespace vigil::nn::train
