// The three matrix products of training a Dense or (im2col'd) Conv1D layer, row-major, with
// every inner loop over contiguous memory so the compiler vectorizes it (x86-64: an AVX2+FMA
// clone is picked at run time when the CPU has it; the results of the two clones may differ
// in the last bits, so bit-identical re-runs hold per machine).
//
//   GemmBiasForward(x, m, k, wt, bias, n, z);   // z = x · wtᵀ… see below
//
// Shapes: x is m × k, z and dz are m × n, w is n × k (the layer's out × in weights), wt its
// k × n transpose. No aliasing between inputs and outputs.
#pragma once

#include <cstddef>

namespace vigil::nn::train {

// z[i][j] = bias[j] + Σ_p x[i][p] · wt[p][j]
void GemmBiasForward(const float* x, size_t m, size_t k, const float* wt, const float* bias, size_t n, float* z);
// dw[j][p] += Σ_i dz[i][j] · x[i][p];  db[j] += Σ_i dz[i][j]
void GemmWeightGrad(const float* dz, const float* x, size_t m, size_t k, size_t n, float* dw, float* db);
// dx[i][p] = Σ_j dz[i][j] · w[j][p]   (overwrites dx)
void GemmInputGrad(const float* dz, const float* w, size_t m, size_t k, size_t n, float* dx);
// wt = transpose of the n × k matrix w
void Transpose(const float* w, size_t n, size_t k, float* wt);

}  // namespace vigil::nn::train
