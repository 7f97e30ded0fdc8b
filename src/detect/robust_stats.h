// Robust location/scale estimates shared by detectors.
#pragma once

#include <cstddef>
#include <vector>

namespace vigil::detect {

// Median of the values (copied; input untouched). Empty input → 0.
double Median(std::vector<double> values);

// Scale of one channel around `center`, never zero:
// 1.4826·MAD (consistent with σ for Gaussian data); if that is 0 (more than half the values
// equal), 1.2533·mean absolute deviation; if that is 0 too (a constant channel), 1, so that
// departures from the constant are scored in the channel's own units.
double RobustScale(const std::vector<double>& values, double center);

// Column `col` of a row-major rows × dim float matrix, as doubles.
std::vector<double> Column(const float* x, size_t rows, size_t dim, size_t col);

}  // namespace vigil::detect
