#include "io/csv_header.h"

#include <algorithm>
#include <span>
#include <string>
#include <unordered_map>

#include "io/cell_text.h"
#include "io/csv_line_splitter.h"
#include "io/numeric_cell.h"
#include "io/timestamp.h"

namespace vigil::io {
namespace {

constexpr std::string_view kTimeNames[] = {"datetime", "timestamp", "time", "date", "ts"};
constexpr size_t kMaxListedColumns = 20;

std::string At(std::string_view source) { return std::string(source) + ":1: "; }
std::string At(std::string_view source, size_t field) {
  return std::string(source) + ":1:" + std::to_string(field + 1) + ": ";
}

// "a, b, c" — cut after kMaxListedColumns so a wide file does not produce a wall of text.
std::string ListColumns(const std::vector<std::string>& header) {
  std::string out;
  const size_t shown = std::min(header.size(), kMaxListedColumns);
  for (size_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    out += header[i];
  }
  if (shown < header.size()) out += ", ... (" + std::to_string(header.size() - shown) + " more)";
  return out;
}

// True when every field reads as data (numbers, timestamps, empty or missing markers) and at
// least one is a number or timestamp: then the file most likely lacks its header line.
bool LooksLikeData(std::span<const std::string_view> fields) {
  bool any_value = false;
  for (std::string_view field : fields) {
    float value = 0;
    const CellKind kind = ParseNumericCell(field, &value);
    if (kind == CellKind::kMissing) continue;
    if (kind == CellKind::kNonNumeric && !ParseTimestamp(field).ok()) return false;
    any_value = true;
  }
  return any_value;
}

size_t FindColumn(const std::vector<std::string>& header, std::string_view name) {
  const auto it = std::find(header.begin(), header.end(), name);
  return it == header.end() ? kNoField : static_cast<size_t>(it - header.begin());
}

size_t FindColumnIgnoreCase(const std::vector<std::string>& header, std::string_view name) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (EqualsIgnoreCase(header[i], name)) return i;
  }
  return kNoField;
}

Result<std::vector<std::string>> ReadNames(std::string_view line, std::string_view source, char delimiter) {
  CsvLineSplitter splitter(delimiter);
  if (!splitter.Split(line)) {
    return Status::DataError(At(source, splitter.error_field() - 1) + splitter.error_reason());
  }
  const auto fields = splitter.fields();
  if (LooksLikeData(fields)) {
    return Status::DataError(std::string(source) + ":1:1: missing header: the first line " +
                             QuoteForMessage(line, 60) + " looks like data, not column names");
  }
  std::vector<std::string> names;
  names.reserve(fields.size());
  std::unordered_map<std::string_view, size_t> seen;
  for (size_t i = 0; i < fields.size(); ++i) {
    const std::string_view name = TrimSpaces(fields[i]);
    if (name.empty()) return Status::DataError(At(source, i) + "empty column name");
    const auto [it, inserted] = seen.emplace(name, i);
    if (!inserted) {
      return Status::DataError(At(source, i) + "duplicate column name " + QuoteForMessage(name, 80) +
                               " (also column " + std::to_string(it->second + 1) + ")");
    }
    names.emplace_back(name);
  }
  return names;
}

}  // namespace

Result<char> DetectDelimiter(std::string_view header_line) {
  size_t commas = 0;
  size_t semicolons = 0;
  size_t tabs = 0;
  bool quoted = false;
  for (char c : header_line) {
    if (c == '"') quoted = !quoted;  // "" inside quotes toggles twice: no effect
    if (quoted) continue;
    commas += c == ',';
    semicolons += c == ';';
    tabs += c == '\t';
  }
  const size_t best = std::max({commas, semicolons, tabs});
  if (best == 0) return ',';
  const int winners = (commas == best) + (semicolons == best) + (tabs == best);
  if (winners > 1) {
    std::string counts;
    const auto add = [&](size_t count, const char* what) {
      if (count != best) return;
      if (!counts.empty()) counts += " and ";
      counts += std::to_string(count) + " " + what;
    };
    add(commas, "','");
    add(semicolons, "';'");
    add(tabs, "tab");
    return Status::DataError("the header has " + counts + "; set the delimiter explicitly");
  }
  return commas == best ? ',' : semicolons == best ? ';' : '\t';
}

Result<CsvLayout> ParseCsvHeader(std::string_view line, std::string_view source, const CsvOptions& options) {
  CsvLayout layout;
  if (options.delimiter != 0) {
    if (options.delimiter == '"' || options.delimiter == '\n' || options.delimiter == '\r') {
      return Status::InvalidArgument("delimiter " + QuoteForMessage(std::string_view(&options.delimiter, 1)) +
                                     " is not allowed");
    }
    layout.delimiter = options.delimiter;
  } else {
    Result<char> detected = DetectDelimiter(line);
    if (!detected.ok()) {
      return Status::DataError(At(source) + "cannot detect the delimiter: " + detected.status().message());
    }
    layout.delimiter = *detected;
  }

  VIGIL_ASSIGN_OR_RETURN(layout.header, ReadNames(line, source, layout.delimiter));
  const std::vector<std::string>& header = layout.header;

  if (!options.time_column.empty()) {
    layout.time_field = FindColumn(header, options.time_column);
    if (layout.time_field == kNoField) {
      return Status::NotFound(At(source) + "unknown time column " + QuoteForMessage(options.time_column, 80) +
                              " (columns: " + ListColumns(header) + ")");
    }
  } else {
    for (size_t i = 0; i < header.size() && layout.time_field == kNoField; ++i) {
      for (std::string_view candidate : kTimeNames) {
        if (EqualsIgnoreCase(header[i], candidate)) {
          layout.time_field = i;
          break;
        }
      }
    }
  }

  // Labels match case-insensitively: an "Anomaly" column must never leak into the features.
  std::vector<bool> is_label(header.size(), false);
  for (const std::string& label : options.label_columns) {
    const size_t field = FindColumnIgnoreCase(header, label);
    if (field != kNoField && field == layout.time_field) {
      return Status::InvalidArgument(At(source) + "column " + QuoteForMessage(header[field], 80) +
                                     " cannot be both the time column and a label column");
    }
    layout.label_fields.push_back(field);
    if (field != kNoField) is_label[field] = true;
  }

  if (!options.columns.empty()) {
    std::vector<bool> chosen(header.size(), false);
    for (const std::string& name : options.columns) {
      const size_t field = FindColumn(header, name);
      if (field == kNoField) {
        return Status::NotFound(At(source) + "unknown column " + QuoteForMessage(name, 80) +
                                " (columns: " + ListColumns(header) + ")");
      }
      const std::string shown = QuoteForMessage(name, 80);
      if (field == layout.time_field) {
        return Status::InvalidArgument(At(source) + "column " + shown + " is the time column, not a feature");
      }
      if (is_label[field]) {
        return Status::InvalidArgument(At(source) + "column " + shown + " is a label column, not a feature");
      }
      if (chosen[field]) return Status::InvalidArgument(At(source) + "column " + shown + " is listed twice");
      chosen[field] = true;
      layout.feature_fields.push_back(field);
    }
  } else {
    for (size_t i = 0; i < header.size(); ++i) {
      if (i != layout.time_field && !is_label[i]) layout.feature_fields.push_back(i);
    }
    if (layout.feature_fields.empty()) {
      return Status::DataError(At(source) + "no feature columns (columns: " + ListColumns(header) + ")");
    }
  }
  return layout;
}

}  // namespace vigil::io
