// Internal: the "quantile" threshold (empirical quantile of training scores x margin),
// and the empirical quantile shared with pot/spot (their initial threshold t).
#pragma once

#include <span>
#include <string_view>

#include "vigil/threshold.h"

namespace vigil::threshold {

// Quantile q in [0, 1] of `values` with linear interpolation between order statistics
// (numpy's default "linear" method): with x_(0) <= ... <= x_(n-1) and h = (n-1) q,
// the result is x_(floor h) + (h - floor h) (x_(floor h + 1) - x_(floor h)).
// Reorders `values` (selection, O(n)); values must be non-empty and NaN-free.
double EmpiricalQuantile(std::span<double> values, double q);

// InvalidArgument naming the first non-finite score ("<what>: training score 12 is nan")
// or, with fewer than `min_count` scores, saying how many are needed.
Status CheckTrainingScores(std::span<const double> scores, size_t min_count, std::string_view what,
                           std::string_view why_min);

class QuantileThreshold : public Threshold {
 public:
  explicit QuantileThreshold(const ThresholdOptions& options) : options_(options) {}

  ThresholdKind kind() const override { return ThresholdKind::kQuantile; }
  // Needs at least one score; all must be finite.
  Status Fit(std::span<const double> scores) override;
  // +inf before Fit/Load, so an unfitted threshold never fires.
  double value() const override;
  bool Observe(double score) override { return score > value(); }
  void Save(core::ByteWriter& w) const override;
  Status Load(core::ByteReader& r) override;
  void Describe(std::ostream& os) const override;

 private:
  ThresholdOptions options_;
  bool fitted_ = false;
  double quantile_value_ = 0;  // before margin
};

}  // namespace vigil::threshold
