#include "nn/ops/packed_weights.h"

#include <string>

#include "core/arena.h"

namespace vigil::nn {

const char* WeightTypeName(WeightType type) {
  switch (type) {
    case WeightType::kF32: return "f32";
    case WeightType::kF16: return "f16";
  }
  return "?";
}

Result<WeightType> ParseWeightType(std::string_view name) {
  if (name == "f32" || name == "fp32") return WeightType::kF32;
  if (name == "f16" || name == "fp16") return WeightType::kF16;
  return Status::InvalidArgument("unknown weight type '" + std::string(name) + "' (expected fp32 or fp16)");
}

size_t PackedWeightBytes(WeightType type, size_t in, size_t out) {
  switch (type) {
    case WeightType::kF32: return kernels::PackedDenseFloats(in, out) * sizeof(float);
    case WeightType::kF16: return kernels::PackedDenseF16Bytes(in, out);
  }
  return 0;
}

Status CheckPackedWeights(const char* kind, int64_t in, int64_t out, const PackedWeights& weights) {
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
  return Status::OK();
}

void RunPackedDense(const PackedWeights& weights, const float* x, size_t x_row_stride, size_t rows, size_t in,
                    size_t out, kernels::Activation act, float* y) {
  switch (weights.type) {
    case WeightType::kF32:
      kernels::DenseF32Rows(reinterpret_cast<const float*>(weights.bytes.data()), x, x_row_stride, rows, in, out,
                            act, y);
      return;
    case WeightType::kF16:
      kernels::DenseF16Rows(weights.bytes.data(), x, x_row_stride, rows, in, out, act, y);
      return;
  }
}

}  // namespace vigil::nn
