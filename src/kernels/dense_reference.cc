// Scalar definition of the dense layer that every SIMD target is tested against. Products are
// summed in input order, then the bias is added, in float, without FMA contraction.
#include "kernels/dense.h"

namespace vigil::kernels {

void DenseF32Reference(const float* w, const float* bias, const float* x, size_t batch, size_t in, size_t out,
                       Activation act, float* y) {
  for (size_t b = 0; b < batch; ++b) {
    const float* xb = x + b * in;
    float* yb = y + b * out;
    for (size_t o = 0; o < out; ++o) {
      const float* row = w + o * in;
      float sum = 0.0f;
      for (size_t i = 0; i < in; ++i) {
        const float product = xb[i] * row[i];
        sum += product;
      }
      yb[o] = sum + bias[o];
    }
    ActivateF32Reference(act, yb, out);
  }
}

}  // namespace vigil::kernels
