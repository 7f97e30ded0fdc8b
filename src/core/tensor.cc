#include "core/tensor.h"

#include "vigil/status.h"

namespace vigil::core {

size_t DTypeBytes(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return 4;
    case DType::kF16:
      return 2;
    case DType::kI8:
      return 1;
    case DType::kI32:
      return 4;
  }
  return 0;
}

std::string DTypeName(DType dtype) {
  switch (dtype) {
    case DType::kF32:
      return "f32";
    case DType::kF16:
      return "f16";
    case DType::kI8:
      return "i8";
    case DType::kI32:
      return "i32";
  }
  return "dtype(" + std::to_string(static_cast<uint32_t>(dtype)) + ")";
}

Shape Shape::Of(std::span<const int64_t> dims) {
  VIGIL_CHECK(dims.size() <= static_cast<size_t>(kMaxRank));
  Shape s;
  s.rank = static_cast<int32_t>(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) s.dims[i] = dims[i];
  return s;
}

int64_t Shape::NumElements() const {
  int64_t n = 1;
  for (int32_t i = 0; i < rank; ++i) n *= dims[i];
  return n;
}

std::string Shape::ToString() const {
  std::string s = "[";
  for (int32_t i = 0; i < rank; ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(dims[i]);
  }
  return s + "]";
}

bool operator==(const Shape& a, const Shape& b) {
  if (a.rank != b.rank) return false;
  for (int32_t i = 0; i < a.rank; ++i) {
    if (a.dims[i] != b.dims[i]) return false;
  }
  return true;
}

std::array<int64_t, kMaxRank> ContiguousStrides(const Shape& shape) {
  std::array<int64_t, kMaxRank> strides{};
  int64_t stride = 1;
  for (int32_t i = shape.rank - 1; i >= 0; --i) {
    strides[i] = stride;
    stride *= shape.dims[i];
  }
  return strides;
}

TensorView ContiguousView(void* data, DType dtype, const Shape& shape) {
  TensorView t;
  t.data = data;
  t.dtype = dtype;
  t.shape = shape;
  t.strides = ContiguousStrides(shape);
  return t;
}

int64_t NumElements(const TensorView& t) { return t.shape.NumElements(); }

bool IsContiguous(const TensorView& t) {
  const std::array<int64_t, kMaxRank> expected = ContiguousStrides(t.shape);
  for (int32_t i = 0; i < t.shape.rank; ++i) {
    if (t.shape.dims[i] != 1 && t.strides[i] != expected[i]) return false;
  }
  return true;
}

size_t ByteSize(const TensorView& t) { return static_cast<size_t>(NumElements(t)) * DTypeBytes(t.dtype); }

}  // namespace vigil::core
