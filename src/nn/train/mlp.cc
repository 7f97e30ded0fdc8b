#include "nn/train/mlp.h"

#include <cmath>
#include <string>

#include "nn/ops/ops.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {

namespace {

// Keeps out × in products far from int64 overflow and allocations sane.
constexpr int64_t kMaxDim = int64_t{1} << 24;

Status CheckDim(const std::string& field, int64_t dim) {
  if (dim < 1 || dim > kMaxDim) {
    return Status::InvalidArgument("MlpSpec." + field + " = " + std::to_string(dim) + " must be in [1, " +
                                   std::to_string(kMaxDim) + "]");
  }
  return Status::OK();
}

bool IsReluLike(kernels::Activation act) {
  return act == kernels::Activation::kRelu || act == kernels::Activation::kLeakyRelu ||
         act == kernels::Activation::kGelu;
}

}  // namespace

int64_t MlpParams::NumParameters() const {
  int64_t n = 0;
  for (const DenseLayerParams& layer : layers) n += layer.in * layer.out + layer.out;
  return n;
}

Status ValidateMlpSpec(const MlpSpec& spec) {
  VIGIL_RETURN_IF_ERROR(CheckDim("input_dim", spec.input_dim));
  for (size_t i = 0; i < spec.hidden.size(); ++i) {
    VIGIL_RETURN_IF_ERROR(CheckDim("hidden[" + std::to_string(i) + "]", spec.hidden[i]));
  }
  VIGIL_RETURN_IF_ERROR(CheckDim("output_dim", spec.output_dim));
  Status s = CheckActivation(spec.activation);
  if (!s.ok()) return Status::InvalidArgument("MlpSpec.activation: " + s.message());
  s = CheckActivation(spec.output_activation);
  if (!s.ok()) return Status::InvalidArgument("MlpSpec.output_activation: " + s.message());
  return Status::OK();
}

Status ValidateMlpParams(const MlpParams& params) {
  if (params.layers.empty()) return Status::InvalidArgument("MlpParams has no layers");
  for (size_t i = 0; i < params.layers.size(); ++i) {
    const DenseLayerParams& layer = params.layers[i];
    const std::string where = "MlpParams layer " + std::to_string(i) + ": ";
    if (layer.in < 1 || layer.out < 1 || layer.in > kMaxDim || layer.out > kMaxDim) {
      return Status::InvalidArgument(where + "dims " + std::to_string(layer.in) + " -> " +
                                     std::to_string(layer.out) + " must be in [1, " +
                                     std::to_string(kMaxDim) + "]");
    }
    if (i > 0 && layer.in != params.layers[i - 1].out) {
      return Status::InvalidArgument(where + "in = " + std::to_string(layer.in) + " but layer " +
                                     std::to_string(i - 1) +
                                     " has out = " + std::to_string(params.layers[i - 1].out));
    }
    if (static_cast<int64_t>(layer.weights.size()) != layer.in * layer.out) {
      return Status::InvalidArgument(where + "weights has " + std::to_string(layer.weights.size()) +
                                     " values, expected out × in = " + std::to_string(layer.in * layer.out));
    }
    if (static_cast<int64_t>(layer.bias.size()) != layer.out) {
      return Status::InvalidArgument(where + "bias has " + std::to_string(layer.bias.size()) +
                                     " values, expected " + std::to_string(layer.out));
    }
    Status s = CheckActivation(layer.activation);
    if (!s.ok()) return Status::InvalidArgument(where + s.message());
  }
  return Status::OK();
}

Result<MlpParams> InitMlp(const MlpSpec& spec, uint64_t seed) {
  VIGIL_RETURN_IF_ERROR(ValidateMlpSpec(spec));
  std::vector<int64_t> dims;
  dims.push_back(spec.input_dim);
  dims.insert(dims.end(), spec.hidden.begin(), spec.hidden.end());
  dims.push_back(spec.output_dim);

  Prng rng(seed);
  MlpParams params;
  for (size_t l = 0; l + 1 < dims.size(); ++l) {
    DenseLayerParams layer;
    layer.in = dims[l];
    layer.out = dims[l + 1];
    layer.activation = l + 2 == dims.size() ? spec.output_activation : spec.activation;
    // He limit sqrt(6 / fan_in) keeps ReLU-like activations' variance; Glorot limit
    // sqrt(6 / (fan_in + fan_out)) suits saturating and linear layers.
    const double fans = IsReluLike(layer.activation) ? static_cast<double>(layer.in)
                                                     : static_cast<double>(layer.in + layer.out);
    const float limit = static_cast<float>(std::sqrt(6.0 / fans));
    layer.weights.resize(static_cast<size_t>(layer.in * layer.out));
    for (float& w : layer.weights) w = (2.0f * rng.NextFloat() - 1.0f) * limit;
    layer.bias.assign(static_cast<size_t>(layer.out), 0.0f);
    params.layers.push_back(std::move(layer));
  }
  return params;
}

}  // namespace vigil::nn::train
