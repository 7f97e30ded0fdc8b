// Deterministic synthetic data shared by detector tests.
#pragma once

#include <random>
#include <vector>

namespace vigil::testing {

// rows × 3 correlated Gaussian channels: c0 ~ N(0,1), c1 = c0 + N(0, 0.1²), c2 ~ N(5, 2²).
inline std::vector<float> CorrelatedGaussian(size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g;
  std::vector<float> x(rows * 3);
  for (size_t r = 0; r < rows; ++r) {
    double a = g(rng);
    x[r * 3 + 0] = static_cast<float>(a);
    x[r * 3 + 1] = static_cast<float>(a + 0.1 * g(rng));
    x[r * 3 + 2] = static_cast<float>(5 + 2 * g(rng));
  }
  return x;
}

}  // namespace vigil::testing
