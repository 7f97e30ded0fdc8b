#include "io/csv_line_splitter.h"

#include <cstring>

#include "io/cell_text.h"

namespace vigil::io {

void CsvLineSplitter::Add(std::string_view field) {
  if (count_ == fields_.size()) fields_.emplace_back();
  fields_[count_++] = field;
}

bool CsvLineSplitter::Split(std::string_view line) {
  count_ = 0;
  if (line.empty()) {  // also keeps a null data() away from memchr
    Add(line);
    return true;
  }
  if (std::memchr(line.data(), '"', line.size()) != nullptr) return SplitQuoted(line);
  const char* p = line.data();
  const char* end = p + line.size();
  while (true) {
    const auto* next = static_cast<const char*>(std::memchr(p, delimiter_, static_cast<size_t>(end - p)));
    if (next == nullptr) {
      Add(std::string_view(p, static_cast<size_t>(end - p)));
      return true;
    }
    Add(std::string_view(p, static_cast<size_t>(next - p)));
    p = next + 1;
  }
}

// Unquoted text is copied into unquoted_ and the views are made at the end, because
// appending may move the buffer.
bool CsvLineSplitter::SplitQuoted(std::string_view line) {
  unquoted_.clear();
  spans_.clear();
  size_t i = 0;
  const size_t n = line.size();
  while (true) {
    const size_t field_number = spans_.size() + 1;
    const size_t start = unquoted_.size();
    size_t lead = i;
    while (lead < n && (line[lead] == ' ' || line[lead] == '\t') && line[lead] != delimiter_) ++lead;
    if (lead < n && line[lead] == '"') {
      i = lead + 1;
      bool closed = false;
      while (i < n) {
        if (line[i] == '"') {
          if (i + 1 < n && line[i + 1] == '"') {
            unquoted_.push_back('"');
            i += 2;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        unquoted_.push_back(line[i++]);
      }
      if (!closed) {
        error_field_ = field_number;
        error_reason_ = "unterminated quoted field (a quoted field cannot span lines)";
        return false;
      }
      while (i < n && (line[i] == ' ' || line[i] == '\t') && line[i] != delimiter_) ++i;
      if (i < n && line[i] != delimiter_) {
        error_field_ = field_number;
        error_reason_ = "unexpected " + QuoteForMessage(line.substr(i, 1)) + " after a closing quote";
        return false;
      }
    } else {
      while (i < n && line[i] != delimiter_) unquoted_.push_back(line[i++]);
    }
    spans_.emplace_back(start, unquoted_.size() - start);
    if (i >= n) break;
    ++i;  // the delimiter
  }
  for (const auto& [offset, length] : spans_) Add(std::string_view(unquoted_).substr(offset, length));
  return true;
}

}  // namespace vigil::io
