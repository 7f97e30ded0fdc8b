// Internal: parses one CSV cell as a float, locale-free and without allocating.
//
//   float v;
//   switch (io::ParseNumericCell(" 1.5 ", &v)) { case io::CellKind::kNumber: ... }
#pragma once

#include <string_view>

namespace vigil::io {

enum class CellKind {
  kNumber,      // *value holds a finite float
  kMissing,     // empty, "NA", or any NaN spelling ("NaN", "nan", "-nan", ...)
  kNonNumeric,  // not a number at all (including "1,5" and trailing garbage)
  kInfinite,    // "inf", "-Infinity", ...
  kOutOfRange,  // finite in decimal but beyond float range (e.g. "1e50")
};

// Surrounding spaces/tabs are ignored; a leading '+' is accepted. Values too small for a
// float become (signed) zero rather than an error: sensors report tiny readings legitimately.
CellKind ParseNumericCell(std::string_view cell, float* value);

}  // namespace vigil::io
