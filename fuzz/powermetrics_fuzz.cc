// Feeds arbitrary text to the powermetrics parser. Every outcome is fine except a crash, a
// sanitizer report, or an accepted sample with a non-positive interval.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "energy/powermetrics_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto samples = vigil::energy::ParsePowermetrics(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  if (!samples.ok()) return 0;
  for (const auto& s : *samples) {
    if (!(s.elapsed_ms > 0)) std::abort();
    (void)s.Joules();
  }
  return 0;
}
