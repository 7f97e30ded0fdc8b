#include "core/tensor.h"

#include <gtest/gtest.h>

namespace vigil::core {
namespace {

TEST(TensorTest, DTypeValuesAreFixedForSerialization) {
  EXPECT_EQ(static_cast<uint32_t>(DType::kF32), 1u);
  EXPECT_EQ(static_cast<uint32_t>(DType::kF16), 2u);
  EXPECT_EQ(static_cast<uint32_t>(DType::kI8), 3u);
  EXPECT_EQ(static_cast<uint32_t>(DType::kI32), 4u);
}

TEST(TensorTest, DTypeBytesAndNames) {
  EXPECT_EQ(DTypeBytes(DType::kF32), 4u);
  EXPECT_EQ(DTypeBytes(DType::kF16), 2u);
  EXPECT_EQ(DTypeBytes(DType::kI8), 1u);
  EXPECT_EQ(DTypeBytes(DType::kI32), 4u);
  EXPECT_EQ(DTypeBytes(static_cast<DType>(99)), 0u);
  EXPECT_EQ(DTypeName(DType::kF16), "f16");
  EXPECT_EQ(DTypeName(static_cast<DType>(99)), "dtype(99)");
}

TEST(TensorTest, ShapeElementsAndText) {
  EXPECT_EQ(Shape::Of({7, 640}).NumElements(), 4480);
  EXPECT_EQ(Shape::Of({7, 640}).ToString(), "[7, 640]");
  EXPECT_EQ(Shape{}.NumElements(), 1);  // scalar
  EXPECT_EQ(Shape{}.ToString(), "[]");
  EXPECT_EQ(Shape::Of({2, 3, 4, 5}).NumElements(), 120);
  EXPECT_EQ(Shape::Of({2, 0}).NumElements(), 0);
  EXPECT_TRUE(Shape::Of({2, 3}) == Shape::Of({2, 3}));
  EXPECT_FALSE(Shape::Of({2, 3}) == Shape::Of({3, 2}));
  EXPECT_FALSE(Shape::Of({6}) == Shape::Of({6, 1}));
}

TEST(TensorTest, ContiguousViewHasRowMajorStrides) {
  float buf[24];
  TensorView t = ContiguousView(buf, DType::kF32, Shape::Of({2, 3, 4}));
  EXPECT_EQ(t.data, buf);
  EXPECT_EQ(t.F32(), buf);
  EXPECT_EQ(t.strides[0], 12);
  EXPECT_EQ(t.strides[1], 4);
  EXPECT_EQ(t.strides[2], 1);
  EXPECT_EQ(NumElements(t), 24);
  EXPECT_EQ(ByteSize(t), 96u);
  EXPECT_TRUE(IsContiguous(t));
  EXPECT_EQ(t.quant.scale, 1.0f);
  EXPECT_EQ(t.quant.zero_point, 0);
}

TEST(TensorTest, TransposedViewIsNotContiguous) {
  float buf[6];
  TensorView t = ContiguousView(buf, DType::kF32, Shape::Of({3, 2}));
  t.strides = {1, 3, 0, 0};  // the transpose of a 2 × 3 matrix
  EXPECT_FALSE(IsContiguous(t));
}

TEST(TensorTest, UnitDimsMayHaveAnyStride) {
  int8_t buf[5];
  TensorView t = ContiguousView(buf, DType::kI8, Shape::Of({1, 5}));
  t.strides[0] = 12345;
  EXPECT_TRUE(IsContiguous(t));
  EXPECT_EQ(ByteSize(t), 5u);
}

}  // namespace
}  // namespace vigil::core
