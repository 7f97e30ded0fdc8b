#include "detect/rolling_median.h"

#include <algorithm>
#include <string>

#include "core/byte_io.h"

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

void RollingMedian::SaveState(core::ByteWriter& w) const {
  w.U64(head_);
  w.U64(filled_);
  w.F64Array(ring_);
}

Status RollingMedian::LoadState(core::ByteReader& r) {
  const size_t w = ring_.size();
  uint64_t head = 0, filled = 0;
  VIGIL_RETURN_IF_ERROR(r.U64("rolling_median.head", &head));
  VIGIL_RETURN_IF_ERROR(r.U64("rolling_median.filled", &filled));
  // Until the window is full the ring fills from slot 0, so the next slot is `filled`.
  if (filled > w || (filled < w ? head != filled : head >= w)) {
    return r.Error("rolling_median.filled", "ring position " + std::to_string(head) + " with " +
                                                std::to_string(filled) + " values held, window " +
                                                std::to_string(w));
  }
  std::vector<double> ring;
  VIGIL_RETURN_IF_ERROR(r.F64Array("rolling_median.values", &ring, w));
  if (ring.size() != w) {
    return r.Error("rolling_median.values",
                   std::to_string(ring.size()) + " values for a window of " + std::to_string(w));
  }
  head_ = head;
  filled_ = filled;
  ring_.swap(ring);
  return Status::OK();
}

}  // namespace vigil::detect
