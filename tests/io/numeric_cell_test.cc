#include "io/numeric_cell.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vigil::io {
namespace {

CellKind Kind(std::string_view cell) {
  float value = -7;
  return ParseNumericCell(cell, &value);
}

float Value(std::string_view cell) {
  float value = -7;
  EXPECT_EQ(ParseNumericCell(cell, &value), CellKind::kNumber) << cell;
  return value;
}

TEST(NumericCellTest, PlainNumbers) {
  EXPECT_EQ(Value("1.5"), 1.5f);
  EXPECT_EQ(Value("-0.25"), -0.25f);
  EXPECT_EQ(Value("+3"), 3.0f);
  EXPECT_EQ(Value(".5"), 0.5f);
  EXPECT_EQ(Value("2."), 2.0f);
  EXPECT_EQ(Value("1e3"), 1000.0f);
  EXPECT_EQ(Value("1.5E-2"), 0.015f);
  EXPECT_EQ(Value("0.0265878"), 0.0265878f);
  EXPECT_EQ(Value("3.4028234e38"), 3.4028234e38f);
}

TEST(NumericCellTest, SurroundingSpacesAllowed) {
  EXPECT_EQ(Value("  42 "), 42.0f);
  EXPECT_EQ(Value("\t-1\t"), -1.0f);
}

TEST(NumericCellTest, MissingMarkers) {
  for (std::string_view cell : {"", "   ", "NA", " NA ", "NaN", "nan", "NAN", "-nan", "+nan"}) {
    EXPECT_EQ(Kind(cell), CellKind::kMissing) << "'" << cell << "'";
  }
}

TEST(NumericCellTest, NonNumeric) {
  for (std::string_view cell :
       {"abc", "1,5", "1.5x", "1 2", "--1", "+-1", "++1", "+", "-", "0x10", "1e", "N/A", "na", "\"1\""}) {
    EXPECT_EQ(Kind(cell), CellKind::kNonNumeric) << "'" << cell << "'";
  }
}

TEST(NumericCellTest, Infinite) {
  for (std::string_view cell : {"inf", "-inf", "+inf", "Infinity", "INF"}) {
    EXPECT_EQ(Kind(cell), CellKind::kInfinite) << cell;
  }
}

TEST(NumericCellTest, OverflowIsAnErrorUnderflowIsZero) {
  EXPECT_EQ(Kind("1e50"), CellKind::kOutOfRange);
  EXPECT_EQ(Kind("-3.5e38"), CellKind::kOutOfRange);
  EXPECT_EQ(Kind("1e400"), CellKind::kOutOfRange);
  EXPECT_EQ(Value("1e-50"), 0.0f);
  const float negative = Value("-1e-50");
  EXPECT_EQ(negative, 0.0f);
  EXPECT_TRUE(std::signbit(negative));
  EXPECT_EQ(Value("0.0000000000000000000000000000000000000000000000001"), 0.0f);
  EXPECT_GT(Value("1e-40"), 0.0f);  // subnormal, still representable
}

TEST(NumericCellTest, ValueUntouchedOnFailure) {
  float value = 9;
  EXPECT_EQ(ParseNumericCell("abc", &value), CellKind::kNonNumeric);
  EXPECT_EQ(ParseNumericCell("NaN", &value), CellKind::kMissing);
  EXPECT_EQ(value, 9.0f);
}

}  // namespace
}  // namespace vigil::io
