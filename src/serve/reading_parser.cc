#include "serve/reading_parser.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "io/numeric_cell.h"
#include "io/timestamp.h"

namespace vigil::serve {
namespace {

constexpr float kAbsent = std::numeric_limits<float>::quiet_NaN();

std::string TypeName(const nlohmann::json& v) { return v.type_name(); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::optional<ParseReject> ParseTs(std::string_view text, double* ts) {
  Result<double> t = io::ParseTimestamp(text);
  if (!t.ok()) return ParseReject{RejectReason::kWrongType, "ts '" + std::string(text) + "': " + t.status().message()};
  *ts = *t;
  return std::nullopt;
}

}  // namespace

ReadingParser::ReadingParser(const LineConfig& line, std::vector<std::string> channels)
    : line_(line), channels_(std::move(channels)) {
  std::vector<std::string> columns = line_.csv_columns;
  if (columns.empty()) {
    columns.push_back("ts");
    columns.insert(columns.end(), channels_.begin(), channels_.end());
  }
  for (const std::string& c : columns) {
    int index = -2;
    if (c == "ts") index = -1;
    for (size_t i = 0; i < channels_.size(); ++i) {
      if (channels_[i] == c) index = static_cast<int>(i);
    }
    csv_column_channel_.push_back(index);
  }
}

std::optional<ParseReject> ReadingParser::Parse(std::string_view payload, ParsedReading* out,
                                                size_t arrived_bytes) const {
  const size_t size = std::max(arrived_bytes, payload.size());
  if (size > line_.max_payload_bytes) {
    return ParseReject{RejectReason::kOversize, std::to_string(size) + " bytes, limit " +
                                                    std::to_string(line_.max_payload_bytes)};
  }
  out->values.assign(channels_.size(), kAbsent);
  std::optional<ParseReject> reject =
      line_.format == PayloadFormat::kJson ? ParseJson(payload, out) : ParseCsv(payload, out);
  if (reject) return reject;
  return CheckMissing(*out);
}

std::optional<ParseReject> ReadingParser::CheckMissing(const ParsedReading& r) const {
  if (line_.missing_channels == MissingPolicy::kHold) return std::nullopt;
  for (size_t i = 0; i < channels_.size(); ++i) {
    if (std::isnan(r.values[i])) return ParseReject{RejectReason::kMissingChannel, "channel '" + channels_[i] + "' is absent"};
  }
  return std::nullopt;
}

std::optional<ParseReject> ReadingParser::ParseJson(std::string_view payload, ParsedReading* out) const {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(payload.begin(), payload.end());
  } catch (const nlohmann::json::parse_error& e) {
    return ParseReject{RejectReason::kMalformed, "not JSON (byte " + std::to_string(e.byte) + ")"};
  } catch (const nlohmann::json::exception& e) {  // e.g. a number too large for a double
    return ParseReject{RejectReason::kMalformed, std::string("not usable JSON: ") + e.what()};
  }
  if (!doc.is_object()) return ParseReject{RejectReason::kMalformed, "expected a JSON object, got " + TypeName(doc)};
  bool have_ts = false;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    const nlohmann::json& v = it.value();
    if (key == "ts") {
      if (v.is_number()) {
        out->ts = v.get<double>();
        if (!std::isfinite(out->ts)) return ParseReject{RejectReason::kWrongType, "ts is not finite"};
      } else if (v.is_string()) {
        if (auto r = ParseTs(v.get_ref<const std::string&>(), &out->ts)) return r;
      } else {
        return ParseReject{RejectReason::kWrongType, "ts: expected epoch seconds or a time text, got " + TypeName(v)};
      }
      have_ts = true;
      continue;
    }
    int index = -1;
    for (size_t i = 0; i < channels_.size(); ++i) {
      if (channels_[i] == key) index = static_cast<int>(i);
    }
    if (index < 0) {
      if (line_.unknown_channels == ChannelPolicy::kIgnore) continue;
      return ParseReject{RejectReason::kUnknownChannel, "channel '" + key + "' is not in the model"};
    }
    if (v.is_null()) continue;  // absent
    if (!v.is_number()) {
      return ParseReject{RejectReason::kWrongType, "channel '" + key + "': expected a number, got " + TypeName(v)};
    }
    const double d = v.get<double>();
    const float f = static_cast<float>(d);
    if (!std::isfinite(d) || !std::isfinite(f)) {
      return ParseReject{RejectReason::kNonFinite, "channel '" + key + "': " + std::to_string(d) + " is not a finite float"};
    }
    out->values[static_cast<size_t>(index)] = f;
  }
  if (!have_ts) return ParseReject{RejectReason::kMissingTimestamp, "no \"ts\" key"};
  return std::nullopt;
}

std::optional<ParseReject> ReadingParser::ParseCsv(std::string_view payload, ParsedReading* out) const {
  std::string_view line = Trim(payload);
  if (line.find('\n') != std::string_view::npos) {
    return ParseReject{RejectReason::kMalformed, "expected one CSV line, got several"};
  }
  const char delim = line.find(';') != std::string_view::npos ? ';' : ',';
  size_t column = 0;
  bool have_ts = false;
  size_t start = 0;
  while (true) {
    const size_t end = std::min(line.find(delim, start), line.size());
    if (column >= csv_column_channel_.size()) {
      return ParseReject{RejectReason::kMalformed, "more than the " + std::to_string(csv_column_channel_.size()) +
                                                       " expected cells"};
    }
    const std::string_view cell = Trim(line.substr(start, end - start));
    const int target = csv_column_channel_[column];
    if (target == -1) {
      if (!cell.empty()) {
        if (auto r = ParseTs(cell, &out->ts)) return r;
        have_ts = true;
      }
    } else if (target >= 0 && !cell.empty() && cell != "NA") {
      float v = 0;
      const std::string& name = channels_[static_cast<size_t>(target)];
      switch (io::ParseNumericCell(cell, &v)) {
        case io::CellKind::kNumber: out->values[static_cast<size_t>(target)] = v; break;
        case io::CellKind::kNonNumeric:
          return ParseReject{RejectReason::kWrongType, "channel '" + name + "': '" + std::string(cell) + "' is not a number"};
        case io::CellKind::kMissing:  // NaN spelled out
        case io::CellKind::kInfinite:
        case io::CellKind::kOutOfRange:
          return ParseReject{RejectReason::kNonFinite, "channel '" + name + "': '" + std::string(cell) + "' is not finite"};
      }
    }
    ++column;
    if (end == line.size()) break;
    start = end + 1;
  }
  if (column != csv_column_channel_.size()) {
    return ParseReject{RejectReason::kMalformed, std::to_string(column) + " cells, expected " +
                                                     std::to_string(csv_column_channel_.size())};
  }
  if (!have_ts) return ParseReject{RejectReason::kMissingTimestamp, "empty ts cell"};
  return std::nullopt;
}

}  // namespace vigil::serve
