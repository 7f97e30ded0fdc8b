// Error bounds for comparing vectorized activations with their scalar references.
//
// u = 2^-24 is the float unit roundoff. Highway's Tanh is documented within 4 ULP and Exp within
// 1 ULP; libm's tanhf/expf are within ~1 ULP; each formula adds a few roundings. 16u·|ref|
// covers the sum with margin, plus a denormal-sized absolute term for results that underflow
// differently. GELU is 0.5v(1 + t): an error δ in t becomes 0.5|v|·δ, and δ ≤ 8u (tanh error,
// |t| ≤ 1) + |∂t/∂inner|·16u·|inner| (inner rounded ~6 times on each side), |∂t/∂inner| ≤ 1.
#pragma once

#include <cmath>

#include "kernels/dense.h"

namespace vigil::kernels {

inline constexpr double kUnitRoundoff = 1.0 / 16777216.0;  // 2^-24

// Largest |f'| of each activation, to propagate an input error through it.
inline double ActivationSlopeBound(Activation act) {
  switch (act) {
    case Activation::kSigmoid:
      return 0.25;
    case Activation::kGelu:
      return 1.13;  // max of the tanh-approximated GELU's derivative (≈1.129 at v ≈ 2.4)
    default:
      return 1.0;
  }
}

inline double ActivationTolerance(Activation act, double input, double expected) {
  const double u = kUnitRoundoff;
  switch (act) {
    case Activation::kNone:
    case Activation::kRelu:
    case Activation::kLeakyRelu:
      return 0.0;  // same single rounding (or none) in both
    case Activation::kTanh:
    case Activation::kSigmoid:
      return 16 * u * std::fabs(expected) + 1e-37;
    case Activation::kGelu: {
      const double inner = 0.7978845608028654 * (input + 0.044715 * input * input * input);
      return 16 * u * std::fabs(expected) + 0.5 * std::fabs(input) * u * (8 + 16 * std::fabs(inner)) + 1e-37;
    }
  }
  return 0.0;
}

}  // namespace vigil::kernels
