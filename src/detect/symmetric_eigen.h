// Eigen-decomposition of a small dense symmetric matrix (cyclic Jacobi rotations).
//
// Jacobi is slower than tridiagonal QR for large n but is simple, unconditionally stable and
// accurate to working precision for the matrices vigil decomposes (covariances of tens to a few
// hundred features), which take microseconds to milliseconds.
#pragma once

#include <cstddef>
#include <vector>

namespace vigil::detect {

struct EigenResult {
  std::vector<double> values;   // n eigenvalues, descending
  std::vector<double> vectors;  // n × n row-major; column j is the unit eigenvector of values[j]
};

// `a` is n × n row-major and must be symmetric (only the upper triangle is read).
EigenResult SymmetricEigen(const std::vector<double>& a, size_t n);

}  // namespace vigil::detect
