// Scalar definition of the dense layer that every SIMD target is tested against. Products are
// summed in input order, then the bias is added, in float, without FMA contraction.
#include "kernels/dense.h"

namespace vigil::kernels {

void DenseF32RowsReference(const float* w, const float* bias, const float* x, size_t x_row_stride, size_t rows,
                           size_t in, size_t out, Activation act, float* y) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * x_row_stride;
    float* yr = y + r * out;
    for (size_t o = 0; o < out; ++o) {
      const float* row = w + o * in;
      float sum = 0.0f;
      for (size_t i = 0; i < in; ++i) {
        const float product = xr[i] * row[i];
        sum += product;
      }
      yr[o] = sum + bias[o];
    }
    ActivateF32Reference(act, yr, out);
  }
}

void DenseF32Reference(const float* w, const float* bias, const float* x, size_t batch, size_t in, size_t out,
                       Activation act, float* y) {
  DenseF32RowsReference(w, bias, x, in, batch, in, out, act, y);
}

}  // namespace vigil::kernels
