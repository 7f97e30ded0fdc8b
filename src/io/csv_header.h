// Internal: reads the CSV header line into a layout — which field is the time, which are
// features, which are labels — so the per-row loop only indexes.
//
//   Result<io::CsvLayout> layout = io::ParseCsvHeader(first_line, "run.csv", options);
//
// Delimiter detection: the candidate (',', ';', '\t') occurring most often outside quotes.
// A tie between candidates is an error (force the delimiter instead); a header with none of
// them is a single column, split on ',' (so a data row "1,2" is reported as ragged).
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/csv.h"
#include "vigil/status.h"

namespace vigil::io {

inline constexpr size_t kNoField = std::numeric_limits<size_t>::max();

struct CsvLayout {
  char delimiter = ',';
  std::vector<std::string> header;     // names as in the file, unquoted and trimmed
  size_t time_field = kNoField;        // index into header
  std::vector<size_t> feature_fields;  // output order
  std::vector<size_t> label_fields;    // one per CsvOptions::label_columns; kNoField if absent
};

// Picks the delimiter of a header line, or explains why it cannot (bare reason).
Result<char> DetectDelimiter(std::string_view header_line);

// `line` is the first line without BOM and line terminator; `source` names the input in
// messages ("run.csv:1:3: duplicate column name 'a' (also column 1)").
Result<CsvLayout> ParseCsvHeader(std::string_view line, std::string_view source, const CsvOptions& options);

}  // namespace vigil::io
