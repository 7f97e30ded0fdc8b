#include "threshold/fixed_threshold.h"

#include <cmath>
#include <string>

#include "core/byte_io.h"
#include "threshold/threshold_options.h"

namespace vigil::threshold {
namespace {
constexpr uint32_t kFormatVersion = 1;
}  // namespace

Status FixedThreshold::Fit(std::span<const double> /*scores*/) {
  ThresholdOptions o;
  o.kind = ThresholdKind::kFixed;
  o.fixed_value = value_;
  return ValidateThresholdOptions(o);
}

void FixedThreshold::Save(core::ByteWriter& w) const {
  w.U32(kFormatVersion);
  w.F64(value_);
}

Status FixedThreshold::Load(core::ByteReader& r) {
  uint32_t version = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("fixed.version", &version));
  if (version != kFormatVersion)
    return r.Error("fixed.version", "unsupported version " + std::to_string(version));
  double v = 0;
  VIGIL_RETURN_IF_ERROR(r.F64("fixed.value", &v));
  if (!std::isfinite(v))
    return r.Error("fixed.value", "invalid value " + ShortestDouble(v) + " (expected finite)");
  value_ = v;
  return Status::OK();
}

void FixedThreshold::Describe(std::ostream& os) const {
  os << "kind: fixed\nvalue: " << ShortestDouble(value_) << "\n";
}

}  // namespace vigil::threshold
