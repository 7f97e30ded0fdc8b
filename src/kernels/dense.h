// Dense (fully connected) layer kernels: y[b][o] = act(Σ_i x[b][i]·W[o][i] + bias[o]).
//
//   std::vector<float> packed(PackedDenseFloats(in, out));
//   PackDense(w, bias, in, out, packed.data());            // once, at model load/plan time
//   DenseF32(packed.data(), x, batch, in, out, Activation::kRelu, y);   // per inference
//   // Rows `stride` floats apart, possibly overlapping (a Conv1D's sliding windows):
//   DenseF32Rows(packed.data(), x, stride, rows, in, out, Activation::kRelu, y);
//
// Contract
// - W is row-major out × in as given to PackDense; the packed layout is fixed (dense_layout.h)
//   and 64-byte aligned when `packed` is.
// - DenseF32: x is batch × in row-major, y is batch × out row-major.
// - DenseF32Rows: row r of x is the `in` floats at x + r·x_row_stride; rows may overlap each
//   other (any stride, also < in); y is rows × out row-major. DenseF32 is DenseF32Rows with
//   x_row_stride = in.
// - y overlaps neither x nor packed. Only the rows × in inputs and rows × out outputs named
//   above are read / written (no padding needed around the caller's buffers).
// - The kernels never allocate and never fail; they dispatch at run time to the best SIMD
//   target the CPU supports (Highway dynamic dispatch). They are reentrant and thread-safe
//   (no state beyond the caller's buffers). The *Reference functions are the plain scalar
//   definitions every target is tested against.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vigil::kernels {

// Serialized in model files: values fixed forever, append only.
enum class Activation : uint32_t {
  kNone = 0,
  kRelu = 1,
  kLeakyRelu = 2,  // slope 0.01
  kTanh = 3,
  kSigmoid = 4,
  kGelu = 5,  // tanh approximation
};

// Floats needed for the packed weights and bias of an in × out layer.
size_t PackedDenseFloats(size_t in, size_t out);
void PackDense(const float* w, const float* bias, size_t in, size_t out, float* packed);
void DenseF32(const float* packed, const float* x, size_t batch, size_t in, size_t out, Activation act,
              float* y);
void DenseF32Rows(const float* packed, const float* x, size_t x_row_stride, size_t rows, size_t in, size_t out,
                  Activation act, float* y);
void DenseF32Reference(const float* w, const float* bias, const float* x, size_t batch, size_t in, size_t out,
                       Activation act, float* y);
void DenseF32RowsReference(const float* w, const float* bias, const float* x, size_t x_row_stride, size_t rows,
                           size_t in, size_t out, Activation act, float* y);

// Inverse of PackDense: w (out × in row-major) and bias (out) from a packed FP32 layer.
void UnpackDense(const float* packed, size_t in, size_t out, float* w, float* bias);

// FP16 weights: the FP32 packing converted weight by weight to binary16 (round to nearest even,
// clamped to ±65504), bias kept float32; half the weight bytes. Compute stays FP32: each weight is
// widened as it is loaded (F16C on x86, native on ARM, bit arithmetic on older targets), so the
// result equals DenseF32RowsReference on the rounded weights up to summation rounding.
size_t PackedDenseF16Bytes(size_t in, size_t out);
void PackDenseF16FromF32(const float* packed_f32, size_t in, size_t out, uint8_t* packed_f16);
void DenseF16Rows(const uint8_t* packed_f16, const float* x, size_t x_row_stride, size_t rows, size_t in,
                  size_t out, Activation act, float* y);

// Elementwise activation in place (dispatched) and its scalar reference.
void ActivateF32(Activation act, float* x, size_t n);
void ActivateF32Reference(Activation act, float* x, size_t n);

// Name of the Highway target (e.g. "AVX2") DenseF32 and DenseF32Rows / ActivateF32 currently
// dispatch to; tests use it to prove each target really ran, benches to report what was measured.
const char* DenseF32TargetName();
const char* ActivateF32TargetName();

}  // namespace vigil::kernels
