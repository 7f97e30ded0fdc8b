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

Adam::Adam(const MlpParams& params, AdamOptions options) : options_(options) {
  for (const DenseLayerParams& layer : params.layers) {
    weight_moments_.push_back(
        {std::vector<float>(layer.weights.size()), std::vector<float>(layer.weights.size())});
    bias_moments_.push_back({std::vector<float>(layer.bias.size()), std::vector<float>(layer.bias.size())});
  }
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
  VIGIL_CHECK(params->layers.size() == weight_moments_.size());
  VIGIL_CHECK(grads.weights.size() == weight_moments_.size() && grads.bias.size() == bias_moments_.size());
  ++steps_;
  beta1_power_ *= static_cast<double>(options_.beta1);
  beta2_power_ *= static_cast<double>(options_.beta2);
  step_size_ = static_cast<float>(static_cast<double>(options_.learning_rate) / (1.0 - beta1_power_));
  second_correction_ = static_cast<float>(1.0 / (1.0 - beta2_power_));
  for (size_t l = 0; l < params->layers.size(); ++l) {
    Update(grads.weights[l], &weight_moments_[l], &params->layers[l].weights);
    Update(grads.bias[l], &bias_moments_[l], &params->layers[l].bias);
  }
}

}  // namespace vigil::nn::train
