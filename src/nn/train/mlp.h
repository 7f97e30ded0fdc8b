// Multi-layer perceptrons (stacks of Dense layers) for training: the shape, the weights, and
// a deterministic initialisation.
//
//   train::MlpSpec spec{.input_dim = 8, .hidden = {16, 2, 16}, .output_dim = 8};
//   VIGIL_ASSIGN_OR_RETURN(train::MlpParams p, train::InitMlp(spec, /*seed=*/42));
//   // p.layers[0].weights is 16 × 8 row-major (out × in), as nn::GraphBuilder::AddDense takes.
//
// Init draws every weight uniformly with the Glorot/Xavier limit sqrt(6 / (fan_in + fan_out))
// for tanh, sigmoid and linear layers and the He limit sqrt(6 / fan_in) for ReLU-like layers;
// biases start at zero. Only integer arithmetic, an exact int → float conversion and sqrt
// (correctly rounded by IEEE 754) are involved, so a seed gives the same bits everywhere.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/dense.h"
#include "vigil/status.h"

namespace vigil::nn::train {

struct MlpSpec {
  int64_t input_dim = 0;
  std::vector<int64_t> hidden{};  // sizes of the hidden layers, input side first
  int64_t output_dim = 0;
  kernels::Activation activation = kernels::Activation::kRelu;  // after every hidden layer
  kernels::Activation output_activation = kernels::Activation::kNone;
};

struct DenseLayerParams {
  int64_t in = 0;
  int64_t out = 0;
  std::vector<float> weights{};  // out × in, row-major
  std::vector<float> bias{};     // out
  kernels::Activation activation = kernels::Activation::kNone;
};

struct MlpParams {
  std::vector<DenseLayerParams> layers{};  // input side first

  int64_t input_dim() const { return layers.empty() ? 0 : layers.front().in; }
  int64_t output_dim() const { return layers.empty() ? 0 : layers.back().out; }
  // Weights plus biases over every layer.
  int64_t NumParameters() const;
};

// InvalidArgument naming the field for dims < 1, dims above 2^24, or an activation outside
// kernels::Activation.
Status ValidateMlpSpec(const MlpSpec& spec);

// InvalidArgument naming the layer when the layers do not chain (layer i's out != layer i+1's
// in), a weight or bias vector has the wrong length, or there are no layers.
Status ValidateMlpParams(const MlpParams& params);

Result<MlpParams> InitMlp(const MlpSpec& spec, uint64_t seed);

}  // namespace vigil::nn::train
