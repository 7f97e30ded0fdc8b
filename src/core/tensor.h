// Non-owning tensor views: the runtime's currency between the arena and the kernels.
//
//   core::TensorView x = core::ContiguousView(arena.data() + offset, core::DType::kF32, {7, 640});
//   kernels::DenseF32(packed, x.F32(), x.shape.dims[0], 640, 128, act, y.F32());
//
// A view never owns or frees memory; the arena (or the caller's buffer) must outlive it.
// Shapes have at most kMaxRank dims; strides are in elements (not bytes) so that a view of a
// transposed or sliced tensor can be described without a copy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>

namespace vigil::core {

// Serialized in model files: values fixed forever, append only.
enum class DType : uint32_t { kF32 = 1, kF16 = 2, kI8 = 3, kI32 = 4 };

inline constexpr int kMaxRank = 4;

// Bytes of one element; 0 for a value outside the enum (e.g. read from a damaged file).
size_t DTypeBytes(DType dtype);
// "f32", "f16", "i8", "i32", or "dtype(<n>)" for unknown values.
std::string DTypeName(DType dtype);

struct Shape {
  int32_t rank = 0;  // 0 is a scalar (one element)
  std::array<int64_t, kMaxRank> dims{};

  // Aborts (VIGIL_CHECK) on more than kMaxRank dims: callers validate user shapes first.
  static Shape Of(std::span<const int64_t> dims);
  static Shape Of(std::initializer_list<int64_t> dims) {
    return Of(std::span<const int64_t>(dims.begin(), dims.size()));
  }

  int64_t NumElements() const;
  // "[7, 640]"; a scalar is "[]".
  std::string ToString() const;
  friend bool operator==(const Shape& a, const Shape& b);
};

// Affine quantization placeholder (real = scale · (q − zero_point)); unused by f32 tensors.
struct QuantParams {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

struct TensorView {
  void* data = nullptr;
  DType dtype = DType::kF32;
  Shape shape;
  std::array<int64_t, kMaxRank> strides{};  // in elements
  QuantParams quant;

  float* F32() const { return static_cast<float*>(data); }
};

// Row-major strides for `shape` (last dim has stride 1).
std::array<int64_t, kMaxRank> ContiguousStrides(const Shape& shape);
TensorView ContiguousView(void* data, DType dtype, const Shape& shape);

int64_t NumElements(const TensorView& t);
// True when the strides are the row-major ones; dims of size 1 may carry any stride.
bool IsContiguous(const TensorView& t);
// Bytes spanned by the elements of a contiguous view: NumElements · DTypeBytes.
size_t ByteSize(const TensorView& t);

}  // namespace vigil::core
