// IEEE 754 binary16 ("FP16") conversions, scalar, for packing weights and for references.
//
//   const uint16_t h = F32ToF16(0.1f);      // 0x2E66, round to nearest even
//   const float back = F16ToF32(h);         // 0.0999755859375f, exact
//
// Contract: F16ToF32 is exact for every input (subnormals, ±inf, NaN kept). F32ToF16 rounds to
// the nearest binary16 (ties to even), gives ±inf past ±65504 (after rounding) and a quiet NaN
// for NaN; subnormal results are rounded correctly. Pure functions, thread-safe.
#pragma once

#include <cstdint>

namespace vigil::kernels {

inline constexpr float kF16Max = 65504.0f;

uint16_t F32ToF16(float value);
float F16ToF32(uint16_t bits);
// The float nearest to `value` that binary16 can hold, clamped to ±kF16Max (finite in, finite out).
float RoundToF16(float value);

}  // namespace vigil::kernels
