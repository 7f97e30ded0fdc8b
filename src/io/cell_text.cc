#include "io/cell_text.h"

namespace vigil::io {

std::string_view TrimSpaces(std::string_view text) {
  size_t begin = 0;
  size_t end = text.size();
  while (begin < end && (text[begin] == ' ' || text[begin] == '\t')) ++begin;
  while (end > begin && (text[end - 1] == ' ' || text[end - 1] == '\t')) --end;
  return text.substr(begin, end - begin);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string QuoteForMessage(std::string_view text, size_t max_chars) {
  static constexpr char kHex[] = "0123456789abcdef";
  const bool cut = text.size() > max_chars;
  if (cut) {
    // Back off so a multi-byte UTF-8 character is not split.
    size_t end = max_chars;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) --end;
    text = text.substr(0, end);
  }
  std::string out;
  out.reserve(text.size() + 8);
  out.push_back('\'');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    // UTF-8 (bytes >= 0x80) passes through so non-English column names stay readable.
    if (byte >= 0x20 && byte != 0x7f) {
      out.push_back(c);
    } else {
      out += "\\x";
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
  if (cut) out += "...";
  out.push_back('\'');
  return out;
}

}  // namespace vigil::io
