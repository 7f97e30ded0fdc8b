// Feeds arbitrary bytes to the CSV reader as a file. Every outcome is fine except a crash,
// a sanitizer report, or a reader that stops consuming input.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "io/timestamp.h"
#include "vigil/csv.h"
#include "vigil/status.h"

namespace {

void ReadAll(const std::string& text, vigil::MissingPolicy policy) {
  std::istringstream in(text);
  vigil::CsvOptions options;
  options.missing = policy;
  options.warn = [](const std::string&) {};
  vigil::Result<std::unique_ptr<vigil::CsvReader>> reader =
      vigil::CsvReader::FromStream(in, "fuzz.csv", options);
  if (!reader.ok()) return;
  const size_t columns = (*reader)->schema().size();
  vigil::CsvRow row;
  // Next() continues after a data error and every call consumes a line, so the input
  // bounds the number of calls; more than that means the reader is stuck.
  for (size_t calls = 0; calls <= text.size() + 1; ++calls) {
    vigil::Result<bool> more = (*reader)->Next(&row);
    if (!more.ok()) continue;
    if (!*more) return;
    VIGIL_CHECK(row.values.size() == columns);
    for (float v : row.values) VIGIL_CHECK(!std::isnan(v));  // the policy never lets NaN through
  }
  VIGIL_CHECK(false && "reader did not reach the end of the input");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ReadAll(text, vigil::MissingPolicy::kHold);
  ReadAll(text, vigil::MissingPolicy::kSkip);
  ReadAll(text, vigil::MissingPolicy::kFail);
  // The timestamp parser also sees the raw bytes, and whatever it accepts must format.
  vigil::Result<double> t = vigil::io::ParseTimestamp(std::string_view(text).substr(0, 64));
  if (t.ok()) (void)vigil::io::FormatTimestamp(*t);
  return 0;
}
