// Internal: the "pot" threshold (peaks over threshold, Siffer et al. KDD'17) and the tail
// model it shares with "spot".
//
// Fit: t = EmpiricalQuantile(scores, init_quantile); the excesses s - t of the scores
// strictly above t are fitted with a GPD (gpd_fit.h); the threshold is
//   z = t + (sigma / gamma) ((risk n / N_t)^(-gamma) - 1)   (gamma != 0)
//   z = t - sigma log(risk n / N_t)                        (gamma == 0)
// with n the number of scores and N_t the number of excesses (both over the window the
// excesses come from, see window_scores()), then value() = z * margin.
//
// Degenerate training data, by design rather than by error:
// - No score strictly above t (e.g. all scores equal, or all zero): the tail is empty,
//   nothing observed ever exceeded t, so z = t.
// - 1 .. kMinGpdExcesses-1 excesses (heavy ties at the top): exponential tail (gpd_fit.h).
// - A fit whose z is not finite (absurd shape on odd samples): exponential tail instead.
// - z is never below t (risk >= N_t / n would put it there; options validation already
//   requires risk < 1 - init_quantile).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "threshold/gpd_fit.h"
#include "vigil/threshold.h"

namespace vigil::threshold {

// Excesses a tail fit wants at least (with distinct scores, n >= MinPotScores gives that).
inline constexpr size_t kMinPotPeaks = kMinGpdExcesses;

// The formula above, unclamped; t when peaks == 0. n and peaks may be fractional (spot
// adds the censored count to both).
double PotQuantile(double init_threshold, const GpdFit& fit, double risk, double n, double peaks);

// Smallest n with at least kMinPotPeaks scores above the init_quantile of n distinct
// scores: ceil(kMinPotPeaks / (1 - init_quantile)), e.g. 500 for 0.98.
size_t MinPotScores(double init_quantile);

class PotThreshold : public Threshold {
 public:
  explicit PotThreshold(const ThresholdOptions& options) : options_(options) {}

  ThresholdKind kind() const override { return ThresholdKind::kPot; }
  // InvalidArgument for bad options, fewer than MinPotScores(init_quantile) scores, or a
  // non-finite score.
  Status Fit(std::span<const double> scores) override;
  // +inf before Fit/Load, so an unfitted threshold never fires.
  double value() const override;
  bool Observe(double score) override { return score > value(); }
  void Save(core::ByteWriter& w) const override;
  Status Load(core::ByteReader& r) override;
  void Describe(std::ostream& os) const override;

  bool fitted() const { return fitted_; }
  double init_threshold() const { return t_; }
  const GpdFit& gpd() const { return gpd_; }
  uint64_t observed() const { return n_; }   // all scores counted so far
  uint64_t peaks() const { return peaks_; }  // of which above t
  // n and N_t of the formula: the scores and peaks since the newest dropped excess, so
  // that the exceedance rate N_t / n describes the same window as the excesses the GPD
  // is fitted on (everything for pot; the recent window once spot drops excesses).
  uint64_t window_scores() const { return n_ - window_start_; }
  uint64_t window_peaks() const { return peaks_ - dropped_; }
  // Peaks known only to lie above censoring().at (spot; none for pot), see gpd_fit.h.
  const GpdCensoring& censoring() const { return censoring_; }

 protected:
  // Fits t, the counts, the GPD and z. Keeps the excesses in score order in *excesses
  // with their arrival index (1-based score position) in *arrivals, trimmed to the most
  // recent `max_excesses` (0 = all) before the GPD fit.
  Status FitTail(std::span<const double> scores, size_t max_excesses, std::string_view what,
                 std::vector<double>* excesses, std::vector<uint64_t>* arrivals);
  // Adopts `fit` (made with censoring_) for the current excesses and recomputes z with
  // the guards above; the censored peaks count in both n and N_t.
  void ApplyFit(const GpdFit& fit, std::span<const double> excesses);
  // Shared body of Save/Load/Describe; `prefix` names the fields ("pot", "spot").
  void SaveTail(core::ByteWriter& w) const;
  Status LoadTail(core::ByteReader& r, std::string_view prefix, ThresholdKind kind);
  void DescribeTail(std::ostream& os, std::string_view kind_name) const;

  ThresholdOptions options_;
  bool fitted_ = false;
  double t_ = 0;               // initial threshold
  uint64_t n_ = 0;             // scores counted (training + non-anomalous observed)
  uint64_t peaks_ = 0;         // of which strictly above t
  uint64_t window_start_ = 0;  // n when the newest dropped excess arrived (0: none dropped)
  uint64_t dropped_ = 0;       // excesses dropped
  GpdCensoring censoring_;
  GpdFit gpd_;
  double z_ = 0;  // threshold before margin
};

}  // namespace vigil::threshold
