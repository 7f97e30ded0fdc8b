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
//   kInt8 a 64-byte Int8LayerHeader (the layer input's uint8 quantization: scale, zero point)
//         followed by a kernels::PackDenseInt8 blob with float output, the activation fused
//         (kNone or kRelu). At run time each input row is quantized to uint8 (QuantizeU8) into
//         the caller's scratch, then int8 × uint8 products accumulate in int32 and the result is
//         scaled back to float; float tensors flow between layers.
// Every layout carries the bias. The bytes are borrowed (never owned) and must be 64-byte
// aligned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "kernels/dense.h"
#include "kernels/dense_int8.h"
#include "vigil/status.h"

namespace vigil::nn {

enum class WeightType : uint32_t {
  kF32 = 0,
  kF16 = 1,
  kInt8 = 2,
};

struct Int8LayerHeader {
  float input_scale;
  int32_t input_zero_point;
  uint32_t reserved[14];
};
static_assert(sizeof(Int8LayerHeader) == 64, "keeps the kernel blob 64-byte aligned");

// "f32" / "f16" / "int8"; "?" for values outside the enum.
const char* WeightTypeName(WeightType type);
// Parses "f32"/"fp32"/"f16"/"fp16"/"int8"; InvalidArgument naming the accepted spellings otherwise.
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

// INT8: packs float weights (out × in) and bias for an input quantized with `input`; the
// activation is fused. `packed` holds PackedWeightBytes(kInt8, in, out) bytes, 64-byte aligned.
// False when the layer cannot run exactly in INT8 (activation other than kNone/kRelu, scales
// out of range, possible int32 overflow): keep it in FP32 then.
bool PackInt8Layer(const float* w, const float* bias, size_t in, size_t out, kernels::QuantParams input,
                   kernels::Activation act, uint8_t* packed);

// InvalidArgument naming `kind` unless sizes are positive (≤ 2^24), the type is known, the byte
// count matches PackedWeightBytes and the data is 64-byte aligned; for INT8 also that the blob is
// one the kernels can run for this layer (header fields, scales, and that no uint8 input can
// overflow the int32 accumulator), so damaged files are refused here and never reach a kernel.
Status CheckPackedWeights(const char* kind, int64_t in, int64_t out, kernels::Activation act,
                          const PackedWeights& weights);

// Scratch bytes RunPackedDense needs for this type and input width (0 for f32 / f16).
size_t PackedDenseScratchBytes(WeightType type, size_t in);

// y = act(x · Wᵀ + b) over `rows` rows of x that start x_row_stride floats apart (they may
// overlap), y rows × out. Preconditions: CheckPackedWeights passed with the same act; scratch
// holds PackedDenseScratchBytes(type, in) bytes. Never allocates or fails.
void RunPackedDense(const PackedWeights& weights, const float* x, size_t x_row_stride, size_t rows, size_t in,
                    size_t out, kernels::Activation act, float* y, uint8_t* scratch);

}  // namespace vigil::nn
