// Internal: timestamp cells to epoch seconds (UTC) and back, without timegm or locales.
//
//   Result<double> t = io::ParseTimestamp("2020-03-09T10:14:33.5+01:00");  // 1583745273.5
//   std::string s = io::FormatTimestamp(*t);                               // "2020-03-09 09:14:33"
//
// Accepted forms:
//   YYYY-MM-DD                                  midnight UTC
//   YYYY-MM-DD[T| ]hh:mm[:ss[.f…]][offset]       offset: Z | ±hh | ±hh:mm | ±hhmm; none = UTC
//   epoch seconds                               "1583748873", "1583748873.25", "-5"
// Surrounding spaces are ignored. Ranges are checked (month 1-12, day within the month
// including leap years, hour 0-23, minute 0-59, second 0-59; leap seconds are rejected).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "vigil/status.h"

namespace vigil::io {

// On failure: DataError whose message is the bare reason ("month 13 out of range 1-12");
// the caller adds where the cell was.
Result<double> ParseTimestamp(std::string_view text);

// "YYYY-MM-DD hh:mm:ss" in UTC, fraction truncated toward the earlier second. Values that
// are not finite or lie outside years 0000-9999 print as a plain number.
std::string FormatTimestamp(double epoch_seconds);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};
// Inverse of DaysFromCivil.
CivilDate CivilFromDays(int64_t days);

}  // namespace vigil::io
