// Sequential networks for training: Dense, Conv1D and Upsample1D layers — the description,
// the weights, and a deterministic initialisation. Generalises the MLP of mlp.h to the
// convolutional autoencoders.
//
//   train::NetSpec spec{.input_shape = {64, 8}, .layers = {
//       {.kind = LayerKind::kConv1D, .out = 16, .kernel = 7, .stride = 2, .padding = 3,
//        .activation = kernels::Activation::kRelu},
//       {.kind = LayerKind::kUpsample1D, .factor = 2},
//       {.kind = LayerKind::kConv1D, .out = 8, .kernel = 7, .padding = 3}}};
//   VIGIL_ASSIGN_OR_RETURN(train::NetParams p, train::InitNet(spec, /*seed=*/42));
//
// Shapes are per sample: {features} or {length, channels} (channels-last, as the inference
// graph). Dense acts on the whole sample flattened; Conv1D and Upsample1D need {length,
// channels}. Conv1D weights are [out_channels, kernel, in_channels] row-major (as
// nn::CreateConv1DOp takes them); Dense weights are out × in row-major.
//
// Init: uniform with the He limit sqrt(6 / fan_in) before ReLU-like activations, the Glorot
// limit sqrt(6 / (fan_in + fan_out)) otherwise (fan = kernel · channels for Conv1D); biases
// zero. For Dense-only nets the draws are exactly those of InitMlp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/dense.h"
#include "nn/train/transformer_block.h"
#include "vigil/status.h"

namespace vigil::nn::train {

// Serialized in model files: values fixed forever, append only.
enum class LayerKind : uint32_t {
  kDense = 0,
  kConv1D = 1,
  kUpsample1D = 2,  // nearest-neighbour repeat along the length axis
  // A pre-norm transformer encoder block over [length, channels] (transformer_block.h): out =
  // the MLP's hidden width, kernel = attention heads (dividing channels), activation none; its
  // parameters are one flat vector in `weights` (BlockLayout order), `bias` empty.
  kTransformerBlock = 3,
};

struct LayerSpec {
  LayerKind kind = LayerKind::kDense;
  int64_t out = 0;  // Dense: output features; Conv1D: output channels
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t padding = 0;  // zeros at both ends of the length axis
  int64_t dilation = 1;
  int64_t factor = 2;  // Upsample1D, in [1, 4096] (as the inference op)
  kernels::Activation activation = kernels::Activation::kNone;
};

struct NetSpec {
  std::vector<int64_t> input_shape{};  // per sample
  std::vector<LayerSpec> layers{};
};

struct NetLayerParams {
  LayerSpec spec{};
  std::vector<int64_t> in_shape{};
  std::vector<int64_t> out_shape{};
  std::vector<float> weights{};  // empty for Upsample1D
  std::vector<float> bias{};
};

struct NetParams {
  std::vector<int64_t> input_shape{};
  std::vector<NetLayerParams> layers{};

  const std::vector<int64_t>& output_shape() const {
    return layers.empty() ? input_shape : layers.back().out_shape;
  }
  int64_t NumParameters() const;
};

// Elements of a per-sample shape.
int64_t ShapeElements(const std::vector<int64_t>& shape);
// "[64,8]", for messages.
std::string ShapeText(const std::vector<int64_t>& shape);

// Output shape of one layer for an input shape, or InvalidArgument naming the layer index and
// the field that does not fit (bad sizes, Conv1D/Upsample1D on a flat sample, kernel longer
// than the padded input, activation out of range, sizes above 2^24).
Result<std::vector<int64_t>> LayerOutputShape(const LayerSpec& layer, const std::vector<int64_t>& in_shape,
                                              size_t index);

// Every layer chains from the input shape (rank 1 or 2, dims in [1, 2^24]); at least one layer.
Status ValidateNetSpec(const NetSpec& spec);
// Also checks the stored shapes and the weight and bias sizes.
Status ValidateNetParams(const NetParams& params);

Result<NetParams> InitNet(const NetSpec& spec, uint64_t seed);

// The block of a kTransformerBlock layer on a [length, channels] input.
BlockSpec BlockSpecOf(const LayerSpec& layer, const std::vector<int64_t>& in_shape);

}  // namespace vigil::nn::train
