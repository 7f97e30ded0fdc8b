// Adam (Kingma & Ba, 2015) with bias-corrected moments, over an MLP's weights and biases.
//
//   train::Adam adam(params, {.learning_rate = 1e-3f});
//   for (...) { MseLossAndGradients(params, ..., &grads); adam.Step(grads, &params); }
//
// Per parameter, at step t (from 1):
//   m = β1·m + (1 − β1)·g        v = β2·v + (1 − β2)·g²
//   p -= lr · (m / (1 − β1^t)) / (sqrt(v / (1 − β2^t)) + ε)
// β^t is kept as a running double product rather than pow(), so the update is the same on
// every platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "nn/train/backprop.h"
#include "nn/train/mlp.h"

namespace vigil::nn::train {

struct AdamOptions {
  float learning_rate = 1e-3f;
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float epsilon = 1e-8f;
};

// InvalidArgument naming the field: learning_rate must be finite and > 0, betas in [0, 1),
// epsilon finite and > 0.
Status ValidateAdamOptions(const AdamOptions& options);

class Adam {
 public:
  // Zero moments shaped like params. Options are assumed valid (see ValidateAdamOptions).
  Adam(const MlpParams& params, AdamOptions options);
  // Zero moments for a list of parameter tensors of the given sizes (any network).
  Adam(const std::vector<size_t>& sizes, AdamOptions options);

  // One update of every weight and bias. grads must be shaped like the params given at
  // construction (VIGIL_CHECK).
  void Step(const MlpGradients& grads, MlpParams* params);
  // One update of every tensor: grads[i] and params[i] have sizes[i] values (VIGIL_CHECK).
  void Step(std::span<const std::vector<float>* const> grads, std::span<std::vector<float>* const> params);

  int64_t steps() const { return steps_; }

 private:
  struct Moments {
    std::vector<float> m;
    std::vector<float> v;
  };
  void Update(const std::vector<float>& grad, Moments* moments, std::vector<float>* param) const;

  AdamOptions options_;
  std::vector<Moments> moments_;  // per tensor (MLP: weights then bias of each layer)
  int64_t steps_ = 0;
  double beta1_power_ = 1.0;  // β1^t
  double beta2_power_ = 1.0;  // β2^t
  // Set by Step for Update: lr / (1 − β1^t) and 1 / (1 − β2^t).
  float step_size_ = 0.0f;
  float second_correction_ = 0.0f;
};

}  // namespace vigil::nn::train
