#include "nn/train/adam.h"

#include <cmath>
#include <string>

namespace vigil::nn::train {

Status ValidateAdamOptions(const AdamOptions& options) {
  if (!std::isfinite(options.learning_rate) || options.learning_rate <= 0.0f) {
    return Status::InvalidArgument("learning_rate = " + std::to_string(options.learning_rate) +
                                   " must be finite and > 0");
  }
  if (!(options.beta1 >= 0.0f && options.beta1 < 1.0f)) {
    return Status::InvalidArgument("beta1 = " + std::to_string(options.beta1) + " must be in [0, 1)");
  }
  if (!(options.beta2 >= 0.0f && options.beta2 < 1.0f)) {
    return Status::InvalidArgument("beta2 = " + std::to_string(options.beta2) + " must be in [0, 1)");
  }
  if (!std::isfinite(options.epsilon) || options.epsilon <= 0.0f) {
    return Status::InvalidArgument("epsilon = " + std::to_string(options.epsilon) +
                                   " must be finite and > 0");
  }
  return Status::OK();
}

namespace {
std::vector<size_t> MlpSizes(const MlpParams& params) {
  std::vector<size_t> sizes;
  for (const DenseLayerParams& layer : params.layers) {
    sizes.push_back(layer.weights.size());
    sizes.push_back(layer.bias.size());
  }
  return sizes;
}
}  // namespace

Adam::Adam(const MlpParams& params, AdamOptions options) : Adam(MlpSizes(params), options) {}

Adam::Adam(const std::vector<size_t>& sizes, AdamOptions options) : options_(options) {
  for (size_t n : sizes) moments_.push_back({std::vector<float>(n), std::vector<float>(n)});
}

void Adam::Update(const std::vector<float>& grad, Moments* moments, std::vector<float>* param) const {
  VIGIL_CHECK(grad.size() == param->size() && moments->m.size() == param->size());
  const float b1 = options_.beta1;
  const float b2 = options_.beta2;
  const float eps = options_.epsilon;
  float* m = moments->m.data();
  float* v = moments->v.data();
  float* p = param->data();
  for (size_t k = 0; k < grad.size(); ++k) {
    const float g = grad[k];
    m[k] = b1 * m[k] + (1.0f - b1) * g;
    v[k] = b2 * v[k] + (1.0f - b2) * g * g;
    p[k] -= step_size_ * m[k] / (std::sqrt(v[k] * second_correction_) + eps);
  }
}

void Adam::Step(const MlpGradients& grads, MlpParams* params) {
  VIGIL_CHECK(grads.weights.size() == params->layers.size() && grads.bias.size() == params->layers.size());
  std::vector<const std::vector<float>*> g;
  std::vector<std::vector<float>*> p;
  for (size_t l = 0; l < params->layers.size(); ++l) {
    g.push_back(&grads.weights[l]);
    g.push_back(&grads.bias[l]);
    p.push_back(&params->layers[l].weights);
    p.push_back(&params->layers[l].bias);
  }
  Step(g, p);
}

void Adam::Step(std::span<const std::vector<float>* const> grads,
                std::span<std::vector<float>* const> params) {
  VIGIL_CHECK(grads.size() == moments_.size() && params.size() == moments_.size());
  ++steps_;
  beta1_power_ *= static_cast<double>(options_.beta1);
  beta2_power_ *= static_cast<double>(options_.beta2);
  step_size_ = static_cast<float>(static_cast<double>(options_.learning_rate) / (1.0 - beta1_power_));
  second_correction_ = static_cast<float>(1.0 / (1.0 - beta2_power_));
  for (size_t i = 0; i < moments_.size(); ++i) Update(*grads[i], &moments_[i], params[i]);
}

}  // namespace vigil::nn::train
