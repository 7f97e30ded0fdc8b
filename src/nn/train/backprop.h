// Forward and reverse-mode passes of an MLP on one mini-batch, with mean squared error loss.
//
//   train::MlpWorkspace ws;
//   train::MlpGradients grads;
//   double loss = train::MseLossAndGradients(params, x, target, batch, &ws, &grads);
//   // grads.weights[l] is shaped like params.layers[l].weights (out × in), same for bias.
//
// Loss = Σ (y − target)² / (batch · output_dim): the mean over samples and features, the same
// per-element average the inference graph's ReduceMeanSquaredError reports per row.
//
// The workspace keeps every layer's pre- and post-activation and grows only when a larger
// batch or model arrives, so a training loop allocates during its first step only. Results
// are deterministic for given inputs: fixed loop orders, no threads, no FMA contraction
// assumptions beyond what the compiler does for the whole library.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "nn/train/mlp.h"

namespace vigil::nn::train {

struct MlpGradients {
  std::vector<std::vector<float>> weights{};  // per layer, out × in
  std::vector<std::vector<float>> bias{};     // per layer, out
};

struct MlpWorkspace {
  std::vector<std::vector<float>> pre;         // per layer: batch × out, before the activation
  std::vector<std::vector<float>> post;        // per layer: batch × out, after it
  std::vector<std::vector<float>> transposed;  // per layer: in × out copy of the weights
  std::vector<float> delta;                    // batch × widest layer
  std::vector<float> delta_prev;               // batch × widest layer
};

// Mean of (y − target)² over all of y (accumulated in double, in order); when delta is not
// null, also writes dL/dy = 2 (y − target) / N to it. Shared by every loss here so all report
// bit-identical values for the same outputs.
double MeanSquaredError(std::span<const float> y, const float* target, float* delta);

// d activation / d pre-activation, given both the pre-activation z and the output a = act(z).
float ActivationDerivative(kernels::Activation act, float z, float a);

// Runs the MLP on `batch` rows of x (batch × input_dim, row-major) and returns the output rows
// (batch × output_dim), valid until the workspace is used again. params must pass
// ValidateMlpParams (VIGIL_CHECK on chaining only; callers validate once up front).
std::span<const float> ForwardMlp(const MlpParams& params, const float* x, size_t batch, MlpWorkspace* ws);

// Mean squared error of the MLP output on x against target (batch × output_dim), without
// gradients.
double MseLoss(const MlpParams& params, const float* x, const float* target, size_t batch, MlpWorkspace* ws);

// Forward, loss and the gradient of the loss with respect to every weight and bias (grads is
// resized and overwritten). Returns the loss.
double MseLossAndGradients(const MlpParams& params, const float* x, const float* target, size_t batch,
                           MlpWorkspace* ws, MlpGradients* grads);

}  // namespace vigil::nn::train
