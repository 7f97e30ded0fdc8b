// Parses the text macOS `powermetrics` prints, e.g. from
//   sudo powermetrics --samplers cpu_power,gpu_power,ane_power -i 1000 -n 5 > pm.txt
// into power samples, so energy measured on a Mac (where vigil's Core ML models run on the
// Neural Engine) can be brought back and reported beside the modelled figures:
//
//   VIGIL_ASSIGN_OR_RETURN(std::vector<energy::PowerSample> s, energy::ParsePowermetrics(text, "pm.txt"));
//
// A sample starts at a "*** Sampled system activity (...) (1000.32ms elapsed) ***" header and
// carries "CPU Power: 1234 mW", "GPU Power: 56 mW", "ANE Power: 0 mW" and "Combined Power (CPU +
// GPU + ANE): 1290 mW" lines (any of them may be absent: NaN). Other lines are ignored. A power
// line whose value is not a number in mW, or a power line before the first header, is a
// DataError naming file:line:column.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vigil/status.h"

namespace vigil::energy {

struct PowerSample {
  double elapsed_ms = 0;     // the sampling interval from the header
  double cpu_mw = 0, gpu_mw = 0, ane_mw = 0, combined_mw = 0;  // NaN when the line is absent
  double Joules() const;     // combined power (else the sum of the parts present) × interval
};

Result<std::vector<PowerSample>> ParsePowermetrics(std::string_view text, const std::string& file);

}  // namespace vigil::energy
