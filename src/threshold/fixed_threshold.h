// Internal: the "fixed" threshold, a user-given value (`vigil score --threshold`).
// It needs no training: Fit() only validates the value; margin does not apply.
#pragma once

#include "vigil/threshold.h"

namespace vigil::threshold {

class FixedThreshold : public Threshold {
 public:
  explicit FixedThreshold(const ThresholdOptions& options) : value_(options.fixed_value) {}

  ThresholdKind kind() const override { return ThresholdKind::kFixed; }
  // Ignores the scores (any number, even none); InvalidArgument if the value is not finite.
  Status Fit(std::span<const double> scores) override;
  double value() const override { return value_; }
  bool Observe(double score) override { return score > value_; }
  void Save(core::ByteWriter& w) const override;
  Status Load(core::ByteReader& r) override;
  void Describe(std::ostream& os) const override;

 private:
  double value_;
};

}  // namespace vigil::threshold
