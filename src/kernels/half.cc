// Bit-level binary16 conversions (no hardware F16C needed, so packing runs on every target).
#include "kernels/half.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace vigil::kernels {

uint16_t F32ToF16(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const auto sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u) return static_cast<uint16_t>(sign | 0x7E00u);  // NaN → quiet NaN
  if (magnitude >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds past 65504
  if (magnitude < 0x38800000u) {
    // Below the smallest normal half (2^-14): a subnormal half is value / 2^-24 rounded to an
    // integer; adding 0.5f·2^1 … is avoided, the integer is rounded ties-to-even by hand.
    if (magnitude < 0x33000000u) return sign;  // below half the smallest subnormal (2^-25): ±0
    const uint32_t exponent = magnitude >> 23;           // 102 .. 112
    const uint32_t mantissa = (magnitude & 0x7FFFFFu) | 0x800000u;
    const uint32_t shift = 126 - exponent;               // 14 .. 24: to units of 2^-24
    const uint32_t half_ulp = 1u << (shift - 1);
    uint32_t result = mantissa >> shift;
    const uint32_t rest = mantissa & ((1u << shift) - 1);
    if (rest > half_ulp || (rest == half_ulp && (result & 1u))) ++result;
    return static_cast<uint16_t>(sign | result);
  }
  // Normal half: rebias the exponent (127 → 15) and round the 23-bit mantissa to 10 bits.
  uint32_t result = (magnitude - 0x38000000u) >> 13;
  const uint32_t rest = magnitude & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (result & 1u))) ++result;  // may carry into the exponent
  return static_cast<uint16_t>(sign | result);
}

float F16ToF32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  const uint32_t mantissa = h & 0x3FFu;
  if (exponent == 0) {
    // ±0 or subnormal: mantissa · 2^-24, exact in float.
    const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

float RoundToF16(float value) { return F16ToF32(F32ToF16(std::clamp(value, -kF16Max, kF16Max))); }

}  // namespace vigil::kernels
