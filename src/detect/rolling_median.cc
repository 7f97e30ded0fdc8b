#include "detect/rolling_median.h"

#include <algorithm>

namespace vigil::detect {

RollingMedian::RollingMedian(size_t window) : ring_(window < 1 ? 1 : window), scratch_(ring_.size()) {}

void RollingMedian::Reset() { head_ = filled_ = 0; }

double RollingMedian::Push(double value) {
  const size_t w = ring_.size();
  if (w == 1) return value;
  ring_[head_] = value;
  head_ = (head_ + 1) % w;
  if (filled_ < w) ++filled_;
  // Over the frames seen so far while warming up. Windows are short, so a copy and
  // nth_element per frame beats maintaining an order-statistics structure.
  std::copy(ring_.begin(), ring_.begin() + static_cast<std::ptrdiff_t>(filled_), scratch_.begin());
  auto end = scratch_.begin() + static_cast<std::ptrdiff_t>(filled_);
  size_t mid = filled_ / 2;
  std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(mid), end);
  double hi = scratch_[mid];
  if (filled_ % 2 == 1) return hi;
  double lo = *std::max_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lo + hi);
}

}  // namespace vigil::detect
