// Row-wise softmax, the attention weights of a transformer:
//
//   SoftmaxRows(scores, rows, cols, probs);   // probs[r][c] = exp(s[r][c] − max_r) / Σ_c exp(...)
//
// Contract: x and y are rows × cols row-major (cols ≥ 1); y may alias x (in place). Subtracting
// each row's maximum first keeps exp in range, so rows of large scores do not overflow; a row of
// −inf except one finite value gives a one-hot row. Only rows × cols floats are read / written.
// Highway dynamic dispatch (exp from hwy/contrib/math); never allocates, never fails.
// SoftmaxRowsReference is the plain double-accumulating definition every target is tested against.
#pragma once

#include <cstddef>

namespace vigil::kernels {

void SoftmaxRows(const float* x, size_t rows, size_t cols, float* y);
void SoftmaxRowsReference(const float* x, size_t rows, size_t cols, float* y);
const char* SoftmaxRowsTargetName();

}  // namespace vigil::kernels
