#include "io/timestamp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigil::io {
namespace {

double Parse(std::string_view text) {
  Result<double> r = ParseTimestamp(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() ? *r : std::nan("");
}

std::string Error(std::string_view text) {
  Result<double> r = ParseTimestamp(text);
  if (r.ok()) return "accepted as " + std::to_string(*r);
  EXPECT_EQ(r.status().code(), StatusCode::kDataError);
  return r.status().message();
}

// Reference values below come from Python's calendar.timegm.
TEST(TimestampTest, SpaceAndIsoSeparators) {
  EXPECT_EQ(Parse("2020-03-09 10:14:33"), 1583748873.0);
  EXPECT_EQ(Parse("2020-03-09T10:14:33"), 1583748873.0);
  EXPECT_EQ(Parse("2020-03-09t10:14:33"), 1583748873.0);
  EXPECT_EQ(Parse("  2020-03-09 10:14:33 "), 1583748873.0);
}

TEST(TimestampTest, DateOnlyAndMinutesOnly) {
  EXPECT_EQ(Parse("2020-03-09"), 18330.0 * 86400);
  EXPECT_EQ(Parse("2020-03-09T10:14"), 1583748840.0);
  EXPECT_EQ(Parse("1970-01-01 00:00:00"), 0.0);
  EXPECT_EQ(Parse("1969-12-31 23:59:59"), -1.0);
  EXPECT_EQ(Parse("9999-12-31 23:59:59"), 253402300799.0);
  EXPECT_EQ(Parse("0001-01-01T00:00:00"), -62135596800.0);
}

TEST(TimestampTest, FractionalSeconds) {
  EXPECT_EQ(Parse("2020-03-09 10:14:33.5"), 1583748873.5);
  EXPECT_EQ(Parse("2020-03-09T10:14:33,25"), 1583748873.25);
  EXPECT_NEAR(Parse("2020-03-09T10:14:33.123456"), 1583748873.123456, 1e-6);
  // Digits beyond double precision are validated but do not overflow.
  EXPECT_NEAR(Parse("2020-03-09T10:14:33.99999999999999999999999"), 1583748874.0, 1e-6);
}

TEST(TimestampTest, UtcOffsets) {
  EXPECT_EQ(Parse("2020-03-09T10:14:33Z"), 1583748873.0);
  EXPECT_EQ(Parse("2020-03-09T10:14:33z"), 1583748873.0);
  EXPECT_EQ(Parse("2020-03-09T10:14:33+00:00"), 1583748873.0);
  EXPECT_EQ(Parse("2020-03-09T10:14:33+01:00"), 1583745273.0);
  EXPECT_EQ(Parse("2020-03-09T10:14:33+0100"), 1583745273.0);
  EXPECT_EQ(Parse("2020-03-09T10:14:33+01"), 1583745273.0);
  EXPECT_EQ(Parse("2020-03-09T10:14:33-05:30"), 1583768673.0);
  EXPECT_EQ(Parse("2020-03-09T10:14:33.5+01:00"), 1583745273.5);
  // The offset can move the instant across midnight and the year boundary.
  EXPECT_EQ(Parse("2021-01-01T00:30:00+01:00"), Parse("2020-12-31T23:30:00Z"));
}

TEST(TimestampTest, EpochSeconds) {
  EXPECT_EQ(Parse("1583748873"), 1583748873.0);
  EXPECT_EQ(Parse("1583748873.25"), 1583748873.25);
  EXPECT_EQ(Parse(" 0 "), 0.0);
  EXPECT_EQ(Parse("-5"), -5.0);
  EXPECT_EQ(Parse("2020"), 2020.0);  // a bare number is seconds, not a year
}

TEST(TimestampTest, LeapYears) {
  EXPECT_EQ(Parse("2000-02-29 00:00:00"), 951782400.0);
  EXPECT_EQ(Parse("2024-02-29"), 1709164800.0);
  EXPECT_EQ(Error("2021-02-29"), "day 29 out of range for 2021-02 (1-28)");
  EXPECT_EQ(Error("1900-02-29 00:00:00"), "day 29 out of range for 1900-02 (1-28)");
}

TEST(TimestampTest, RangeErrors) {
  EXPECT_EQ(Error("2020-13-01 00:00:00"), "month 13 out of range 1-12");
  EXPECT_EQ(Error("2020-00-01"), "month 0 out of range 1-12");
  EXPECT_EQ(Error("2020-01-32"), "day 32 out of range for 2020-01 (1-31)");
  EXPECT_EQ(Error("2020-04-31 00:00:00"), "day 31 out of range for 2020-04 (1-30)");
  EXPECT_EQ(Error("2020-04-00"), "day 0 out of range for 2020-04 (1-30)");
  EXPECT_EQ(Error("2020-03-09 24:00:00"), "hour 24 out of range 0-23");
  EXPECT_EQ(Error("2020-03-09 10:60:00"), "minute 60 out of range 0-59");
  EXPECT_EQ(Error("2020-03-09 10:14:60"), "second 60 out of range 0-59");
}

TEST(TimestampTest, FormatErrors) {
  EXPECT_EQ(Error(""), "empty timestamp");
  EXPECT_EQ(Error("   "), "empty timestamp");
  EXPECT_EQ(Error("2020-3-9"), "expected a YYYY-MM-DD date");
  EXPECT_EQ(Error("2020-03-09X"), "unexpected text 'X' after the date");
  EXPECT_EQ(Error("2020-03-09 1:14:33"), "expected the time as hh:mm:ss");
  EXPECT_EQ(Error("2020-03-09 10:14:3"), "expected the time as hh:mm:ss");
  EXPECT_EQ(Error("2020-03-09 10:14:33."), "expected digits after the decimal point of the seconds");
  EXPECT_EQ(Error("2020-03-09 10:14:33 x"), "unexpected text ' x' after the time");
  EXPECT_EQ(Error("2020-03-09T10:14:33+25:00"), "bad UTC offset '+25:00'");
  EXPECT_EQ(Error("2020-03-09T10:14:33+01:60"), "bad UTC offset '+01:60'");
  EXPECT_EQ(Error("2020-03-09T10:14:33+01:0"), "bad UTC offset '+01:0'");
  EXPECT_EQ(Error("2020-03-09T10:14:33+1"), "bad UTC offset '+1'");
  EXPECT_EQ(Error("2020-03-09T10:14:33Z+01"), "unexpected text 'Z+01' after the time");
  const std::string kNotTime = "expected an ISO 8601 date-time (YYYY-MM-DDThh:mm:ss) or epoch seconds";
  EXPECT_EQ(Error("abc"), kNotTime);
  EXPECT_EQ(Error("09.03.2020 10:14"), kNotTime);
  EXPECT_EQ(Error("12abc"), kNotTime);
  EXPECT_EQ(Error("+5"), kNotTime);
  EXPECT_EQ(Error("nan"), kNotTime);
  EXPECT_EQ(Error("inf"), kNotTime);
  EXPECT_EQ(Error("1e400"), kNotTime);
}

TEST(TimestampTest, DaysFromCivilKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2020, 3, 9), 18330);
  EXPECT_EQ(DaysFromCivil(1600, 1, 1), -135140);
  EXPECT_EQ(DaysFromCivil(2400, 12, 31), 157419);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
}

// Walks every day from 1600 to 2400 by calendar rules and checks both directions, so a
// slip at any month end, leap day or century is caught.
TEST(TimestampTest, CivilDaysRoundTripEveryDay) {
  int64_t expected_days = DaysFromCivil(1600, 1, 1);
  for (int64_t year = 1600; year <= 2400; ++year) {
    const bool leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    const unsigned month_days[12] = {31, leap ? 29u : 28u, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (unsigned month = 1; month <= 12; ++month) {
      for (unsigned day = 1; day <= month_days[month - 1]; ++day) {
        ASSERT_EQ(DaysFromCivil(year, month, day), expected_days) << year << "-" << month << "-" << day;
        const CivilDate back = CivilFromDays(expected_days);
        ASSERT_EQ(back.year, year);
        ASSERT_EQ(back.month, month);
        ASSERT_EQ(back.day, day);
        ++expected_days;
      }
    }
  }
  EXPECT_EQ(expected_days, 157420);
}

TEST(TimestampTest, CivilFromDaysNegativeYears) {
  const CivilDate d = CivilFromDays(DaysFromCivil(-1, 12, 31));
  EXPECT_EQ(d.year, -1);
  EXPECT_EQ(d.month, 12u);
  EXPECT_EQ(d.day, 31u);
  EXPECT_EQ(DaysFromCivil(0, 3, 1) - DaysFromCivil(0, 2, 28), 2);  // year 0 is a leap year
}

TEST(TimestampTest, FormatTimestamp) {
  EXPECT_EQ(FormatTimestamp(1583748873.0), "2020-03-09 10:14:33");
  EXPECT_EQ(FormatTimestamp(1583748873.999), "2020-03-09 10:14:33");
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31 23:59:59");
  EXPECT_EQ(FormatTimestamp(-0.5), "1969-12-31 23:59:59");
  EXPECT_EQ(FormatTimestamp(951782400.0), "2000-02-29 00:00:00");
  EXPECT_EQ(FormatTimestamp(253402300799.0), "9999-12-31 23:59:59");
  EXPECT_EQ(FormatTimestamp(-62167219200.0), "0000-01-01 00:00:00");
  EXPECT_EQ(FormatTimestamp(253402300800.0), "253402300800");
  EXPECT_EQ(FormatTimestamp(1e300), "1.0000000000000001e+300");
  EXPECT_EQ(FormatTimestamp(std::numeric_limits<double>::quiet_NaN()), "nan");
  EXPECT_EQ(FormatTimestamp(-std::numeric_limits<double>::infinity()), "-inf");
}

TEST(TimestampTest, FormatParsesBack) {
  for (double t : {0.0, 1583748873.0, -86401.0, 4102444800.0, 951868799.0}) {
    EXPECT_EQ(Parse(FormatTimestamp(t)), t) << FormatTimestamp(t);
  }
}

}  // namespace
}  // namespace vigil::io
