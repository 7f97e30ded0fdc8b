// Internal: validation of ThresholdOptions, shared by MakeThreshold (user input) and every
// threshold's Load (model files), so both reject exactly the same values.
#pragma once

#include <string>

#include "vigil/status.h"
#include "vigil/threshold.h"

namespace vigil::threshold {

// Checks the fields that `options.kind` uses; fields of other kinds are ignored so that
// e.g. `--quantile` left at its default never blocks a pot threshold. InvalidArgument
// names the field and its value: "threshold option 'risk' = 0.7 is out of range (0, 0.5)".
Status ValidateThresholdOptions(const ThresholdOptions& options);

// Shortest text that reads back as the same double ("0.001", "6.907755278982137", "nan");
// used in messages and Describe() so printed values can be pasted back as flags.
std::string ShortestDouble(double v);

}  // namespace vigil::threshold
