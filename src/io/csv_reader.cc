// The streaming reader behind vigil/csv.h.
//
// Details the public contract leaves open:
// - Blank lines are skipped because they are typical concatenation or editor artifacts and
//   carry no sample. A line of only spaces is not blank: it is a row, usually a ragged one.
// - Without a time column the timestamp is the 0-based index of the data row in the file,
//   counting rows dropped by the missing-value policy, so gaps stay visible.
// - Label cells are never "missing" under kFail: an unlabelled row is NaN, not an error.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>

#include "io/cell_text.h"
#include "io/csv_header.h"
#include "io/csv_line_splitter.h"
#include "io/numeric_cell.h"
#include "io/timestamp.h"
#include "vigil/csv.h"

#if defined(__GLIBCXX__) && __has_include(<unistd.h>)
#include <unistd.h>

#include <ext/stdio_filebuf.h>
#define VIGIL_CSV_BUFFERED_STDIN 1
#endif

namespace vigil {
namespace {

constexpr size_t kMaxPrintedTimestampWarnings = 10;
constexpr size_t kFileBufferBytes = 1 << 16;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr std::string_view kBom = "\xEF\xBB\xBF";

void WarnToStderr(const std::string& message) { std::fprintf(stderr, "warning: %s\n", message.c_str()); }

// A stream the reader opened itself. Members are destroyed stream first, storage last.
struct OwnedInput {
  std::unique_ptr<char[]> storage;
  std::unique_ptr<std::streambuf> buffer;
  std::unique_ptr<std::istream> stream;
};

class StreamCsvReader final : public CsvReader {
 public:
  StreamCsvReader(std::istream& in, std::string name, const CsvOptions& options)
      : in_(&in), name_(std::move(name)), options_(options), splitter_(',') {
    if (!options_.warn) options_.warn = WarnToStderr;
  }

  StreamCsvReader(OwnedInput input, std::string name, const CsvOptions& options)
      : StreamCsvReader(*input.stream, std::move(name), options) {
    owned_ = std::move(input);
  }

  Status ReadHeader();

  const FrameSchema& schema() const override { return schema_; }
  const std::string& time_column() const override { return time_column_; }
  const std::vector<bool>& has_label() const override { return has_label_; }
  Result<bool> Next(CsvRow* row) override;
  uint64_t skipped_rows() const override { return skipped_rows_; }
  uint64_t timestamp_warnings() const override { return timestamp_warnings_; }

 private:
  // Next line into line_ without its terminator; false at end of input or on a read error
  // (read_error_ tells which).
  bool ReadLine();
  Result<bool> ReadRow(CsvRow* row);
  Status CellError(size_t field, const std::string& what) const;
  Status ParseValue(size_t field, std::string_view cell, bool is_label, float* value, bool* missing) const;
  void CheckOrder(double timestamp, std::string_view text);

  // Const after ReadHeader.
  OwnedInput owned_;  // empty when reading a caller's stream
  std::istream* in_;
  std::string name_;
  CsvOptions options_;
  io::CsvLayout layout_;
  FrameSchema schema_;
  std::string time_column_;
  std::vector<bool> has_label_;

  // Per-line state, reused so that steady-state reading does not allocate.
  std::string line_;
  io::CsvLineSplitter splitter_;
  std::vector<float> values_;
  std::vector<float> labels_;
  std::vector<float> last_values_;  // kHold: last observed value per feature
  std::vector<bool> has_last_;

  uint64_t line_number_ = 0;
  uint64_t data_rows_ = 0;
  uint64_t skipped_rows_ = 0;
  uint64_t timestamp_warnings_ = 0;
  bool read_error_ = false;
  bool have_previous_ = false;
  double previous_timestamp_ = 0;
  uint64_t previous_line_ = 0;
  std::string previous_text_;
};

bool StreamCsvReader::ReadLine() {
  if (read_error_ || !std::getline(*in_, line_)) {
    read_error_ = read_error_ || in_->bad();
    return false;
  }
  ++line_number_;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  return true;
}

Status StreamCsvReader::ReadHeader() {
  const Status empty = Status::DataError(name_ + ":1:1: empty file (a header line is required)");
  if (!ReadLine()) {
    return read_error_ ? Status::IOError(name_ + ": read error") : empty;
  }
  if (line_.starts_with(kBom)) line_.erase(0, kBom.size());
  if (line_.empty()) {
    while (ReadLine()) {
      if (!line_.empty()) return Status::DataError(name_ + ":1:1: missing header: line 1 is blank");
    }
    return read_error_ ? Status::IOError(name_ + ": read error") : empty;
  }
  if (line_.find('\r') != std::string::npos) {
    return Status::DataError(name_ + ":1: carriage return inside the header line " +
                             "(classic Mac line endings are not supported; use LF or CRLF)");
  }
  VIGIL_ASSIGN_OR_RETURN(layout_, io::ParseCsvHeader(line_, name_, options_));

  std::vector<std::string> channels;
  for (size_t field : layout_.feature_fields) channels.push_back(layout_.header[field]);
  schema_ = FrameSchema(std::move(channels));
  if (layout_.time_field != io::kNoField) time_column_ = layout_.header[layout_.time_field];
  for (size_t field : layout_.label_fields) has_label_.push_back(field != io::kNoField);

  splitter_ = io::CsvLineSplitter(layout_.delimiter);
  values_.assign(schema_.size(), 0.0f);
  last_values_.assign(schema_.size(), 0.0f);
  has_last_.assign(schema_.size(), false);
  labels_.assign(layout_.label_fields.size(), kNaN);
  return Status::OK();
}

Status StreamCsvReader::CellError(size_t field, const std::string& what) const {
  return Status::DataError(name_ + ":" + std::to_string(line_number_) + ":" + std::to_string(field + 1) +
                           ": " + what);
}

Status StreamCsvReader::ParseValue(size_t field, std::string_view cell, bool is_label, float* value,
                                   bool* missing) const {
  *missing = false;
  const io::CellKind kind = io::ParseNumericCell(cell, value);
  if (kind == io::CellKind::kNumber) return Status::OK();
  const std::string column = io::QuoteForMessage(layout_.header[field], 80);
  switch (kind) {
    case io::CellKind::kNumber:
      break;
    case io::CellKind::kMissing:
      if (options_.missing == MissingPolicy::kFail && !is_label) {
        return CellError(field, "missing value in column " + column);
      }
      *missing = true;
      return Status::OK();
    case io::CellKind::kNonNumeric:
      return CellError(
          field, "non-numeric value " + io::QuoteForMessage(io::TrimSpaces(cell)) + " in column " + column);
    case io::CellKind::kInfinite:
      return CellError(field, "infinite value in column " + column);
    case io::CellKind::kOutOfRange:
      return CellError(field, "value " + io::QuoteForMessage(io::TrimSpaces(cell)) +
                                  " is out of float range in column " + column);
  }
  return Status::OK();
}

void StreamCsvReader::CheckOrder(double timestamp, std::string_view text) {
  if (have_previous_ && timestamp <= previous_timestamp_) {
    ++timestamp_warnings_;
    if (timestamp_warnings_ <= kMaxPrintedTimestampWarnings) {
      std::string message = name_ + ":" + std::to_string(line_number_) + ": timestamp ";
      message += timestamp < previous_timestamp_ ? "goes backwards (" : "repeats (";
      message += io::QuoteForMessage(text) + (timestamp < previous_timestamp_ ? " after " : " same as ") +
                 io::QuoteForMessage(previous_text_) + " on line " + std::to_string(previous_line_) +
                 "); rows keep file order";
      if (timestamp_warnings_ == kMaxPrintedTimestampWarnings) {
        message += "; further timestamp warnings are counted but not shown";
      }
      options_.warn(message);
    }
  }
  have_previous_ = true;
  previous_timestamp_ = timestamp;
  previous_line_ = line_number_;
  previous_text_.assign(text);
}

Result<bool> StreamCsvReader::ReadRow(CsvRow* row) {
  while (true) {
    if (!ReadLine()) {
      if (read_error_)
        return Status::IOError(name_ + ":" + std::to_string(line_number_ + 1) + ": read error");
      return false;
    }
    if (line_.empty()) continue;
    if (!splitter_.Split(line_)) return CellError(splitter_.error_field() - 1, splitter_.error_reason());
    const std::span<const std::string_view> fields = splitter_.fields();
    if (fields.size() != layout_.header.size()) {
      return Status::DataError(name_ + ":" + std::to_string(line_number_) + ": expected " +
                               std::to_string(layout_.header.size()) + " fields, found " +
                               std::to_string(fields.size()));
    }
    const uint64_t row_index = data_rows_++;

    double timestamp = static_cast<double>(row_index);
    std::string_view time_text;
    if (layout_.time_field != io::kNoField) {
      time_text = io::TrimSpaces(fields[layout_.time_field]);
      Result<double> parsed = io::ParseTimestamp(time_text);
      if (!parsed.ok()) {
        return CellError(layout_.time_field, "bad timestamp " + io::QuoteForMessage(time_text) +
                                                 " in column " + io::QuoteForMessage(time_column_, 80) +
                                                 ": " + parsed.status().message());
      }
      timestamp = *parsed;
    }

    bool any_missing = false;
    for (size_t i = 0; i < values_.size(); ++i) {
      const size_t field = layout_.feature_fields[i];
      bool missing = false;
      VIGIL_RETURN_IF_ERROR(ParseValue(field, fields[field], /*is_label=*/false, &values_[i], &missing));
      if (missing) {
        values_[i] = kNaN;
        any_missing = true;
      }
    }
    for (size_t j = 0; j < labels_.size(); ++j) {
      const size_t field = layout_.label_fields[j];
      labels_[j] = kNaN;
      if (field == io::kNoField) continue;
      bool missing = false;
      VIGIL_RETURN_IF_ERROR(ParseValue(field, fields[field], /*is_label=*/true, &labels_[j], &missing));
      if (missing) labels_[j] = kNaN;
    }
    if (layout_.time_field != io::kNoField) CheckOrder(timestamp, time_text);

    bool skip = false;
    if (any_missing && options_.missing == MissingPolicy::kSkip) skip = true;
    // kHold: observed values update the history even when the row itself must be dropped,
    // so a channel that starts late does not discard what the others reported.
    for (size_t i = 0; i < values_.size() && options_.missing == MissingPolicy::kHold; ++i) {
      if (!std::isnan(values_[i])) {
        last_values_[i] = values_[i];
        has_last_[i] = true;
      } else if (has_last_[i]) {
        values_[i] = last_values_[i];
      } else {
        skip = true;
      }
    }
    if (skip) {
      ++skipped_rows_;
      continue;
    }
    row->timestamp = timestamp;
    row->time_text.assign(time_text);
    row->values.assign(values_.begin(), values_.end());
    row->labels.assign(labels_.begin(), labels_.end());
    row->line = line_number_;
    return true;
  }
}

Result<bool> StreamCsvReader::Next(CsvRow* row) {
  try {
    return ReadRow(row);
  } catch (const std::exception& e) {
    return Status::IOError(name_ + ":" + std::to_string(line_number_) + ": " + e.what());
  }
}

Result<std::unique_ptr<CsvReader>> Finish(std::unique_ptr<StreamCsvReader> reader) {
  VIGIL_RETURN_IF_ERROR(reader->ReadHeader());
  return std::unique_ptr<CsvReader>(std::move(reader));
}

}  // namespace

Result<MissingPolicy> ParseMissingPolicy(std::string_view text) {
  if (text == "hold") return MissingPolicy::kHold;
  if (text == "skip") return MissingPolicy::kSkip;
  if (text == "fail") return MissingPolicy::kFail;
  return Status::InvalidArgument("unknown missing-value policy " + io::QuoteForMessage(text) +
                                 " (expected hold, skip or fail)");
}

Result<std::unique_ptr<CsvReader>> CsvReader::FromStream(std::istream& in, std::string name,
                                                         const CsvOptions& options) {
  try {
    return Finish(std::make_unique<StreamCsvReader>(in, name, options));
  } catch (const std::exception& e) {
    return Status::IOError(name + ": " + e.what());
  }
}

Result<std::unique_ptr<CsvReader>> CsvReader::Open(const std::string& path, const CsvOptions& options) {
  try {
    if (path == "-") {
#ifdef VIGIL_CSV_BUFFERED_STDIN
      // std::cin synchronised with stdio hands getline one character at a time (about 4x
      // slower). A buffered view of a duplicate of fd 0 is as fast as a file, still returns
      // each line as soon as it arrives, and leaves the process-wide stream settings alone.
      const int fd = ::dup(0);
      if (fd >= 0) {
        auto buffer = std::make_unique<__gnu_cxx::stdio_filebuf<char>>(fd, std::ios::in, kFileBufferBytes);
        if (buffer->is_open()) {
          OwnedInput input;
          input.stream = std::make_unique<std::istream>(buffer.get());
          input.buffer = std::move(buffer);
          return Finish(std::make_unique<StreamCsvReader>(std::move(input), "<stdin>", options));
        }
        ::close(fd);
      }
#endif
      return FromStream(std::cin, "<stdin>", options);
    }
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return Status::IOError(path + ": is a directory");
    OwnedInput input;
    input.storage = std::make_unique<char[]>(kFileBufferBytes);
    auto file = std::make_unique<std::filebuf>();
    // A larger buffer than the default 8 KiB means fewer read calls.
    file->pubsetbuf(input.storage.get(), kFileBufferBytes);
    errno = 0;
    if (file->open(path, std::ios::in | std::ios::binary) == nullptr) {
      const int error = errno;
      if (error == ENOENT) return Status::NotFound(path + ": no such file");
      return Status::IOError(path + ": cannot open" +
                             (error != 0 ? std::string(": ") + std::strerror(error) : ""));
    }
    input.stream = std::make_unique<std::istream>(file.get());
    input.buffer = std::move(file);
    return Finish(std::make_unique<StreamCsvReader>(std::move(input), path, options));
  } catch (const std::exception& e) {
    return Status::IOError(path + ": " + e.what());
  }
}

Result<LabelledTable> ReadCsvTable(const std::string& path, const CsvOptions& options, size_t max_rows) {
  VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader, CsvReader::Open(path, options));
  try {
    LabelledTable table;
    table.frames.schema = reader->schema();
    table.has_label = reader->has_label();
    CsvRow row;
    while (max_rows == 0 || table.frames.rows() < max_rows) {
      VIGIL_ASSIGN_OR_RETURN(const bool more, reader->Next(&row));
      if (!more) break;
      table.frames.timestamps.push_back(row.timestamp);
      table.frames.values.insert(table.frames.values.end(), row.values.begin(), row.values.end());
      table.time_text.push_back(row.time_text);
      table.labels.insert(table.labels.end(), row.labels.begin(), row.labels.end());
    }
    return table;
  } catch (const std::exception& e) {
    return Status::IOError(path + ": " + e.what());
  }
}

}  // namespace vigil
