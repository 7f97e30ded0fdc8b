#include "io/numeric_cell.h"

#include <charconv>
#include <cmath>
#include <system_error>

#include "io/cell_text.h"

namespace vigil::io {
namespace {

// from_chars reports both overflow and underflow as result_out_of_range. Underflow shows as
// a negative exponent or an integer part made only of zeros ("0.000…01").
bool IsUnderflow(std::string_view number) {
  const size_t exp = number.find_first_of("eE");
  if (exp != std::string_view::npos) {
    return exp + 1 < number.size() && number[exp + 1] == '-';
  }
  for (char c : number) {
    if (c == '.') break;
    if (c >= '1' && c <= '9') return false;
  }
  return true;
}

}  // namespace

CellKind ParseNumericCell(std::string_view cell, float* value) {
  std::string_view text = TrimSpaces(cell);
  if (text.empty() || text == "NA") return CellKind::kMissing;
  // from_chars rejects '+', but spreadsheets write it; "+-1" must stay an error.
  if (text[0] == '+' && text.size() > 1 && text[1] != '-' && text[1] != '+') text.remove_prefix(1);
  const char* first = text.data();
  const char* last = first + text.size();
  float parsed = 0;
  const std::from_chars_result r = std::from_chars(first, last, parsed, std::chars_format::general);
  if (r.ptr != last) return CellKind::kNonNumeric;
  if (r.ec == std::errc::result_out_of_range) {
    if (!IsUnderflow(text)) return CellKind::kOutOfRange;
    *value = text[0] == '-' ? -0.0f : 0.0f;
    return CellKind::kNumber;
  }
  if (r.ec != std::errc()) return CellKind::kNonNumeric;
  if (std::isnan(parsed)) return CellKind::kMissing;
  if (std::isinf(parsed)) return CellKind::kInfinite;
  *value = parsed;
  return CellKind::kNumber;
}

}  // namespace vigil::io
