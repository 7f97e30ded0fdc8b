// Causal rolling median over the last `window` values (window 1 passes values through).
// Used to smooth detector scores: a single noisy frame does not raise an alarm, a sustained
// departure does after about window/2 frames.
// SaveState/LoadState checkpoint the values held, so a restarted stream continues bit for bit.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <vector>

#include "vigil/status.h"

namespace vigil::core {
class ByteWriter;
class ByteReader;
}  // namespace vigil::core

namespace vigil::detect {

class RollingMedian {
 public:
  explicit RollingMedian(size_t window);
  double Push(double value);
  void Reset();
  size_t window() const { return ring_.size(); }

  // Writes the ring position and the values held (their count, the window, is checked on load).
  void SaveState(core::ByteWriter& w) const;
  // Reads SaveState() bytes of a median with the same window. Corruption (naming the field and
  // byte offset) for truncated bytes, another window length or an impossible position; on
  // error nothing is changed.
  Status LoadState(core::ByteReader& r);

 private:
  std::vector<double> ring_;
  std::vector<double> scratch_;
  size_t head_ = 0, filled_ = 0;
};

}  // namespace vigil::detect
