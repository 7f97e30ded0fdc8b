#include "io/cell_text.h"

#include <gtest/gtest.h>

namespace vigil::io {
namespace {

TEST(CellTextTest, TrimSpacesRemovesSpacesAndTabsOnly) {
  EXPECT_EQ(TrimSpaces("  1.5\t "), "1.5");
  EXPECT_EQ(TrimSpaces("a b"), "a b");
  EXPECT_EQ(TrimSpaces(" \t "), "");
  EXPECT_EQ(TrimSpaces(""), "");
  EXPECT_EQ(TrimSpaces("\r1\n"), "\r1\n");  // line breaks are not padding
}

TEST(CellTextTest, EqualsIgnoreCaseIsAsciiOnly) {
  EXPECT_TRUE(EqualsIgnoreCase("DateTime", "datetime"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("time", "times"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));                // '[' + 32 == '{': only letters fold
  EXPECT_FALSE(EqualsIgnoreCase("\xC3\x89", "\xC3\xA9"));  // É vs é: no Unicode folding
}

TEST(CellTextTest, QuoteForMessageEscapesControlBytes) {
  EXPECT_EQ(QuoteForMessage("abc"), "'abc'");
  EXPECT_EQ(QuoteForMessage(""), "''");
  EXPECT_EQ(QuoteForMessage(std::string_view("a\0b\x7f\r", 5)), "'a\\x00b\\x7f\\x0d'");
  EXPECT_EQ(QuoteForMessage("Temp\xC3\xA9rature"), "'Temp\xC3\xA9rature'");
}

TEST(CellTextTest, QuoteForMessageCutsLongText) {
  EXPECT_EQ(QuoteForMessage("abcdefgh", 5), "'abcde...'");
  EXPECT_EQ(QuoteForMessage("abcde", 5), "'abcde'");
  // "aé" is 3 bytes; a cut at 2 would split é, so it backs off to "a".
  EXPECT_EQ(QuoteForMessage("a\xC3\xA9z", 2), "'a...'");
  EXPECT_EQ(QuoteForMessage(std::string(100, 'x')), "'" + std::string(40, 'x') + "...'");
}

}  // namespace
}  // namespace vigil::io
