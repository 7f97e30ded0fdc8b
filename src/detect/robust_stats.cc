#include "detect/robust_stats.h"

#include <algorithm>
#include <cmath>

namespace vigil::detect {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  double hi = v[mid];
  if (v.size() % 2 == 1) return hi;
  double lo = *std::max_element(v.begin(), v.begin() + mid);
  return 0.5 * (lo + hi);
}

double RobustScale(const std::vector<double>& values, double center) {
  std::vector<double> dev(values.size());
  double sum = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    dev[i] = std::abs(values[i] - center);
    sum += dev[i];
  }
  double mad = 1.4826 * Median(dev);
  if (mad > 0) return mad;
  double mean_ad = values.empty() ? 0 : 1.2533 * sum / static_cast<double>(values.size());
  if (mean_ad > 0) return mean_ad;
  return 1.0;
}

std::vector<double> Column(const float* x, size_t rows, size_t dim, size_t col) {
  std::vector<double> c(rows);
  for (size_t r = 0; r < rows; ++r) c[r] = x[r * dim + col];
  return c;
}

}  // namespace vigil::detect
