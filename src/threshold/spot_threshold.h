// Internal: the "spot" threshold: pot (pot_threshold.h) plus streaming adaptation
// (Siffer et al. KDD'17, SPOT). For each observed score s:
//   s > value()          anomaly: returns true, state unchanged (anomalies never teach);
//   t < s <= value()     a normal peak: s - t joins the excesses, n and N_t grow, the GPD
//                        is refitted and z recomputed;
//   s <= t               n grows (the exceedance rate N_t / n falls);
//   NaN                  ignored (returns false).
// The excess buffer keeps the most recent spot_max_excesses (oldest dropped) so memory
// and refit cost stay bounded. Once excesses are dropped, n and N_t of the formula count
// only the scores since the newest dropped excess arrived: rate and shape then describe
// the same recent window, which is what lets the threshold follow a drift. (Counting
// all history for the rate while the shape sees only recent excesses mixes two
// periods: under an upward drift the stale, low rate pulled z down.)
//
// Refit cost: a full Grimshaw search is ~45 passes over the excesses, too slow to run on
// every peak, so a refit tracks the previous root by Newton, starting from the Grimshaw
// sums of the previous refit updated in O(1) for the added and dropped excess (about
// one pass per refit; gpd_fit.h RefitGpd). A full search runs every
// kSpotFullSearchPeriod refits to pick up roots that tracking cannot see. The period
// counter and the point of the kept sums are part of the saved state, so a loaded
// threshold makes bit-identical choices to the original.
#pragma once

#include <cstdint>
#include <vector>

#include "threshold/pot_threshold.h"

namespace vigil::threshold {

inline constexpr uint32_t kSpotFullSearchPeriod = 64;

class SpotThreshold : public PotThreshold {
 public:
  explicit SpotThreshold(const ThresholdOptions& options) : PotThreshold(options) {}

  ThresholdKind kind() const override { return ThresholdKind::kSpot; }
  Status Fit(std::span<const double> scores) override;
  bool Observe(double score) override;
  void Save(core::ByteWriter& w) const override;
  Status Load(core::ByteReader& r) override;
  void Describe(std::ostream& os) const override;

  const std::vector<double>& excesses() const { return excesses_; }

 private:
  std::vector<double> excesses_;       // oldest first
  std::vector<uint64_t> arrivals_;     // n when each excess arrived
  uint32_t refits_since_search_ = 0;  // refits since the last full Grimshaw search
  GrimshawSums sums_;                 // Newton state for the next refit
};

}  // namespace vigil::threshold
