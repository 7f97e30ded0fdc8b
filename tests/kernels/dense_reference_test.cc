// DenseF32Reference against a layer computed by hand.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "kernels/dense.h"

namespace vigil::kernels {
namespace {

TEST(DenseReferenceTest, TwoRowsByHand) {
  // W = [[1, 2, 3], [-1, 0, 0.5]], b = [1, -2].
  // x0 = [1, 1, 1]  → [1+2+3+1, -1+0+0.5-2]   = [7, -2.5]
  // x1 = [0, -1, 2] → [0-2+6+1, 0+0+1-2]      = [5, -1]
  const std::vector<float> w = {1, 2, 3, -1, 0, 0.5f};
  const std::vector<float> bias = {1, -2};
  const std::vector<float> x = {1, 1, 1, 0, -1, 2};
  std::vector<float> y(4);
  DenseF32Reference(w.data(), bias.data(), x.data(), 2, 3, 2, Activation::kNone, y.data());
  EXPECT_EQ(y, (std::vector<float>{7.0f, -2.5f, 5.0f, -1.0f}));
  DenseF32Reference(w.data(), bias.data(), x.data(), 2, 3, 2, Activation::kRelu, y.data());
  EXPECT_EQ(y, (std::vector<float>{7.0f, 0.0f, 5.0f, 0.0f}));
}

TEST(DenseReferenceTest, SingleInputSingleOutput) {
  const float w = -4.0f;
  const float bias = 0.25f;
  const float x = 0.5f;
  float y = 0.0f;
  DenseF32Reference(&w, &bias, &x, 1, 1, 1, Activation::kLeakyRelu, &y);
  EXPECT_FLOAT_EQ(y, -0.0175f);  // (−2 + 0.25) · 0.01
}

TEST(DenseReferenceTest, OverlappingRowsByHand) {
  // Rows of 3 inputs, 1 float apart over x = [1, 2, 3, 4]: [1, 2, 3] and [2, 3, 4].
  // W = [[1, 0, -1]], b = [0.5] → [1 − 3 + 0.5, 2 − 4 + 0.5] = [−1.5, −1.5].
  const std::vector<float> w = {1, 0, -1};
  const float bias = 0.5f;
  const std::vector<float> x = {1, 2, 3, 4};
  std::vector<float> y(2);
  DenseF32RowsReference(w.data(), &bias, x.data(), 1, 2, 3, 1, Activation::kNone, y.data());
  EXPECT_EQ(y, (std::vector<float>{-1.5f, -1.5f}));
  // Stride 4 skips a gap: rows [1, 2, 3] and [5, 6, 7] of x = [1, 2, 3, NaN, 5, 6, 7].
  const std::vector<float> gapped = {1, 2, 3, NAN, 5, 6, 7};
  DenseF32RowsReference(w.data(), &bias, gapped.data(), 4, 2, 3, 1, Activation::kNone, y.data());
  EXPECT_EQ(y, (std::vector<float>{-1.5f, -1.5f}));
}

}  // namespace
}  // namespace vigil::kernels
