// Feeds arbitrary MQTT payloads to the reading parser, as JSON and as CSV, under every channel
// policy. Every outcome is fine except a crash, a sanitizer report, or an accepted reading that
// breaks the parser's contract (finite ts; one finite value per channel, NaN only under "hold").
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "serve/reading_parser.h"

namespace {

const std::vector<std::string> kChannels = {"Pressure", "Temperature", "Current"};

vigil::serve::LineConfig Line(uint8_t selector) {
  vigil::serve::LineConfig l;
  l.format = (selector & 1) ? vigil::serve::PayloadFormat::kCsv : vigil::serve::PayloadFormat::kJson;
  l.unknown_channels = (selector & 2) ? vigil::serve::ChannelPolicy::kIgnore : vigil::serve::ChannelPolicy::kReject;
  l.missing_channels = (selector & 4) ? vigil::serve::MissingPolicy::kHold : vigil::serve::MissingPolicy::kReject;
  if (selector & 8) l.csv_columns = {"Current", "ts", "spare", "Pressure", "Temperature"};
  l.max_payload_bytes = 4096;
  return l;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const vigil::serve::LineConfig line = Line(data[0]);
  const vigil::serve::ReadingParser parser(line, kChannels);
  const std::string_view payload(reinterpret_cast<const char*>(data + 1), size - 1);
  vigil::serve::ParsedReading r;
  if (parser.Parse(payload, &r)) return 0;  // refused: any reason is fine
  if (!std::isfinite(r.ts) || r.values.size() != kChannels.size()) std::abort();
  for (float v : r.values) {
    if (std::isnan(v) ? line.missing_channels != vigil::serve::MissingPolicy::kHold : !std::isfinite(v)) std::abort();
  }
  return 0;
}
