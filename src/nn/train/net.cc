#include "nn/train/net.h"

#include <cmath>
#include <string>

#include "nn/ops/ops.h"
#include "nn/train/prng.h"
#include "nn/train/transformer_block.h"

namespace vigil::nn::train {
namespace {

constexpr int64_t kMaxDim = int64_t{1} << 24;
// As nn::CreateUpsample1DOp, so every trainable net exports to the inference graph.
constexpr int64_t kMaxFactor = 4096;
// Weights of one layer (1 GiB of floats): far beyond any detector, keeps allocations sane.
constexpr int64_t kMaxWeights = int64_t{1} << 28;

bool IsReluLike(kernels::Activation act) {
  return act == kernels::Activation::kRelu || act == kernels::Activation::kLeakyRelu ||
         act == kernels::Activation::kGelu;
}

Status Bad(size_t index, const std::string& what) {
  return Status::InvalidArgument("layer " + std::to_string(index) + ": " + what);
}

Status InRange(size_t index, const char* field, int64_t v, int64_t lo) {
  if (v < lo || v > kMaxDim) {
    return Bad(index, std::string(field) + " = " + std::to_string(v) + " must be in [" + std::to_string(lo) +
                          ", " + std::to_string(kMaxDim) + "]");
  }
  return Status::OK();
}

// Weights of a Dense or Conv1D layer: out × fan_in.
int64_t FanIn(const LayerSpec& l, const std::vector<int64_t>& in_shape) {
  return l.kind == LayerKind::kConv1D ? l.kernel * in_shape[1] : ShapeElements(in_shape);
}

}  // namespace

BlockSpec BlockSpecOf(const LayerSpec& layer, const std::vector<int64_t>& in_shape) {
  return BlockSpec{.dim = in_shape[1], .heads = layer.kernel, .hidden = layer.out, .ln_eps = 1e-5f};
}

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

int64_t ShapeElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t NetParams::NumParameters() const {
  int64_t n = 0;
  for (const auto& l : layers) n += static_cast<int64_t>(l.weights.size() + l.bias.size());
  return n;
}

Result<std::vector<int64_t>> LayerOutputShape(const LayerSpec& l, const std::vector<int64_t>& in,
                                              size_t index) {
  Status act = CheckActivation(l.activation);
  if (!act.ok()) return Bad(index, act.message());
  std::vector<int64_t> out;
  switch (l.kind) {
    case LayerKind::kDense:
      VIGIL_RETURN_IF_ERROR(InRange(index, "out", l.out, 1));
      out = {l.out};
      break;
    case LayerKind::kConv1D: {
      if (in.size() != 2) return Bad(index, "Conv1D needs a [length, channels] input, got " + ShapeText(in));
      VIGIL_RETURN_IF_ERROR(InRange(index, "out", l.out, 1));
      VIGIL_RETURN_IF_ERROR(InRange(index, "kernel", l.kernel, 1));
      VIGIL_RETURN_IF_ERROR(InRange(index, "stride", l.stride, 1));
      VIGIL_RETURN_IF_ERROR(InRange(index, "padding", l.padding, 0));
      VIGIL_RETURN_IF_ERROR(InRange(index, "dilation", l.dilation, 1));
      const int64_t span = l.dilation * (l.kernel - 1) + 1;
      const int64_t padded = in[0] + 2 * l.padding;
      if (padded < span) {
        return Bad(index, "kernel span " + std::to_string(span) + " exceeds the padded input length " +
                              std::to_string(padded));
      }
      out = {(padded - span) / l.stride + 1, l.out};
      break;
    }
    case LayerKind::kUpsample1D:
      if (in.size() != 2)
        return Bad(index, "Upsample1D needs a [length, channels] input, got " + ShapeText(in));
      if (l.factor < 1 || l.factor > kMaxFactor) {
        return Bad(index, "factor = " + std::to_string(l.factor) + " must be in [1, " +
                              std::to_string(kMaxFactor) + "]");
      }
      out = {in[0] * l.factor, in[1]};
      break;
    case LayerKind::kTransformerBlock:
      if (in.size() != 2) return Bad(index, "TransformerBlock needs a [length, channels] input, got " + ShapeText(in));
      VIGIL_RETURN_IF_ERROR(InRange(index, "out (MLP width)", l.out, 1));
      if (l.kernel < 1 || in[1] % l.kernel != 0) {
        return Bad(index, "kernel (heads) = " + std::to_string(l.kernel) + " must divide the " +
                              std::to_string(in[1]) + " channels");
      }
      if (l.activation != kernels::Activation::kNone) return Bad(index, "TransformerBlock takes no activation");
      if (in[0] > 4096) return Bad(index, "TransformerBlock length " + std::to_string(in[0]) + " exceeds 4096");
      if (in[1] > 4096 || l.out > 16384) return Bad(index, "TransformerBlock width out of range");
      out = in;
      break;
    default:
      return Bad(index, "unknown kind " + std::to_string(static_cast<uint32_t>(l.kind)));
  }
  if (ShapeElements(out) > kMaxDim) return Bad(index, "output " + ShapeText(out) + " is too large");
  if (l.kind == LayerKind::kDense || l.kind == LayerKind::kConv1D) {
    // fan_in stays below 2^50 (kernel < 3 · 2^24, channels <= 2^24); divide, never multiply.
    if (FanIn(l, in) > kMaxWeights / l.out) {
      return Bad(index, std::to_string(l.out) + " × " + std::to_string(FanIn(l, in)) + " weights exceed " +
                            std::to_string(kMaxWeights));
    }
  }
  return out;
}

Status ValidateNetSpec(const NetSpec& spec) {
  if (spec.input_shape.empty() || spec.input_shape.size() > 2) {
    return Status::InvalidArgument("input_shape " + ShapeText(spec.input_shape) + " must have 1 or 2 dims");
  }
  for (int64_t d : spec.input_shape) {
    if (d < 1 || d > kMaxDim) {
      return Status::InvalidArgument("input_shape " + ShapeText(spec.input_shape) + " dims must be in [1, " +
                                     std::to_string(kMaxDim) + "]");
    }
  }
  if (ShapeElements(spec.input_shape) > kMaxDim) return Status::InvalidArgument("input_shape is too large");
  if (spec.layers.empty()) return Status::InvalidArgument("the network has no layers");
  std::vector<int64_t> shape = spec.input_shape;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    VIGIL_ASSIGN_OR_RETURN(shape, LayerOutputShape(spec.layers[i], shape, i));
  }
  return Status::OK();
}

Status ValidateNetParams(const NetParams& params) {
  NetSpec spec{.input_shape = params.input_shape, .layers = {}};
  for (const auto& l : params.layers) spec.layers.push_back(l.spec);
  VIGIL_RETURN_IF_ERROR(ValidateNetSpec(spec));
  std::vector<int64_t> shape = params.input_shape;
  for (size_t i = 0; i < params.layers.size(); ++i) {
    const NetLayerParams& l = params.layers[i];
    if (l.in_shape != shape)
      return Bad(i, "in_shape " + ShapeText(l.in_shape) + " but the previous output is " + ShapeText(shape));
    VIGIL_ASSIGN_OR_RETURN(shape, LayerOutputShape(l.spec, shape, i));
    if (l.out_shape != shape)
      return Bad(i, "out_shape " + ShapeText(l.out_shape) + ", expected " + ShapeText(shape));
    const bool block = l.spec.kind == LayerKind::kTransformerBlock;
    const bool has_weights = l.spec.kind == LayerKind::kDense || l.spec.kind == LayerKind::kConv1D;
    const size_t n_w = block         ? static_cast<size_t>(BlockLayout(BlockSpecOf(l.spec, l.in_shape)).size)
                       : has_weights ? static_cast<size_t>(l.spec.out * FanIn(l.spec, l.in_shape))
                                     : 0;
    const size_t n_b = has_weights ? static_cast<size_t>(l.spec.out) : 0;
    if (l.weights.size() != n_w) {
      return Bad(
          i, "weights has " + std::to_string(l.weights.size()) + " values, expected " + std::to_string(n_w));
    }
    if (l.bias.size() != n_b) {
      return Bad(i, "bias has " + std::to_string(l.bias.size()) + " values, expected " + std::to_string(n_b));
    }
  }
  return Status::OK();
}

Result<NetParams> InitNet(const NetSpec& spec, uint64_t seed) {
  VIGIL_RETURN_IF_ERROR(ValidateNetSpec(spec));
  Prng rng(seed);
  NetParams params;
  params.input_shape = spec.input_shape;
  std::vector<int64_t> shape = spec.input_shape;
  for (size_t i = 0; i < spec.layers.size(); ++i) {
    NetLayerParams layer;
    layer.spec = spec.layers[i];
    layer.in_shape = shape;
    VIGIL_ASSIGN_OR_RETURN(layer.out_shape, LayerOutputShape(layer.spec, shape, i));
    shape = layer.out_shape;
    if (layer.spec.kind == LayerKind::kTransformerBlock) {
      layer.weights = InitBlock(BlockSpecOf(layer.spec, layer.in_shape), rng.Next());
    } else if (layer.spec.kind != LayerKind::kUpsample1D) {
      const int64_t fan_in = FanIn(layer.spec, layer.in_shape);
      const int64_t fan_out =
          layer.spec.kind == LayerKind::kConv1D ? layer.spec.out * layer.spec.kernel : layer.spec.out;
      const double fans = IsReluLike(layer.spec.activation) ? static_cast<double>(fan_in)
                                                            : static_cast<double>(fan_in + fan_out);
      const float limit = static_cast<float>(std::sqrt(6.0 / fans));
      layer.weights.resize(static_cast<size_t>(layer.spec.out * fan_in));
      for (float& w : layer.weights) w = (2.0f * rng.NextFloat() - 1.0f) * limit;
      layer.bias.assign(static_cast<size_t>(layer.spec.out), 0.0f);
    }
    params.layers.push_back(std::move(layer));
  }
  return params;
}

}  // namespace vigil::nn::train
