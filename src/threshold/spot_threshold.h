// Internal: the "spot" threshold: pot (pot_threshold.h) plus streaming adaptation
// (Siffer et al. KDD'17, SPOT). For each observed score s:
//   s > value()          anomaly: returns true, state unchanged (anomalies never teach);
//   t < s <= value()     a normal peak: s - t joins the excesses, n and N_t grow, the GPD
//                        is refitted and z recomputed;
//   s <= t               n grows (z is recomputed at the next peak, as in the paper);
//   NaN                  ignored (returns false).
//
// Bounded memory: the excess buffer keeps the most recent spot_max_excesses (oldest
// dropped). Once excesses are dropped, n and N_t of the formula count only the scores
// since the newest dropped excess arrived, so rate and shape describe the same recent
// window; that is what lets the threshold follow a drift.
//
// Censoring at the gate (a correction to the paper's rule): because peaks above the
// gate value() are never added, the streamed excesses are a sample truncated at
// c = value() - t. Fitted as if complete, the tail comes out lighter, z drops, the
// truncation tightens, and z spirals down: with the paper's rule, a bounded buffer
// (1000) and stationary N(0,1) scores at risk 1e-3, z fell from 3.14 to t = 2.08 within
// 2M scores and the alarm rate rose to ~2% (20x the risk). So each refit treats the
// gate as a censoring point: M = P(score > gate) x (streamed scores in the window),
// with P from the current model, is the number of normal scores the model itself
// expects above the gate (risk x streamed when margin is 1); the GPD likelihood gets
// M log P(Y > c) (gpd_fit.h) and n, N_t both get + M. M depends only on counts of
// normal scores and the model, never on the anomalies themselves, so anomalies still
// do not move the threshold. Training excesses are complete, so scores from the
// training set never count toward M.
//
// Refit cost: a full Grimshaw search is ~45 passes over the excesses, too slow to run on
// every peak, so a refit tracks the previous root by Newton, starting from the Grimshaw
// sums of the previous refit updated in O(1) for the added and dropped excess (about
// 1.5 passes per refit; gpd_fit.h RefitGpd). A full search runs every
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
  // The censoring for the next refit (see above).
  GpdCensoring GateCensoring() const;

  std::vector<double> excesses_;      // oldest first
  std::vector<uint64_t> arrivals_;    // n when each excess arrived
  uint64_t trained_ = 0;              // training scores (n after Fit)
  uint32_t refits_since_search_ = 0;  // refits since the last full Grimshaw search
  GrimshawSums sums_;                 // Newton state for the next refit
};

}  // namespace vigil::threshold
