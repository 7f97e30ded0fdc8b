// Internal: splits one CSV line into fields, reusing its buffers from line to line.
//
//   io::CsvLineSplitter splitter(';');
//   if (!splitter.Split(line)) Fail(splitter.error_field(), splitter.error_reason());
//   for (std::string_view field : splitter.fields()) ...
//
// Quoting follows RFC 4180 within a line: a field that starts with '"' (after optional
// spaces) runs to the next lone '"', and "" inside it stands for one '"'. A quoted field
// cannot contain a line break: the reader works line by line, and numeric sensor data never
// needs one. A '"' inside an unquoted field is kept literally.
//
// Lines without any '"' take a fast path: fields are views into the line itself and no
// memory is allocated once the field vector has grown to the column count.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::io {

class CsvLineSplitter {
 public:
  explicit CsvLineSplitter(char delimiter) : delimiter_(delimiter) {}

  // Fills fields() from `line` (which must outlive them). Returns false on a malformed
  // quoted field; error_field() and error_reason() then describe it.
  bool Split(std::string_view line);

  // Valid until the next Split. Quoted fields are unquoted; other fields are untrimmed.
  std::span<const std::string_view> fields() const { return {fields_.data(), count_}; }
  // 1-based index of the malformed field.
  size_t error_field() const { return error_field_; }
  const std::string& error_reason() const { return error_reason_; }

 private:
  bool SplitQuoted(std::string_view line);
  void Add(std::string_view field);

  char delimiter_;
  std::vector<std::string_view> fields_;  // grows, never shrinks: count_ is the live size
  size_t count_ = 0;
  std::string unquoted_;                          // backing store for fields of a quoted line
  std::vector<std::pair<size_t, size_t>> spans_;  // (offset, length) into unquoted_
  size_t error_field_ = 0;
  std::string error_reason_;
};

}  // namespace vigil::io
