// Packed Dense / Conv1D weights of any stored type, and the one call that runs them.
//
//   nn::PackedWeights w{nn::WeightType::kF16, bytes};          // e.g. from a mapped model file
//   VIGIL_RETURN_IF_ERROR(nn::CheckPackedWeights("Dense", in, out, w));   // at create time
//   nn::RunPackedDense(w, x, in, rows, in, out, act, y);       // at run time: never fails
//
// Types (serialized in model files: values fixed forever, append only):
//   kF32  kernels::PackDense layout, PackedDenseFloats(in, out) floats;
//   kF16  kernels::PackDenseF16FromF32 layout, PackedDenseF16Bytes(in, out) bytes: binary16
//         weights, float32 bias, computed in FP32 (weights widened as they are loaded).
// Both layouts carry the bias. The bytes are borrowed (never owned) and must be 64-byte aligned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "kernels/dense.h"
#include "vigil/status.h"

namespace vigil::nn {

enum class WeightType : uint32_t {
  kF32 = 0,
  kF16 = 1,
};

// "f32" / "f16"; "?" for values outside the enum.
const char* WeightTypeName(WeightType type);
// Parses "f32"/"fp32"/"f16"/"fp16"; InvalidArgument naming the accepted spellings otherwise.
Result<WeightType> ParseWeightType(std::string_view name);

struct PackedWeights {
  WeightType type = WeightType::kF32;
  std::span<const uint8_t> bytes;

  static PackedWeights F32(std::span<const float> packed) {
    return {WeightType::kF32, {reinterpret_cast<const uint8_t*>(packed.data()), packed.size_bytes()}};
  }
};

// Bytes of an in × out layer packed as `type`; 0 for a type outside the enum.
size_t PackedWeightBytes(WeightType type, size_t in, size_t out);

// InvalidArgument naming `kind` unless sizes are positive (≤ 2^24), the type is known, the byte
// count matches PackedWeightBytes and the data is 64-byte aligned.
Status CheckPackedWeights(const char* kind, int64_t in, int64_t out, const PackedWeights& weights);

// y = act(x · Wᵀ + b) over `rows` rows of x that start x_row_stride floats apart (they may
// overlap), y rows × out. Preconditions: CheckPackedWeights passed. Never allocates or fails.
void RunPackedDense(const PackedWeights& weights, const float* x, size_t x_row_stride, size_t rows, size_t in,
                    size_t out, kernels::Activation act, float* y);

}  // namespace vigil::nn
