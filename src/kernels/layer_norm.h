// Row-wise layer normalization, the transformer's normalizer:
//
//   LayerNormRows(x, rows, cols, gamma, beta, 1e-5f, y);   // y = (x − mean) / sqrt(var + eps) · γ + β
//
// Contract: x, y rows × cols row-major (cols ≥ 1), y may alias x; gamma and beta hold cols
// floats (either may be null: 1 and 0). Mean and variance are over each row (biased variance,
// as the usual definition); accumulated in float lanes then combined, two passes (mean, then
// squared deviations) so a large offset does not cancel the variance. Only rows × cols floats are
// read / written. Highway dynamic dispatch; never allocates, never fails. LayerNormRowsReference
// accumulates in double: the definition every target is tested against.
#pragma once

#include <cstddef>

namespace vigil::kernels {

void LayerNormRows(const float* x, size_t rows, size_t cols, const float* gamma, const float* beta, float eps,
                   float* y);
void LayerNormRowsReference(const float* x, size_t rows, size_t cols, const float* gamma, const float* beta,
                            float eps, float* y);
const char* LayerNormRowsTargetName();

}  // namespace vigil::kernels
