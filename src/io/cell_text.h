// Internal: small text helpers shared by the CSV header, cell and timestamp parsers.
//
//   std::string_view cell = io::TrimSpaces("  1.5 ");        // "1.5"
//   std::string shown = io::QuoteForMessage("a\x01b");        // "'a\x01b'"
#pragma once

#include <string>
#include <string_view>

namespace vigil::io {

// Strips leading and trailing spaces and tabs (a CSV cell may be padded for alignment).
std::string_view TrimSpaces(std::string_view text);

// ASCII-only case-insensitive comparison; header names are matched without locale rules.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// The text in single quotes, safe to print: control bytes become \xNN (UTF-8 is kept) and
// anything past `max_chars` is cut and marked with "...", so a binary or huge cell cannot
// flood an error message.
std::string QuoteForMessage(std::string_view text, size_t max_chars = 40);

}  // namespace vigil::io
