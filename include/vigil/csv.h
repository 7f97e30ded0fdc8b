// vigil/csv.h — streaming CSV ingest.
//
//   vigil::CsvOptions opt;                       // delimiter and time column auto-detected
//   auto reader = vigil::CsvReader::Open("run.csv", opt);
//   if (!reader.ok()) return Fail(reader.status());   // "run.csv:1:1: empty file"
//   vigil::CsvRow row;
//   while (true) {
//     vigil::Result<bool> more = (*reader)->Next(&row);
//     if (!more.ok()) return Fail(more.status());    // "run.csv:17:4: non-numeric value 'abc' in column
//     'Current'" if (!*more) break; Use(row.timestamp, row.values);
//   }
//
// Contract
// - Header line required. Delimiter: ',', ';' or '\t', detected from the header (or forced).
// - Time column: named by `time_column`, else the first column whose header is one of
//   datetime/timestamp/time/date/ts (case-insensitive), else none (timestamp = 0-based row
//   number). Formats: ISO 8601 ("2020-03-09T10:14:33", optional fraction, optional 'Z' or
//   ±hh:mm offset), "YYYY-MM-DD hh:mm:ss[.fff]", or epoch seconds (integer or decimal).
// - Label columns ("anomaly", "changepoint" by default) are never features; their values
//   are returned in CsvRow::labels (NaN where a label column is absent or the cell empty).
//   Label names match case-insensitively, so an "Anomaly" column cannot leak into features.
// - Feature columns: `columns` if given (each must exist: NotFound naming it), else every
//   other column, in file order.
// - Memory is constant in the number of rows: one line is held at a time.
// - Lines: LF or CRLF; a UTF-8 BOM is ignored; fields may be double-quoted (RFC 4180, ""
//   for a quote) but a quoted field cannot span lines. Blank lines are skipped anywhere:
//   they are not rows (not counted as skipped, do not advance the row-number timestamp).
// - Errors are DataError/NotFound/IOError with "file:line:col: message" (1-based line and
//   column, the column being the 1-based field index), never a crash:
//   empty file, missing header, duplicate header name, ragged row, non-numeric cell,
//   Inf cell, bad timestamp, unknown column, missing value under MissingPolicy::kFail.
//   Contradictory options (a `columns` entry that is the time or a label column or is
//   listed twice; a '"' delimiter) are InvalidArgument.
// - Missing values (empty cell, "NaN", "nan", "NA") follow MissingPolicy:
//   kHold: replaced by that channel's last seen value; rows before a channel's first value
//          are skipped (counted in skipped_rows()).
//   kSkip: the row is skipped (counted).
//   kFail: DataError.
// - Timestamps that go backwards or repeat produce a warning (through the warning sink,
//   at most 10 printed, all counted) and rows keep file order.
// Not thread-safe; one reader per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <vector>

#include "vigil/frame.h"
#include "vigil/status.h"

namespace vigil {

enum class MissingPolicy { kHold, kSkip, kFail };

// Parses "hold" | "skip" | "fail".
Result<MissingPolicy> ParseMissingPolicy(std::string_view text);

struct CsvOptions {
  char delimiter = 0;                // 0 = detect from the header line
  std::string time_column;           // empty = detect
  std::vector<std::string> columns;  // empty = all non-time, non-label columns
  std::vector<std::string> label_columns = {"anomaly", "changepoint"};
  MissingPolicy missing = MissingPolicy::kHold;
  // Receives warnings ("file:line: timestamp goes backwards ..."). Default: stderr.
  std::function<void(const std::string&)> warn;
};

struct CsvRow {
  double timestamp = 0;       // epoch seconds (UTC) or row number
  std::string time_text;      // the timestamp cell as written (empty without a time column)
  std::vector<float> values;  // one per feature column, NaN never (policy applied)
  std::vector<float> labels;  // one per CsvOptions::label_columns entry, NaN if absent/empty
  uint64_t line = 0;          // 1-based line number in the file
};

class CsvReader {
 public:
  // Opens a file; "-" reads standard input.
  static Result<std::unique_ptr<CsvReader>> Open(const std::string& path, const CsvOptions& options);
  // Reads from a caller-owned stream that must outlive the reader; `name` is used in messages.
  static Result<std::unique_ptr<CsvReader>> FromStream(std::istream& in, std::string name,
                                                       const CsvOptions& options);
  virtual ~CsvReader() = default;

  // Feature channels, in output order.
  virtual const FrameSchema& schema() const = 0;
  // Name of the time column, or empty.
  virtual const std::string& time_column() const = 0;
  // For each of CsvOptions::label_columns, whether the file has it.
  virtual const std::vector<bool>& has_label() const = 0;
  // Next row into *row. true = a row was read; false = end of input. After a data error
  // the offending line has been consumed; calling Next() again continues with the next one.
  virtual Result<bool> Next(CsvRow* row) = 0;
  virtual uint64_t skipped_rows() const = 0;
  virtual uint64_t timestamp_warnings() const = 0;
};

// Convenience: reads a whole file into a table (+ labels, row-major rows × label_columns).
// max_rows = 0 reads everything.
struct LabelledTable {
  FrameTable frames;
  std::vector<std::string> time_text;
  std::vector<float> labels;  // rows × label_columns.size()
  std::vector<bool> has_label;
};
Result<LabelledTable> ReadCsvTable(const std::string& path, const CsvOptions& options, size_t max_rows = 0);

}  // namespace vigil
