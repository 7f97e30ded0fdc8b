#include "io/timestamp.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "io/cell_text.h"

namespace vigil::io {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsLeapYear(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

unsigned DaysInMonth(int64_t year, unsigned month) {
  static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

Status Bad(std::string reason) { return Status::DataError(std::move(reason)); }

std::string OutOfRange(const char* field, unsigned value, const char* range) {
  return std::string(field) + " " + std::to_string(value) + " out of range " + range;
}

// Walks the text left to right; every Take* consumes only on success.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  std::string_view rest() const { return text_.substr(pos_); }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool Take(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }
  // Exactly `width` digits.
  bool TakeFixed(size_t width, unsigned* value) {
    if (text_.size() - pos_ < width) return false;
    unsigned v = 0;
    for (size_t i = 0; i < width; ++i) {
      const char c = text_[pos_ + i];
      if (!IsDigit(c)) return false;
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    pos_ += width;
    *value = v;
    return true;
  }
  // One or more digits read as a fraction of one ("5" → 0.5). Digits past the 18th cannot
  // change a double and are only validated.
  bool TakeFraction(double* value) {
    uint64_t numerator = 0;
    uint64_t denominator = 1;
    size_t count = 0;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      if (count < 18) {
        numerator = numerator * 10 + static_cast<uint64_t>(text_[pos_] - '0');
        denominator *= 10;
      }
      ++count;
      ++pos_;
    }
    *value = static_cast<double>(numerator) / static_cast<double>(denominator);
    return count > 0;
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// Z | ±hh | ±hh:mm | ±hhmm, as seconds east of UTC.
Result<int64_t> ParseOffset(Cursor& in) {
  const std::string_view text = in.rest();
  if (in.Take('Z') || in.Take('z')) {
    if (!in.done()) return Bad("unexpected text " + QuoteForMessage(text) + " after the time");
    return int64_t{0};
  }
  int sign = 0;
  if (in.Take('+')) {
    sign = 1;
  } else if (in.Take('-')) {
    sign = -1;
  } else {
    return Bad("unexpected text " + QuoteForMessage(text) + " after the time");
  }
  unsigned hours = 0;
  unsigned minutes = 0;
  if (!in.TakeFixed(2, &hours)) return Bad("bad UTC offset " + QuoteForMessage(text));
  if (in.Take(':')) {
    if (!in.TakeFixed(2, &minutes)) return Bad("bad UTC offset " + QuoteForMessage(text));
  } else {
    in.TakeFixed(2, &minutes);  // optional in the ±hhmm and ±hh forms
  }
  if (!in.done() || hours > 23 || minutes > 59) return Bad("bad UTC offset " + QuoteForMessage(text));
  return static_cast<int64_t>(sign) * (static_cast<int64_t>(hours) * 3600 + minutes * 60);
}

Result<double> ParseDateTime(std::string_view text) {
  Cursor in(text);
  unsigned year = 0;
  unsigned month = 0;
  unsigned day = 0;
  if (!in.TakeFixed(4, &year) || !in.Take('-') || !in.TakeFixed(2, &month) || !in.Take('-') ||
      !in.TakeFixed(2, &day)) {
    return Bad("expected a YYYY-MM-DD date");
  }
  if (month < 1 || month > 12) return Bad(OutOfRange("month", month, "1-12"));
  const unsigned month_days = DaysInMonth(year, month);
  if (day < 1 || day > month_days) {
    char range[48];
    std::snprintf(range, sizeof range, "for %04u-%02u (1-%u)", year, month, month_days);
    return Bad(OutOfRange("day", day, range));
  }
  const int64_t days = DaysFromCivil(year, month, day);
  if (in.done()) return static_cast<double>(days * kSecondsPerDay);

  if (!(in.Take('T') || in.Take('t') || in.Take(' '))) {
    return Bad("unexpected text " + QuoteForMessage(in.rest()) + " after the date");
  }
  unsigned hour = 0;
  unsigned minute = 0;
  unsigned second = 0;
  double fraction = 0;
  if (!in.TakeFixed(2, &hour) || !in.Take(':') || !in.TakeFixed(2, &minute)) {
    return Bad("expected the time as hh:mm:ss");
  }
  if (in.Take(':')) {
    if (!in.TakeFixed(2, &second)) return Bad("expected the time as hh:mm:ss");
    if ((in.Take('.') || in.Take(',')) && !in.TakeFraction(&fraction)) {
      return Bad("expected digits after the decimal point of the seconds");
    }
  }
  if (hour > 23) return Bad(OutOfRange("hour", hour, "0-23"));
  if (minute > 59) return Bad(OutOfRange("minute", minute, "0-59"));
  if (second > 59) return Bad(OutOfRange("second", second, "0-59"));
  int64_t offset = 0;
  if (!in.done()) {
    Result<int64_t> parsed = ParseOffset(in);
    if (!parsed.ok()) return parsed.status();
    offset = *parsed;
  }
  const int64_t whole = days * kSecondsPerDay + hour * 3600 + minute * 60 + second - offset;
  return static_cast<double>(whole) + fraction;
}

Result<double> ParseEpoch(std::string_view text) {
  double value = 0;
  const char* last = text.data() + text.size();
  const std::from_chars_result r = std::from_chars(text.data(), last, value, std::chars_format::general);
  if (r.ptr != last || r.ec != std::errc() || !std::isfinite(value)) {
    return Bad("expected an ISO 8601 date-time (YYYY-MM-DDThh:mm:ss) or epoch seconds");
  }
  return value;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  // Count from 0000-03-01 so the leap day is the last day of the shifted year, then split
  // into 400-year eras of exactly 146097 days.
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);      // [0, 399]
  const unsigned shifted_month = month > 2 ? month - 3 : month + 9;      // March = 0
  const unsigned day_of_year = (153 * shifted_month + 2) / 5 + day - 1;  // [0, 365]
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;  // 719468 = 0000-03-01 → 1970-01-01
}

CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);  // [0, 146096]
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;  // [0, 399]
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;  // March = 0
  const unsigned day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  const unsigned month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  const int64_t year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
  return CivilDate{year, month, day};
}

Result<double> ParseTimestamp(std::string_view text) {
  text = TrimSpaces(text);
  if (text.empty()) return Bad("empty timestamp");
  // A date always starts with four digits and a dash; anything else can only be epoch seconds.
  if (text.size() >= 5 && IsDigit(text[0]) && IsDigit(text[1]) && IsDigit(text[2]) && IsDigit(text[3]) &&
      text[4] == '-') {
    return ParseDateTime(text);
  }
  return ParseEpoch(text);
}

std::string FormatTimestamp(double epoch_seconds) {
  // Years 0000-9999 keep the fixed-width form (and keep the integer maths far from overflow).
  constexpr double kMin = -62167219200.0;  // 0000-01-01 00:00:00
  constexpr double kMax = 253402300800.0;  // 10000-01-01 00:00:00
  char buf[48];
  if (!(epoch_seconds >= kMin && epoch_seconds < kMax)) {
    std::snprintf(buf, sizeof buf, "%.17g", epoch_seconds);
    return buf;
  }
  const auto seconds = static_cast<int64_t>(std::floor(epoch_seconds));
  int64_t days = seconds / kSecondsPerDay;
  int64_t second_of_day = seconds % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
    --days;
  }
  const CivilDate date = CivilFromDays(days);
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u %02lld:%02lld:%02lld", static_cast<long long>(date.year),
                date.month, date.day, static_cast<long long>(second_of_day / 3600),
                static_cast<long long>(second_of_day / 60 % 60), static_cast<long long>(second_of_day % 60));
  return buf;
}

}  // namespace vigil::io
