#include "nn/ops/packed_weights.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/arena.h"
#include "kernels/dense_int8_layout.h"

namespace vigil::nn {

const char* WeightTypeName(WeightType type) {
  switch (type) {
    case WeightType::kF32: return "f32";
    case WeightType::kF16: return "f16";
    case WeightType::kInt8: return "int8";
  }
  return "?";
}

Result<WeightType> ParseWeightType(std::string_view name) {
  if (name == "f32" || name == "fp32") return WeightType::kF32;
  if (name == "f16" || name == "fp16") return WeightType::kF16;
  if (name == "int8" || name == "i8") return WeightType::kInt8;
  return Status::InvalidArgument("unknown weight type '" + std::string(name) + "' (expected fp32, fp16 or int8)");
}

size_t PackedWeightBytes(WeightType type, size_t in, size_t out) {
  switch (type) {
    case WeightType::kF32: return kernels::PackedDenseFloats(in, out) * sizeof(float);
    case WeightType::kF16: return kernels::PackedDenseF16Bytes(in, out);
    case WeightType::kInt8: return sizeof(Int8LayerHeader) + kernels::PackedDenseInt8Bytes(in, out);
  }
  return 0;
}

namespace {

// Rows quantized per kernel call: bounds the scratch (and keeps it in L1 for narrow layers).
constexpr size_t kInt8ChunkBytes = 16384;
size_t Int8ChunkRows(size_t in) { return std::max<size_t>(1, kInt8ChunkBytes / std::max<size_t>(in, 1)); }

// Checks an INT8 blob's fields against the layer; empty string when it is runnable.
std::string Int8BlobProblem(std::span<const uint8_t> bytes, size_t in, size_t out, kernels::Activation act) {
  Int8LayerHeader layer{};
  std::memcpy(&layer, bytes.data(), sizeof(layer));
  if (!(layer.input_scale > 0) || !std::isfinite(layer.input_scale) || layer.input_zero_point < 0 ||
      layer.input_zero_point > 255) {
    return "input quantization out of range";
  }
  const uint8_t* blob = bytes.data() + sizeof(Int8LayerHeader);
  kernels::Int8Header h{};
  std::memcpy(&h, blob, sizeof(h));
  if (h.magic != kernels::kInt8Magic || h.in != in || h.out != out ||
      h.output != static_cast<uint32_t>(kernels::Int8Output::kFloat) || h.act != static_cast<uint32_t>(act) ||
      (act != kernels::Activation::kNone && act != kernels::Activation::kRelu)) {
    return "header does not match the layer";
  }
  const kernels::Int8Sections s = kernels::Int8Layout(in, out);
  const size_t quads = kernels::Int8Quads(in);
  for (size_t o = 0; o < out; ++o) {
    float scale = 0;
    int32_t bias = 0;
    std::memcpy(&scale, blob + s.mult + o * 4, 4);
    std::memcpy(&bias, blob + s.bias + o * 4, 4);
    if (!std::isfinite(scale)) return "output scale of channel " + std::to_string(o) + " is not finite";
    // The largest |accumulator| any uint8 input can give must fit int32.
    const size_t p = o / kernels::kInt8Panel, l = o % kernels::kInt8Panel;
    int64_t bound = std::abs(static_cast<int64_t>(bias));
    for (size_t q = 0; q < quads; ++q) {
      const auto* w = reinterpret_cast<const int8_t*>(blob + s.weights + (p * quads + q) * kernels::kInt8QuadBytes +
                                                      l * kernels::kInt8Quad);
      for (size_t k = 0; k < kernels::kInt8Quad; ++k) {
        if (q * kernels::kInt8Quad + k >= in && w[k] != 0) return "nonzero weight padding";
        bound += 255 * std::abs(static_cast<int64_t>(w[k]));
      }
    }
    if (bound > INT32_MAX) return "channel " + std::to_string(o) + " can overflow its int32 accumulator";
  }
  return "";
}

}  // namespace

bool PackInt8Layer(const float* w, const float* bias, size_t in, size_t out, kernels::QuantParams input,
                   kernels::Activation act, uint8_t* packed) {
  Int8LayerHeader layer{};
  layer.input_scale = input.scale;
  layer.input_zero_point = input.zero_point;
  std::memcpy(packed, &layer, sizeof(layer));
  return kernels::PackDenseInt8(w, bias, in, out, input, nullptr, act, packed + sizeof(layer), nullptr);
}

size_t PackedDenseScratchBytes(WeightType type, size_t in) {
  return type == WeightType::kInt8 ? Int8ChunkRows(in) * in : 0;
}

Status CheckPackedWeights(const char* kind, int64_t in, int64_t out, kernels::Activation act,
                          const PackedWeights& weights) {
  if (in <= 0 || out <= 0 || in > (int64_t{1} << 24) || out > (int64_t{1} << 24)) {
    return Status::InvalidArgument(std::string(kind) + ": packed weights need positive sizes, got in=" +
                                   std::to_string(in) + " out=" + std::to_string(out));
  }
  const size_t expected = PackedWeightBytes(weights.type, static_cast<size_t>(in), static_cast<size_t>(out));
  if (expected == 0) {
    return Status::InvalidArgument(std::string(kind) + ": unknown weight type " +
                                   std::to_string(static_cast<uint32_t>(weights.type)));
  }
  if (weights.bytes.size() != expected) {
    return Status::InvalidArgument(std::string(kind) + ": packed " + WeightTypeName(weights.type) + " weights have " +
                                   std::to_string(weights.bytes.size()) + " bytes, expected " +
                                   std::to_string(expected) + " for " + std::to_string(in) + " inputs x " +
                                   std::to_string(out) + " outputs");
  }
  if (reinterpret_cast<uintptr_t>(weights.bytes.data()) % core::kArenaAlignment != 0) {
    return Status::InvalidArgument(std::string(kind) + ": packed weights must be 64-byte aligned");
  }
  if (weights.type == WeightType::kInt8) {
    const std::string problem = Int8BlobProblem(weights.bytes, static_cast<size_t>(in), static_cast<size_t>(out), act);
    if (!problem.empty()) return Status::InvalidArgument(std::string(kind) + ": int8 weights: " + problem);
  }
  return Status::OK();
}

void RunPackedDense(const PackedWeights& weights, const float* x, size_t x_row_stride, size_t rows, size_t in,
                    size_t out, kernels::Activation act, float* y, uint8_t* scratch) {
  switch (weights.type) {
    case WeightType::kF32:
      kernels::DenseF32Rows(reinterpret_cast<const float*>(weights.bytes.data()), x, x_row_stride, rows, in, out,
                            act, y);
      return;
    case WeightType::kF16:
      kernels::DenseF16Rows(weights.bytes.data(), x, x_row_stride, rows, in, out, act, y);
      return;
    case WeightType::kInt8: {
      Int8LayerHeader layer;
      std::memcpy(&layer, weights.bytes.data(), sizeof(layer));
      const kernels::QuantParams q{layer.input_scale, layer.input_zero_point};
      const uint8_t* blob = weights.bytes.data() + sizeof(layer);
      const size_t chunk = Int8ChunkRows(in);
      for (size_t r0 = 0; r0 < rows; r0 += chunk) {
        const size_t n = std::min(chunk, rows - r0);
        for (size_t r = 0; r < n; ++r) kernels::QuantizeU8(x + (r0 + r) * x_row_stride, in, q, scratch + r * in);
        kernels::DenseInt8RowsToF32(blob, scratch, in, n, in, out, y + r0 * out);
      }
      return;
    }
  }
}

}  // namespace vigil::nn
