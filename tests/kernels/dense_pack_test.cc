// PackDense layout (dense_layout.h) checked element by element.
#include <gtest/gtest.h>

#include <vector>

#include "kernels/dense.h"
#include "kernels/dense_layout.h"

namespace vigil::kernels {
namespace {

TEST(DensePackTest, SizeCoversWholePanelsAndBias) {
  EXPECT_EQ(PackedDenseFloats(1, 1), 16u * 2);
  EXPECT_EQ(PackedDenseFloats(3, 16), 16u * 4);
  EXPECT_EQ(PackedDenseFloats(3, 17), 32u * 4);
  EXPECT_EQ(PackedDenseFloats(640, 128), 128u * 641);
}

TEST(DensePackTest, PanelsAreInputMajorAndZeroPadded) {
  const size_t in = 2;
  const size_t out = 17;  // one full panel and one with a single output
  std::vector<float> w(in * out);
  std::vector<float> bias(out);
  for (size_t o = 0; o < out; ++o) {
    for (size_t i = 0; i < in; ++i) w[o * in + i] = static_cast<float>(100 * o + i + 1);
    bias[o] = -static_cast<float>(o + 1);
  }
  std::vector<float> packed(PackedDenseFloats(in, out), 99.0f);
  PackDense(w.data(), bias.data(), in, out, packed.data());
  ASSERT_EQ(packed.size(), 96u);
  EXPECT_EQ(packed[0], 1.0f);           // W[0][0]
  EXPECT_EQ(packed[3], 301.0f);         // W[3][0]
  EXPECT_EQ(packed[16 + 3], 302.0f);    // W[3][1]
  EXPECT_EQ(packed[32], 1601.0f);       // panel 1: W[16][0]
  EXPECT_EQ(packed[32 + 16], 1602.0f);  // W[16][1]
  for (size_t l = 1; l < 16; ++l) {
    EXPECT_EQ(packed[32 + l], 0.0f) << l;  // padding lanes
    EXPECT_EQ(packed[48 + l], 0.0f) << l;
  }
  EXPECT_EQ(packed[64], -1.0f);  // bias block
  EXPECT_EQ(packed[64 + 16], -17.0f);
  for (size_t o = 17; o < 32; ++o) EXPECT_EQ(packed[64 + o], 0.0f) << o;
}

}  // namespace
}  // namespace vigil::kernels

namespace vigil::kernels {
namespace {

TEST(DensePackTest, UnpackInvertsPack) {
  for (size_t in : {size_t{1}, size_t{5}, size_t{33}}) {
    for (size_t out : {size_t{1}, size_t{16}, size_t{17}, size_t{40}}) {
      std::vector<float> w(in * out), bias(out);
      for (size_t k = 0; k < w.size(); ++k) w[k] = static_cast<float>(k) * 0.5f - 3.0f;
      for (size_t o = 0; o < out; ++o) bias[o] = static_cast<float>(o) + 0.25f;
      std::vector<float> packed(PackedDenseFloats(in, out));
      PackDense(w.data(), bias.data(), in, out, packed.data());
      std::vector<float> w2(in * out, -1.0f), bias2(out, -1.0f);
      UnpackDense(packed.data(), in, out, w2.data(), bias2.data());
      EXPECT_EQ(w2, w) << in << "x" << out;
      EXPECT_EQ(bias2, bias) << in << "x" << out;
    }
  }
}

}  // namespace
}  // namespace vigil::kernels
