// Packed INT8 dense-layer blob shared by PackDenseInt8 and every kernel path (Highway targets,
// AVX-512 VNNI, AArch64 udot). The layout is fixed so one packing runs on whichever path the
// dispatcher picks and tests can switch paths over one blob.
//
//   P = ceil(out / 16) panels of 16 outputs, Q = ceil(in / 4) quads of 4 inputs
//   [0, 64)                     Int8Header
//   weights  (P·Q·64 bytes)     weights[(p·Q + q)·64 + l·4 + k] = w_q[p·16 + l][4q + k]
//                               (0 past `out` or past `in`)
//   bias     (P·16 int32)       folded bias: b_q − z_x·Σ_i w_q (0 past `out`)
//   mult     (P·16 int32)       uint8 output: Q31 multiplier m_o
//            (P·16 float)       float output: s_x·s_w[o]
//   shift    (P·16 uint8, padded to 64 bytes)  uint8 output: right shift n_o (unused for float)
//
// A quad of one panel is 64 bytes: 16 outputs × 4 consecutive inputs, which is one vpdpbusd /
// udot operand as is (each 32-bit lane = 4 weights of one output) and, widened to int16, gives
// vpmaddwd pairs (two int32 partial sums per output, added at the end of the tile). Every section
// starts at a multiple of 64 bytes. Per output channel the metadata is 9 bytes (bias, multiplier,
// shift), which keeps the blob near a quarter of the FP32 one even for 128-wide layers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil::kernels {

inline constexpr size_t kInt8Panel = 16;
inline constexpr size_t kInt8Quad = 4;
inline constexpr size_t kInt8QuadBytes = kInt8Panel * kInt8Quad;  // 64
inline constexpr uint32_t kInt8Magic = 0x44384956;                 // "VI8D"

enum class Int8Output : uint32_t { kUint8 = 0, kFloat = 1 };

struct Int8Header {
  uint32_t magic;
  uint32_t in;
  uint32_t out;
  uint32_t act;     // Activation
  uint32_t output;  // Int8Output
  int32_t zero_point;  // uint8 output: z_y
  int32_t lo;          // uint8 output: lower clamp (z_y for ReLU, else 0)
  uint32_t reserved[9];
};
static_assert(sizeof(Int8Header) == 64, "header is one cache line");

constexpr size_t Int8Panels(size_t out) { return (out + kInt8Panel - 1) / kInt8Panel; }
constexpr size_t Int8Quads(size_t in) { return (in + kInt8Quad - 1) / kInt8Quad; }
constexpr size_t RoundUp64(size_t bytes) { return (bytes + 63) / 64 * 64; }

struct Int8Sections {
  size_t weights;  // byte offsets from the start of the blob
  size_t bias;
  size_t mult;
  size_t shift;
  size_t total;
};

constexpr Int8Sections Int8Layout(size_t in, size_t out) {
  const size_t padded_out = Int8Panels(out) * kInt8Panel;
  Int8Sections s{};
  s.weights = sizeof(Int8Header);
  s.bias = s.weights + Int8Panels(out) * Int8Quads(in) * kInt8QuadBytes;
  s.mult = s.bias + RoundUp64(padded_out * 4);
  s.shift = s.mult + RoundUp64(padded_out * 4);
  s.total = s.shift + RoundUp64(padded_out);
  return s;
}

// Quantization helpers shared by the packer and the references (one definition of the scheme).
float Int8WeightScale(const float* row, size_t in);
int8_t QuantizeInt8Weight(float w, float scale);
// Folded-bias ingredients; false if b / (s_x·s_w) does not fit int32.
bool QuantizeInt8Bias(float b, float input_scale, float weight_scale, int32_t* bias_q);
// s_x·s_w[o] rounded to float, the float-output scale.
inline float Int8OutputScale(float input_scale, float weight_scale) { return input_scale * weight_scale; }

}  // namespace vigil::kernels
