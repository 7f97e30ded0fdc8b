#include "detect/symmetric_eigen.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace vigil::detect {
namespace {

TEST(SymmetricEigenTest, DiagonalMatrixSortsDescending) {
  EigenResult r = SymmetricEigen({1, 0, 0, 0, 3, 0, 0, 0, 2}, 3);
  EXPECT_DOUBLE_EQ(r.values[0], 3);
  EXPECT_DOUBLE_EQ(r.values[1], 2);
  EXPECT_DOUBLE_EQ(r.values[2], 1);
  EXPECT_DOUBLE_EQ(r.vectors[1 * 3 + 0], 1);  // e_1 for eigenvalue 3
}

TEST(SymmetricEigenTest, TwoByTwoKnownAnswer) {
  // [[2,1],[1,2]] has eigenvalues 3 and 1 with vectors (1,1)/√2 and (1,-1)/√2.
  EigenResult r = SymmetricEigen({2, 1, 1, 2}, 2);
  EXPECT_NEAR(r.values[0], 3, 1e-12);
  EXPECT_NEAR(r.values[1], 1, 1e-12);
  EXPECT_NEAR(std::abs(r.vectors[0]), 1 / std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(r.vectors[0] * r.vectors[1] + r.vectors[2] * r.vectors[3], 0, 1e-12);
}

TEST(SymmetricEigenTest, ReconstructsRandomCovariance) {
  const size_t n = 17;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> g;
  std::vector<double> x(50 * n);
  for (auto& v : x) v = g(rng);
  std::vector<double> a(n * n, 0);
  for (size_t r = 0; r < 50; ++r)
    for (size_t i = 0; i < n; ++i)
      for (size_t j = 0; j < n; ++j) a[i * n + j] += x[r * n + i] * x[r * n + j] / 50;
  EigenResult e = SymmetricEigen(a, n);
  for (size_t j = 1; j < n; ++j) EXPECT_GE(e.values[j - 1], e.values[j]);
  // A = V diag(λ) Vᵀ and VᵀV = I.
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      double s = 0, dot = 0;
      for (size_t k = 0; k < n; ++k) {
        s += e.vectors[i * n + k] * e.values[k] * e.vectors[j * n + k];
        dot += e.vectors[k * n + i] * e.vectors[k * n + j];
      }
      EXPECT_NEAR(s, a[i * n + j], 1e-10);
      EXPECT_NEAR(dot, i == j ? 1.0 : 0.0, 1e-10);
    }
  }
}

}  // namespace
}  // namespace vigil::detect
