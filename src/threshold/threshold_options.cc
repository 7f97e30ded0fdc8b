#include "threshold/threshold_options.h"

#include <charconv>
#include <cmath>
#include <string_view>

#include "threshold/gpd_fit.h"

namespace vigil::threshold {

std::string ShortestDouble(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "?";
  return std::string(buf, end);
}

namespace {

Status OutOfRange(std::string_view field, double value, std::string_view range) {
  return Status::InvalidArgument("threshold option '" + std::string(field) + "' = " + ShortestDouble(value) +
                                 " is out of range " + std::string(range));
}

Status ValidateMargin(double margin) {
  if (!(margin > 0) || !std::isfinite(margin)) return OutOfRange("margin", margin, "(0, inf)");
  return Status::OK();
}

Status ValidateTail(const ThresholdOptions& o) {
  if (!(o.risk > 0 && o.risk < 0.5)) return OutOfRange("risk", o.risk, "(0, 0.5)");
  if (!(o.init_quantile > 0.5 && o.init_quantile < 1)) {
    return OutOfRange("init_quantile", o.init_quantile, "(0.5, 1)");
  }
  // The GPD only models scores above t, i.e. the top (1 - init_quantile) of the data; a
  // risk at least that large asks for a threshold at or below t, which the tail model
  // cannot express (it would silently become t).
  if (!(o.risk < 1 - o.init_quantile)) {
    return Status::InvalidArgument(
        "threshold option 'risk' = " + ShortestDouble(o.risk) +
        " must be below 1 - init_quantile (init_quantile = " + ShortestDouble(o.init_quantile) +
        "): only that top fraction of the training scores is modelled");
  }
  return ValidateMargin(o.margin);
}

}  // namespace

Status ValidateThresholdOptions(const ThresholdOptions& o) {
  switch (o.kind) {
    case ThresholdKind::kQuantile:
      if (!(o.quantile > 0 && o.quantile <= 1)) return OutOfRange("quantile", o.quantile, "(0, 1]");
      return ValidateMargin(o.margin);
    case ThresholdKind::kPot:
      return ValidateTail(o);
    case ThresholdKind::kSpot:
      VIGIL_RETURN_IF_ERROR(ValidateTail(o));
      if (o.spot_max_excesses < kMinGpdExcesses) {
        return Status::InvalidArgument(
            "threshold option 'spot_max_excesses' = " + std::to_string(o.spot_max_excesses) +
            " is out of range [" + std::to_string(kMinGpdExcesses) + ", 4294967295]");
      }
      return Status::OK();
    case ThresholdKind::kFixed:
      if (!std::isfinite(o.fixed_value)) {
        return Status::InvalidArgument("threshold option 'fixed_value' = " + ShortestDouble(o.fixed_value) +
                                       " must be finite");
      }
      return Status::OK();
  }
  return Status::InvalidArgument(
      "threshold option 'kind' = " + std::to_string(static_cast<uint32_t>(o.kind)) +
      " is not a known threshold kind (1 quantile, 2 pot, 3 spot, 4 fixed)");
}

}  // namespace vigil::threshold
