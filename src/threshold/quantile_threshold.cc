#include "threshold/quantile_threshold.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "core/byte_io.h"
#include "threshold/threshold_options.h"

namespace vigil::threshold {
namespace {
constexpr uint32_t kFormatVersion = 1;
}  // namespace

double EmpiricalQuantile(std::span<double> values, double q) {
  VIGIL_CHECK(!values.empty() && q >= 0 && q <= 1);
  double h = static_cast<double>(values.size() - 1) * q;
  size_t lo = static_cast<size_t>(std::floor(h));
  if (lo >= values.size() - 1) return *std::max_element(values.begin(), values.end());
  std::nth_element(values.begin(), values.begin() + lo, values.end());
  double below = values[lo];
  double frac = h - static_cast<double>(lo);
  if (frac == 0) return below;
  // After nth_element everything right of lo is >= values[lo]; its minimum is x_(lo+1).
  double above = *std::min_element(values.begin() + lo + 1, values.end());
  return below + frac * (above - below);
}

Status CheckTrainingScores(std::span<const double> scores, size_t min_count, std::string_view what,
                           std::string_view why_min) {
  if (scores.size() < min_count) {
    return Status::InvalidArgument(std::string(what) + ": need at least " + std::to_string(min_count) +
                                   (min_count == 1 ? " training score" : " training scores") +
                                   std::string(why_min) + ", got " + std::to_string(scores.size()));
  }
  for (size_t i = 0; i < scores.size(); ++i) {
    if (!std::isfinite(scores[i])) {
      return Status::InvalidArgument(std::string(what) + ": training score " + std::to_string(i) + " is " +
                                     ShortestDouble(scores[i]) + "; scores must be finite");
    }
  }
  return Status::OK();
}

Status QuantileThreshold::Fit(std::span<const double> scores) {
  VIGIL_RETURN_IF_ERROR(ValidateThresholdOptions(options_));
  VIGIL_RETURN_IF_ERROR(CheckTrainingScores(scores, 1, "quantile threshold", ""));
  std::vector<double> copy(scores.begin(), scores.end());
  quantile_value_ = EmpiricalQuantile(copy, options_.quantile);
  fitted_ = true;
  return Status::OK();
}

double QuantileThreshold::value() const {
  return fitted_ ? quantile_value_ * options_.margin : std::numeric_limits<double>::infinity();
}

void QuantileThreshold::Save(core::ByteWriter& w) const {
  w.U32(kFormatVersion);
  w.F64(options_.quantile);
  w.F64(options_.margin);
  w.U8(fitted_ ? 1 : 0);
  if (fitted_) w.F64(quantile_value_);
}

Status QuantileThreshold::Load(core::ByteReader& r) {
  uint32_t version = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("quantile.version", &version));
  if (version != kFormatVersion) {
    return r.Error("quantile.version", "unsupported version " + std::to_string(version));
  }
  ThresholdOptions o;
  o.kind = ThresholdKind::kQuantile;
  VIGIL_RETURN_IF_ERROR(r.F64("quantile.quantile", &o.quantile));
  VIGIL_RETURN_IF_ERROR(r.F64("quantile.margin", &o.margin));
  if (Status s = ValidateThresholdOptions(o); !s.ok()) return r.Error("quantile.options", s.message());
  uint8_t fitted = 0;
  VIGIL_RETURN_IF_ERROR(r.U8("quantile.fitted", &fitted));
  if (fitted > 1) return r.Error("quantile.fitted", "expected 0 or 1, got " + std::to_string(fitted));
  double value = 0;
  if (fitted) {
    VIGIL_RETURN_IF_ERROR(r.F64("quantile.value", &value));
    if (!std::isfinite(value)) return r.Error("quantile.value", "not finite: " + ShortestDouble(value));
  }
  options_ = o;
  fitted_ = fitted == 1;
  quantile_value_ = value;
  return Status::OK();
}

void QuantileThreshold::Describe(std::ostream& os) const {
  os << "kind: quantile\nquantile: " << ShortestDouble(options_.quantile)
     << "\nmargin: " << ShortestDouble(options_.margin) << "\n";
  if (fitted_) {
    os << "value: " << ShortestDouble(value()) << "\n";
  } else {
    os << "value: not fitted\n";
  }
}

}  // namespace vigil::threshold
