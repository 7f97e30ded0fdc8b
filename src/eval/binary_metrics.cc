// Point-wise confusion counts and the ratios SKAB reports beside F1.
#include <cstdint>
#include <span>

#include "vigil/metrics.h"
#include "vigil/status.h"

namespace vigil {
namespace {

// SKAB's convention: a ratio whose denominator is zero is reported as 0, not NaN, so that
// summary tables stay numeric (e.g. precision of a detector that never fires).
double SafeRatio(double num, double den) { return den == 0 ? 0.0 : num / den; }

}  // namespace

BinaryMetrics ComputeBinaryMetrics(std::span<const uint8_t> truth, std::span<const uint8_t> predicted) {
  VIGIL_CHECK(truth.size() == predicted.size());
  BinaryMetrics m;
  for (size_t i = 0; i < truth.size(); ++i) {
    const bool t = truth[i] != 0;
    const bool p = predicted[i] != 0;
    if (t && p) {
      ++m.tp;
    } else if (p) {
      ++m.fp;
    } else if (t) {
      ++m.fn;
    } else {
      ++m.tn;
    }
  }
  const double tp = static_cast<double>(m.tp), fp = static_cast<double>(m.fp);
  const double tn = static_cast<double>(m.tn), fn = static_cast<double>(m.fn);
  m.precision = SafeRatio(tp, tp + fp);
  m.recall = SafeRatio(tp, tp + fn);
  m.f1 = SafeRatio(2 * tp, 2 * tp + fp + fn);
  m.far_pct = 100.0 * SafeRatio(fp, fp + tn);
  m.mar_pct = 100.0 * SafeRatio(fn, fn + tp);
  return m;
}

}  // namespace vigil
