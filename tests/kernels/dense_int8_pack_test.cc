// PackDenseInt8 validation, the quantization parameters and the requantization arithmetic on
// hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "kernels/dense_int8.h"
#include "kernels/dense_int8_layout.h"

namespace vigil::kernels {
namespace {

TEST(DenseInt8PackTest, ChooseQuantParamsIncludesZeroExactly) {
  const QuantParams a = ChooseQuantParams(-1.0f, 1.0f);
  EXPECT_FLOAT_EQ(a.scale, 2.0f / 255.0f);
  EXPECT_TRUE(a.zero_point == 127 || a.zero_point == 128);  // −min/scale ≈ 127.5
  const QuantParams relu = ChooseQuantParams(0.5f, 4.0f);  // widened to [0, 4]
  EXPECT_FLOAT_EQ(relu.scale, 4.0f / 255.0f);
  EXPECT_EQ(relu.zero_point, 0);
  const QuantParams neg = ChooseQuantParams(-3.0f, -1.0f);  // widened to [−3, 0]
  EXPECT_EQ(neg.zero_point, 255);
  const QuantParams degenerate = ChooseQuantParams(0.0f, 0.0f);
  EXPECT_EQ(degenerate.scale, 1.0f);
  EXPECT_EQ(degenerate.zero_point, 0);
}

TEST(DenseInt8PackTest, QuantizeDequantizeRoundTripWithinHalfAScale) {
  const QuantParams q = ChooseQuantParams(-2.0f, 3.0f);
  std::vector<float> x;
  for (float v = -2.0f; v <= 3.0f; v += 0.001f) x.push_back(v);
  std::vector<uint8_t> y(x.size());
  std::vector<float> back(x.size());
  QuantizeU8Reference(x.data(), x.size(), q, y.data());
  DequantizeU8Reference(y.data(), y.size(), q, back.data());
  for (size_t i = 0; i < x.size(); ++i)
    ASSERT_LE(std::fabs(back[i] - x[i]), 0.5f * q.scale * (1.0f + 1e-4f)) << x[i];
  // Out-of-range values saturate.
  const float outside[] = {-100.0f, 100.0f};
  uint8_t sat[2];
  QuantizeU8Reference(outside, 2, q, sat);
  EXPECT_EQ(sat[0], 0);
  EXPECT_EQ(sat[1], 255);
}

TEST(DenseInt8PackTest, QuantizeMultiplierSplitsIntoQ31AndShift) {
  int32_t m = 0;
  int n = 0;
  ASSERT_TRUE(QuantizeMultiplier(0.5, &m, &n));
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(n, 31);
  ASSERT_TRUE(QuantizeMultiplier(0.75, &m, &n));
  EXPECT_EQ(m, 3 << 29);
  EXPECT_EQ(n, 31);
  ASSERT_TRUE(QuantizeMultiplier(1.0, &m, &n));  // near 1 and above use a shift below 31
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(n, 30);
  ASSERT_TRUE(QuantizeMultiplier(0.9999999999, &m, &n));  // rounds up to 2^31: renormalized
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(n, 30);
  ASSERT_TRUE(QuantizeMultiplier(std::ldexp(1.0, -40), &m, &n));  // tiny: always z_y
  EXPECT_EQ(m, 0);
  ASSERT_TRUE(QuantizeMultiplier(std::ldexp(1.0, -20), &m, &n));
  EXPECT_EQ(m, 1 << 30);
  EXPECT_EQ(n, 50);  // 2^−20 = 2^30 · 2^−50
  EXPECT_FALSE(QuantizeMultiplier(0.0, &m, &n));
  EXPECT_FALSE(QuantizeMultiplier(-1.0, &m, &n));
  EXPECT_FALSE(QuantizeMultiplier(std::ldexp(1.0, 31), &m, &n));
  EXPECT_FALSE(QuantizeMultiplier(NAN, &m, &n));
}

TEST(DenseInt8PackTest, RequantizeHandComputed) {
  // M = 0.5: 3·0.5 = 1.5 → 2 (tie toward +∞), −3·0.5 = −1.5 → −1, 5·0.5 = 2.5 → 3.
  EXPECT_EQ(RequantizeReference(3, 1 << 30, 31, 10, 0), 12);
  EXPECT_EQ(RequantizeReference(-3, 1 << 30, 31, 10, 0), 9);
  EXPECT_EQ(RequantizeReference(5, 1 << 30, 31, 10, 0), 13);
  EXPECT_EQ(RequantizeReference(4, 1 << 30, 31, 10, 0), 12);
  // M = 0.75: 10·0.75 = 7.5 → 8; −10·0.75 = −7.5 → −7.
  EXPECT_EQ(RequantizeReference(10, 3 << 29, 31, 100, 0), 108);
  EXPECT_EQ(RequantizeReference(-10, 3 << 29, 31, 100, 0), 93);
  // Saturation at 0 and 255, ReLU clamp at the zero point.
  EXPECT_EQ(RequantizeReference(1000, 1 << 30, 31, 10, 0), 255);
  EXPECT_EQ(RequantizeReference(-1000, 1 << 30, 31, 10, 0), 0);
  EXPECT_EQ(RequantizeReference(-4, 1 << 30, 31, 10, 10), 10);
  // Extremes of the accumulator with multipliers near 1 and tiny ones.
  EXPECT_EQ(RequantizeReference(INT32_MAX, INT32_MAX, 31, 0, 0), 255);
  EXPECT_EQ(RequantizeReference(INT32_MIN, INT32_MAX, 31, 255, 0), 0);
  EXPECT_EQ(RequantizeReference(INT32_MAX, 1 << 30, 62, 7, 0), 7);    // 2^31·2^−32 = 0.5 − ε → 0
  EXPECT_EQ(RequantizeReference(INT32_MIN, 1 << 30, 62, 7, 0), 7);    // −0.5 → 0 (tie toward +∞)
  EXPECT_EQ(RequantizeReference(INT32_MIN, 1 << 30, 61, 7, 0), 6);    // −1
  EXPECT_EQ(RequantizeReference(-(1 << 20), 1 << 30, 51, 128, 0), 128);  // −0.5 → 0 (tie toward +∞)
}

TEST(DenseInt8PackTest, RefusesWhatTheKernelsCannotRunExactly) {
  const size_t in = 8;
  const size_t out = 3;
  std::vector<float> w(in * out, 0.25f);
  std::vector<float> bias(out, 0.1f);
  auto packed = hwy::AllocateAligned<uint8_t>(PackedDenseInt8Bytes(in, out));
  const QuantParams input{0.01f, 5};
  const QuantParams output{0.02f, 128};
  EXPECT_TRUE(PackDenseInt8(w.data(), bias.data(), in, out, input, &output, Activation::kRelu, packed.get(), nullptr));
  EXPECT_TRUE(PackDenseInt8(w.data(), nullptr, in, out, input, nullptr, Activation::kNone, packed.get(), nullptr));
  for (Activation act : {Activation::kLeakyRelu, Activation::kTanh, Activation::kSigmoid, Activation::kGelu})
    EXPECT_FALSE(PackDenseInt8(w.data(), bias.data(), in, out, input, &output, act, packed.get(), nullptr));
  const QuantParams bad_zero{0.01f, 256};
  EXPECT_FALSE(PackDenseInt8(w.data(), bias.data(), in, out, bad_zero, &output, Activation::kNone, packed.get(), nullptr));
  const QuantParams bad_scale{0.0f, 0};
  EXPECT_FALSE(PackDenseInt8(w.data(), bias.data(), in, out, input, &bad_scale, Activation::kNone, packed.get(), nullptr));
  std::vector<float> huge_bias(out, 1e9f);  // b / (s_x·s_w) overflows int32
  EXPECT_FALSE(PackDenseInt8(w.data(), huge_bias.data(), in, out, input, &output, Activation::kNone, packed.get(), nullptr));
}

TEST(DenseInt8PackTest, WeightScalesAndLayout) {
  const size_t in = 5;
  const size_t out = 2;
  const std::vector<float> w = {1.27f, -0.635f, 0.0f, 0.01f, -1.27f,  // s = 0.01
                                0.0f,  0.0f,    0.0f, 0.0f,  0.0f};    // zero row: s = 1
  auto packed = hwy::AllocateAligned<uint8_t>(PackedDenseInt8Bytes(in, out));
  float scales[2];
  const QuantParams input{0.5f, 2};
  ASSERT_TRUE(PackDenseInt8(w.data(), nullptr, in, out, input, nullptr, Activation::kNone, packed.get(), scales));
  EXPECT_FLOAT_EQ(scales[0], 0.01f);
  EXPECT_EQ(scales[1], 1.0f);
  const Int8Sections s = Int8Layout(in, out);
  EXPECT_EQ(s.weights % 64, 0u);
  EXPECT_EQ(s.bias % 64, 0u);
  EXPECT_EQ(s.mult % 64, 0u);
  EXPECT_EQ(s.shift % 64, 0u);
  const auto* q = reinterpret_cast<const int8_t*>(packed.get() + s.weights);
  EXPECT_EQ(q[0], 127);
  EXPECT_EQ(q[1], -64);  // −63.5 rounds away from zero
  EXPECT_EQ(q[3], 1);
  EXPECT_EQ(q[kInt8QuadBytes + 0], -127);  // input 4 is quad 1
  EXPECT_EQ(q[kInt8QuadBytes + 1], 0);     // padding input
  int32_t bias0 = 0;
  std::memcpy(&bias0, packed.get() + s.bias, 4);
  EXPECT_EQ(bias0, -2 * (127 - 64 + 0 + 1 - 127));  // −z_x·Σ w_q
}

}  // namespace
}  // namespace vigil::kernels
