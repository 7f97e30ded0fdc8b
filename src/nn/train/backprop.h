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
// An MLP is a net of Dense layers (net.h), and these passes run the net's (net_backprop.h)
// on a mirror of the weights kept in the workspace, so the MLP trainer and these functions
// compute the same bits. The workspace grows only when a larger batch or model arrives, so a
// training loop allocates during its first step only. Results are deterministic for given
// inputs on a given machine (see net_backprop.h for across machines).
#pragma once

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include "nn/train/mlp.h"
#include "nn/train/net.h"
#include "nn/train/net_backprop.h"

namespace vigil::nn::train {

struct MlpGradients {
  std::vector<std::vector<float>> weights{};  // per layer, out × in
  std::vector<std::vector<float>> bias{};     // per layer, out
};

struct MlpWorkspace {
  NetParams net;  // the MLP as Dense layers; weights copied in by every call
  NetWorkspace net_workspace;
  NetGradients net_gradients;
};

// Mean of (y − target)² over all of y (accumulated in double, in order); when delta is not
// null, also writes dL/dy = 2 (y − target) / N to it. Shared by every loss here so all report
// bit-identical values for the same outputs.
double MeanSquaredError(std::span<const float> y, const float* target, float* delta);

// Constants of kernels::Activation's definitions.
inline constexpr float kLeakySlope = 0.01f;
inline constexpr float kGeluScale = 0.7978845608028654f;  // sqrt(2 / pi)
inline constexpr float kGeluCubic = 0.044715f;

// d activation / d pre-activation, given both the pre-activation z and the output a = act(z).
// Inline so loops over a fixed activation reduce to a few vectorizable operations.
inline float ActivationDerivative(kernels::Activation act, float z, float a) {
  switch (act) {
    case kernels::Activation::kNone:
      return 1.0f;
    case kernels::Activation::kRelu:
      return z > 0.0f ? 1.0f : 0.0f;
    case kernels::Activation::kLeakyRelu:
      return z > 0.0f ? 1.0f : kLeakySlope;
    case kernels::Activation::kTanh:
      return 1.0f - a * a;
    case kernels::Activation::kSigmoid:
      return a * (1.0f - a);
    case kernels::Activation::kGelu: {
      const float t = std::tanh(kGeluScale * (z + kGeluCubic * z * z * z));
      return 0.5f * (1.0f + t) + 0.5f * z * (1.0f - t * t) * kGeluScale * (1.0f + 3.0f * kGeluCubic * z * z);
    }
  }
  return 1.0f;
}

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
