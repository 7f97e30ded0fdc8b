// The activations of kernels::Activation in double precision: the independent definition the
// gradient tests differentiate numerically.
#pragma once

#include <cmath>

#include "kernels/dense.h"

namespace vigil::nn::train {

inline double ActivateDouble(kernels::Activation act, double z) {
  switch (act) {
    case kernels::Activation::kNone:
      return z;
    case kernels::Activation::kRelu:
      return z > 0 ? z : 0;
    case kernels::Activation::kLeakyRelu:
      return z > 0 ? z : 0.01 * z;
    case kernels::Activation::kTanh:
      return std::tanh(z);
    case kernels::Activation::kSigmoid:
      return 1.0 / (1.0 + std::exp(-z));
    case kernels::Activation::kGelu:
      return 0.5 * z * (1.0 + std::tanh(0.7978845608028654 * (z + 0.044715 * z * z * z)));
  }
  return z;
}

}  // namespace vigil::nn::train
