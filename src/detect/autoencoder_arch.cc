#include "detect/autoencoder_arch.h"

#include <string>

namespace vigil::detect {
namespace {

using nn::train::LayerKind;
using nn::train::LayerSpec;
using kernels::Activation;

constexpr size_t kMaxLayers = 16;
constexpr uint32_t kMaxWidth = 1u << 16;

Status CheckWidths(const char* field, const std::vector<uint32_t>& widths) {
  if (widths.empty() || widths.size() > kMaxLayers) {
    return Status::InvalidArgument(std::string(field) + " must list 1 to " + std::to_string(kMaxLayers) +
                                   " layer widths, got " + std::to_string(widths.size()));
  }
  for (uint32_t w : widths) {
    if (w < 1 || w > kMaxWidth) {
      return Status::InvalidArgument(std::string(field) + " widths must be in 1.." + std::to_string(kMaxWidth) +
                                     ", got " + std::to_string(w));
    }
  }
  return Status::OK();
}

LayerSpec Dense(int64_t out, Activation act) {
  LayerSpec l;
  l.kind = LayerKind::kDense;
  l.out = out;
  l.activation = act;
  return l;
}

LayerSpec Conv(int64_t out, int64_t kernel, int64_t stride, Activation act) {
  LayerSpec l;
  l.kind = LayerKind::kConv1D;
  l.out = out;
  l.kernel = kernel;
  l.stride = stride;
  l.padding = kernel / 2;
  l.activation = act;
  return l;
}

LayerSpec Upsample(int64_t factor) {
  LayerSpec l;
  l.kind = LayerKind::kUpsample1D;
  l.factor = factor;
  return l;
}

}  // namespace

Result<nn::train::NetSpec> AutoencoderSpec(DetectorKind kind, const DetectorOptions& options, int64_t frames,
                                           int64_t channels) {
  if (frames < 1 || channels < 1) {
    return Status::InvalidArgument("autoencoder input must have at least one frame and one channel");
  }
  nn::train::NetSpec spec;
  if (kind == DetectorKind::kAutoencoder) {
    VIGIL_RETURN_IF_ERROR(CheckWidths("ae hidden", options.ae_hidden));
    spec.input_shape = {frames * channels};
    for (uint32_t w : options.ae_hidden) spec.layers.push_back(Dense(w, Activation::kRelu));
    for (size_t i = options.ae_hidden.size() - 1; i-- > 0;) {
      spec.layers.push_back(Dense(options.ae_hidden[i], Activation::kRelu));
    }
    spec.layers.push_back(Dense(frames * channels, Activation::kNone));
    return spec;
  }
  if (kind == DetectorKind::kTransformerAutoencoder) {
    const auto& o = options;
    if (o.tf_dim < 1 || o.tf_dim > 1024 || o.tf_heads < 1 || o.tf_dim % o.tf_heads != 0) {
      return Status::InvalidArgument("tf-ae dim " + std::to_string(o.tf_dim) + " must be in 1..1024 and a multiple of heads " +
                                     std::to_string(o.tf_heads));
    }
    if (o.tf_blocks < 1 || o.tf_blocks > 16) {
      return Status::InvalidArgument("tf-ae blocks must be in 1..16, got " + std::to_string(o.tf_blocks));
    }
    if (o.tf_hidden < 1 || o.tf_hidden > 4096) {
      return Status::InvalidArgument("tf-ae hidden must be in 1..4096, got " + std::to_string(o.tf_hidden));
    }
    if (frames > 1024) return Status::InvalidArgument("tf-ae windows are at most 1024 frames, got " + std::to_string(frames));
    spec.input_shape = {frames, channels};
    spec.layers.push_back(Conv(o.tf_dim, 1, 1, Activation::kNone));  // per-frame embedding
    for (uint32_t i = 0; i < o.tf_blocks; ++i) {
      LayerSpec block;
      block.kind = LayerKind::kTransformerBlock;
      block.out = o.tf_hidden;
      block.kernel = o.tf_heads;
      spec.layers.push_back(block);
    }
    spec.layers.push_back(Conv(channels, 1, 1, Activation::kNone));  // back to the channels
    return spec;
  }
  if (kind != DetectorKind::kConvAutoencoder) {
    return Status::InvalidArgument("detector kind " + std::to_string(static_cast<uint32_t>(kind)) +
                                   " is not an autoencoder");
  }
  VIGIL_RETURN_IF_ERROR(CheckWidths("conv-ae channels", options.conv_channels));
  const int64_t k = options.conv_kernel;
  if (k < 1 || k % 2 == 0 || k > 255) {
    return Status::InvalidArgument("conv-ae kernel must be odd and in 1..255, got " + std::to_string(k));
  }
  const size_t depth = options.conv_channels.size();
  const int64_t factor = int64_t{1} << depth;
  if (frames % factor != 0 || frames / factor < 1) {
    return Status::InvalidArgument("conv-ae window of " + std::to_string(frames) + " frames must be a multiple of " +
                                   std::to_string(factor) + " (each of the " + std::to_string(depth) +
                                   " encoder layers halves the length)");
  }
  spec.input_shape = {frames, channels};
  for (uint32_t c : options.conv_channels) spec.layers.push_back(Conv(c, k, 2, Activation::kRelu));
  for (size_t i = depth; i-- > 0;) {
    spec.layers.push_back(Upsample(2));
    if (i == 0) {
      spec.layers.push_back(Conv(channels, k, 1, Activation::kNone));
    } else {
      spec.layers.push_back(Conv(options.conv_channels[i - 1], k, 1, Activation::kRelu));
    }
  }
  return spec;
}

}  // namespace vigil::detect
