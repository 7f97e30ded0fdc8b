// Scalar definitions of the activations, the ground truth for the vectorized versions.
#include <cmath>

#include "kernels/dense.h"

namespace vigil::kernels {

namespace {

constexpr float kLeakySlope = 0.01f;
constexpr float kGeluScale = 0.7978845608028654f;  // sqrt(2 / pi)
constexpr float kGeluCubic = 0.044715f;

float Sigmoid(float v) {
  // exp of a non-positive argument never overflows, so both tails stay accurate.
  const float e = std::exp(-std::fabs(v));
  const float s = 1.0f / (1.0f + e);
  return v >= 0.0f ? s : e * s;
}

float Gelu(float v) {
  const float inner = kGeluScale * (v + kGeluCubic * v * v * v);
  return 0.5f * v * (1.0f + std::tanh(inner));
}

}  // namespace

void ActivateF32Reference(Activation act, float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float v = x[i];
    switch (act) {
      case Activation::kNone:
        break;
      case Activation::kRelu:
        x[i] = v > 0.0f ? v : 0.0f;
        break;
      case Activation::kLeakyRelu:
        x[i] = v > 0.0f ? v : kLeakySlope * v;
        break;
      case Activation::kTanh:
        x[i] = std::tanh(v);
        break;
      case Activation::kSigmoid:
        x[i] = Sigmoid(v);
        break;
      case Activation::kGelu:
        x[i] = Gelu(v);
        break;
    }
  }
}

}  // namespace vigil::kernels
