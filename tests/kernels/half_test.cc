// binary16 conversions: exhaustive round trips and hand-checked rounding cases.
#include "kernels/half.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace vigil::kernels {
namespace {

TEST(HalfTest, EveryHalfRoundTripsExactly) {
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const auto bits = static_cast<uint16_t>(h);
    const float f = F16ToF32(bits);
    if (std::isnan(f)) {
      EXPECT_TRUE((bits & 0x7C00) == 0x7C00 && (bits & 0x3FF) != 0) << std::hex << h;
      EXPECT_TRUE(std::isnan(F16ToF32(F32ToF16(f))));
      continue;
    }
    EXPECT_EQ(F32ToF16(f), bits) << std::hex << h;
  }
}

TEST(HalfTest, KnownValues) {
  EXPECT_EQ(F32ToF16(1.0f), 0x3C00);
  EXPECT_EQ(F32ToF16(-2.0f), 0xC000);
  EXPECT_EQ(F32ToF16(65504.0f), 0x7BFF);
  EXPECT_EQ(F32ToF16(0.1f), 0x2E66);
  EXPECT_EQ(F16ToF32(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(F16ToF32(0x0400), std::ldexp(1.0f, -14));  // smallest normal
  EXPECT_EQ(F32ToF16(std::numeric_limits<float>::infinity()), 0x7C00);
  EXPECT_EQ(F32ToF16(-0.0f), 0x8000);
}

TEST(HalfTest, RoundsToNearestTiesToEven) {
  // Between 1 and the next half (1 + 2^-10): the midpoint ties to the even mantissa (1), just
  // above it rounds up; at 1 + 3·2^-11 the tie goes up to the even 1 + 2^-9.
  EXPECT_EQ(F32ToF16(1.0f + std::ldexp(1.0f, -11)), 0x3C00);
  EXPECT_EQ(F32ToF16(1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)), 0x3C01);
  EXPECT_EQ(F32ToF16(1.0f + 3.0f * std::ldexp(1.0f, -11)), 0x3C02);
  // Overflow: 65519 rounds down to 65504, the midpoint 65520 ties up to infinity.
  EXPECT_EQ(F32ToF16(65519.0f), 0x7BFF);
  EXPECT_EQ(F32ToF16(65520.0f), 0x7C00);
  // Subnormals: half the smallest subnormal ties to zero, a bit more rounds up to it; the
  // largest subnormal carries into the smallest normal.
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -25)), 0x0000);
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -25) * 1.0001f), 0x0001);
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -25) * 3.0f), 0x0002);  // 1.5 ulp ties to even 2
  EXPECT_EQ(F32ToF16(std::ldexp(1.0f, -14) - std::ldexp(1.0f, -26)), 0x0400);
}

TEST(HalfTest, AgreesWithDoubleRoundingOnRandomFloats) {
  // The nearest half by brute force: compare the distances to the two neighbours.
  uint32_t state = 12345;
  for (int k = 0; k < 200000; ++k) {
    state = state * 1664525u + 1013904223u;
    const float f = std::bit_cast<float>((state & 0x8FFFFFFFu) | 0x30000000u);  // |f| in ~[2^-31, 2^2)
    const uint16_t h = F32ToF16(f);
    const double mine = std::fabs(static_cast<double>(F16ToF32(h)) - f);
    const auto up = static_cast<uint16_t>(h + 1);
    const auto down = static_cast<uint16_t>(h == 0 || h == 0x8000 ? h : h - 1);
    EXPECT_LE(mine, std::fabs(static_cast<double>(F16ToF32(up)) - f)) << f;
    EXPECT_LE(mine, std::fabs(static_cast<double>(F16ToF32(down)) - f)) << f;
  }
}

TEST(HalfTest, RoundToF16ClampsToTheFiniteRange) {
  EXPECT_EQ(RoundToF16(1e9f), 65504.0f);
  EXPECT_EQ(RoundToF16(-1e9f), -65504.0f);
  EXPECT_EQ(RoundToF16(0.1f), 0.0999755859375f);
}

}  // namespace
}  // namespace vigil::kernels
