#include "detect/symmetric_eigen.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "vigil/status.h"

namespace vigil::detect {

EigenResult SymmetricEigen(const std::vector<double>& input, size_t n) {
  VIGIL_CHECK(input.size() == n * n);
  std::vector<double> a(n * n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i; j < n; ++j) a[i * n + j] = a[j * n + i] = input[i * n + j];
  }
  std::vector<double> v(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) v[i * n + i] = 1.0;

  auto off_norm = [&] {
    double s = 0;
    for (size_t i = 0; i < n; ++i)
      for (size_t j = i + 1; j < n; ++j) s += a[i * n + j] * a[i * n + j];
    return s;
  };
  double scale = 0;
  for (double x : a) scale += x * x;
  const double tol = 1e-30 * std::max(scale, 1e-300);

  for (int sweep = 0; sweep < 100 && off_norm() > tol; ++sweep) {
    for (size_t p = 0; p < n; ++p) {
      for (size_t q = p + 1; q < n; ++q) {
        double apq = a[p * n + q];
        if (std::abs(apq) < 1e-300) continue;
        double app = a[p * n + p], aqq = a[q * n + q];
        // Rotation angle that zeroes a[p][q] (Golub & Van Loan, sym.schur2).
        double theta = (aqq - app) / (2 * apq);
        double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (size_t k = 0; k < n; ++k) {
          double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (size_t k = 0; k < n; ++k) {
          double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (size_t k = 0; k < n; ++k) {
          double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }

  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t x, size_t y) { return a[x * n + x] > a[y * n + y]; });
  EigenResult r;
  r.values.resize(n);
  r.vectors.resize(n * n);
  for (size_t j = 0; j < n; ++j) {
    r.values[j] = a[order[j] * n + order[j]];
    // Fix the sign (largest-magnitude component positive) so results are reproducible.
    size_t big = 0;
    for (size_t k = 1; k < n; ++k)
      if (std::abs(v[k * n + order[j]]) > std::abs(v[big * n + order[j]])) big = k;
    double sign = v[big * n + order[j]] < 0 ? -1.0 : 1.0;
    for (size_t k = 0; k < n; ++k) r.vectors[k * n + j] = sign * v[k * n + order[j]];
  }
  return r;
}

}  // namespace vigil::detect
