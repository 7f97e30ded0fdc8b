// The public entry points of vigil/threshold.h: kind names, construction, and the
// debouncer's checkpoint.
#include <memory>
#include <string>

#include "core/byte_io.h"
#include "threshold/fixed_threshold.h"
#include "threshold/pot_threshold.h"
#include "threshold/quantile_threshold.h"
#include "threshold/spot_threshold.h"
#include "threshold/threshold_options.h"
#include "vigil/threshold.h"

namespace vigil {
namespace {

constexpr ThresholdKind kAllKinds[] = {ThresholdKind::kQuantile, ThresholdKind::kPot, ThresholdKind::kSpot,
                                       ThresholdKind::kFixed};

std::unique_ptr<Threshold> Create(const ThresholdOptions& options) {
  switch (options.kind) {
    case ThresholdKind::kQuantile:
      return std::make_unique<threshold::QuantileThreshold>(options);
    case ThresholdKind::kPot:
      return std::make_unique<threshold::PotThreshold>(options);
    case ThresholdKind::kSpot:
      return std::make_unique<threshold::SpotThreshold>(options);
    case ThresholdKind::kFixed:
      return std::make_unique<threshold::FixedThreshold>(options);
  }
  return nullptr;
}

}  // namespace

Result<ThresholdKind> ParseThresholdKind(std::string_view text) {
  for (ThresholdKind kind : kAllKinds) {
    if (text == ThresholdKindName(kind)) return kind;
  }
  return Status::InvalidArgument("unknown threshold kind '" + std::string(text) +
                                 "' (expected quantile, pot, spot or fixed)");
}

std::string_view ThresholdKindName(ThresholdKind kind) {
  switch (kind) {
    case ThresholdKind::kQuantile:
      return "quantile";
    case ThresholdKind::kPot:
      return "pot";
    case ThresholdKind::kSpot:
      return "spot";
    case ThresholdKind::kFixed:
      return "fixed";
  }
  return "unknown";
}

Result<std::unique_ptr<Threshold>> MakeThreshold(const ThresholdOptions& options) {
  VIGIL_RETURN_IF_ERROR(threshold::ValidateThresholdOptions(options));
  return Create(options);
}

std::unique_ptr<Threshold> NewThreshold(ThresholdKind kind) {
  ThresholdOptions options;
  options.kind = kind;
  return Create(options);
}

void Debouncer::SaveState(core::ByteWriter& w) const {
  w.U32(min_run_);
  w.U32(run_);
}

Status Debouncer::LoadState(core::ByteReader& r) {
  uint32_t min_run = 0, run = 0;
  VIGIL_RETURN_IF_ERROR(r.U32("debouncer.min_run", &min_run));
  if (min_run != min_run_) {
    return r.Error("debouncer.min_run", "state saved with min_run " + std::to_string(min_run) +
                                            ", this debouncer has " + std::to_string(min_run_));
  }
  VIGIL_RETURN_IF_ERROR(r.U32("debouncer.run", &run));
  run_ = run;
  return Status::OK();
}

}  // namespace vigil
