// Turns one MQTT payload into one reading of a line: a timestamp and a value per model channel.
//
//   serve::ReadingParser parser(line_config, model.schema().names());
//   serve::ParsedReading r;
//   if (auto reject = parser.Parse(payload, &r)) { count reject->reason; }   // refused, with why
//
// JSON payloads are one object: {"ts": <epoch seconds | time text>, "<channel>": <number>, ...}.
// CSV payloads are one line; columns are the line's csv_columns (default: ts, then the model's
// channels in model order); the delimiter is ';' when the line holds one, else ','.
// What is refused, and why (RejectReason):
//   oversize         payload longer than max_payload_bytes (checked first; nothing is parsed)
//   malformed        not JSON / not an object; CSV with the wrong number of cells
//   missing_timestamp  no ts (or an empty ts cell)
//   wrong_type       ts neither a number nor a time text; a channel value that is not a number
//   non_finite       a channel value NaN or ±Inf (CSV "nan"/"inf"), or beyond float range
//   unknown_channel  a JSON key that is not a model channel (policy "reject"; "ignore" skips it)
//   missing_channel  a model channel absent, null or an empty CSV cell (policy "reject"; with
//                    "hold" it is returned as NaN and the line holds its last value)
// Not thread-safe (keeps scratch); one parser per line.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serve/records.h"
#include "serve/serve_config.h"

namespace vigil::serve {

struct ParsedReading {
  double ts = 0;
  std::vector<float> values;  // model channel order; NaN = absent (only under policy "hold")
};

struct ParseReject {
  RejectReason reason;
  std::string detail;
};

class ReadingParser {
 public:
  ReadingParser(const LineConfig& line, std::vector<std::string> channels);
  // nullopt on success (`out` filled); otherwise why the payload was refused.
  // `arrived_bytes`: the payload's size on arrival when only its start was kept (0 = whole).
  std::optional<ParseReject> Parse(std::string_view payload, ParsedReading* out, size_t arrived_bytes = 0) const;

 private:
  std::optional<ParseReject> ParseJson(std::string_view payload, ParsedReading* out) const;
  std::optional<ParseReject> ParseCsv(std::string_view payload, ParsedReading* out) const;
  std::optional<ParseReject> CheckMissing(const ParsedReading& r) const;

  LineConfig line_;
  std::vector<std::string> channels_;
  std::vector<int> csv_column_channel_;  // per CSV column: channel index, -1 = ts, -2 = ignored
};

}  // namespace vigil::serve
