// Causal rolling median over the last `window` values (window 1 passes values through).
// Used to smooth detector scores: a single noisy frame does not raise an alarm, a sustained
// departure does after about window/2 frames.
#pragma once

#include <cstddef>
#include <vector>

namespace vigil::detect {

class RollingMedian {
 public:
  explicit RollingMedian(size_t window);
  double Push(double value);
  void Reset();
  size_t window() const { return ring_.size(); }

 private:
  std::vector<double> ring_;
  std::vector<double> scratch_;
  size_t head_ = 0, filled_ = 0;
};

}  // namespace vigil::detect
