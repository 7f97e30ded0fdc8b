// Feeds arbitrary text to the device-profile parser and, when it parses, runs the planner and the
// LLM sizing over it. Every outcome is fine except a crash, a sanitizer report, or an accepted
// profile that breaks the parser's contract (at least one unit, positive memory bandwidth, links
// between declared units).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "plan/device_profile.h"
#include "plan/llm_sizing.h"
#include "plan/planner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto profile = vigil::plan::ParseDeviceProfile(text, "fuzz.toml");
  if (!profile.ok()) return 0;
  if (profile->units.empty() || !(profile->memory_bandwidth_gbs > 0)) std::abort();
  for (const auto& link : profile->links) {
    if (profile->FindUnit(link.from) == nullptr || profile->FindUnit(link.to) == nullptr) std::abort();
  }
  vigil::plan::OpCost op = vigil::plan::FloatGemvCost("gemv", 64, 32, 4);
  (void)vigil::plan::MakePlan({op, vigil::plan::ReconstructionScoreCost(32, 4)}, *profile, {});
  auto spec = vigil::plan::MakeLlmSpec({.params = 3e9});
  if (spec.ok()) (void)vigil::plan::SizeLlm(*spec, *profile);
  (void)vigil::plan::FormatDeviceProfile(*profile, {});
  return 0;
}
