// K contiguous folds of a row-major table in time order, for out-of-fold (cross-fitted)
// statistics: each fold is held out once while a model is fitted on all other rows.
#pragma once

#include <cstddef>
#include <vector>

#include "vigil/status.h"

namespace vigil::detect {

// Calls fn(fold, held_begin, held_rows, rest, rest_rows) for each of k folds, where rest holds every
// row outside the fold (rows before it, then rows after it). Fold sizes differ by at most one;
// the first rows % k folds get the extra row. Stops at and returns the first error of fn.
template <typename Fn>
Status ForEachContiguousFold(const float* x, size_t rows, size_t dim, size_t k, Fn fn) {
  std::vector<float> rest;
  size_t begin = 0;
  for (size_t f = 0; f < k; ++f) {
    const size_t size = rows / k + (f < rows % k ? 1 : 0);
    rest.assign(x, x + begin * dim);
    rest.insert(rest.end(), x + (begin + size) * dim, x + rows * dim);
    VIGIL_RETURN_IF_ERROR(fn(f, begin, size, rest.data(), rows - size));
    begin += size;
  }
  return Status::OK();
}

}  // namespace vigil::detect
