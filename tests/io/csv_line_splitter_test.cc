#include "io/csv_line_splitter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigil::io {
namespace {

std::vector<std::string> Split(CsvLineSplitter& splitter, std::string_view line) {
  EXPECT_TRUE(splitter.Split(line)) << line << ": " << splitter.error_reason();
  std::vector<std::string> out;
  for (std::string_view field : splitter.fields()) out.emplace_back(field);
  return out;
}

using Fields = std::vector<std::string>;

TEST(CsvLineSplitterTest, EachDelimiter) {
  CsvLineSplitter comma(',');
  CsvLineSplitter semicolon(';');
  CsvLineSplitter tab('\t');
  EXPECT_EQ(Split(comma, "a,b;c,d"), (Fields{"a", "b;c", "d"}));
  EXPECT_EQ(Split(semicolon, "a,b;c,d"), (Fields{"a,b", "c,d"}));
  EXPECT_EQ(Split(tab, "a\tb c\t"), (Fields{"a", "b c", ""}));
}

TEST(CsvLineSplitterTest, EmptyFields) {
  CsvLineSplitter s(',');
  EXPECT_EQ(Split(s, ""), (Fields{""}));
  EXPECT_EQ(Split(s, ","), (Fields{"", ""}));
  EXPECT_EQ(Split(s, ",,x,"), (Fields{"", "", "x", ""}));
  EXPECT_EQ(Split(s, std::string_view()), (Fields{""}));
}

TEST(CsvLineSplitterTest, FastPathKeepsSpaces) {
  CsvLineSplitter s(',');
  EXPECT_EQ(Split(s, " 1 , 2"), (Fields{" 1 ", " 2"}));
}

TEST(CsvLineSplitterTest, QuotedFields) {
  CsvLineSplitter s(',');
  EXPECT_EQ(Split(s, R"("a,b",c)"), (Fields{"a,b", "c"}));
  EXPECT_EQ(Split(s, R"("say ""hi""",x)"), (Fields{"say \"hi\"", "x"}));
  EXPECT_EQ(Split(s, R"("",x)"), (Fields{"", "x"}));
  EXPECT_EQ(Split(s, R"(x,"")"), (Fields{"x", ""}));
  EXPECT_EQ(Split(s, R"("""")"), (Fields{"\""}));
  // Spaces around a quoted field are padding; inside the quotes they are kept.
  EXPECT_EQ(Split(s, R"(  " a " ,b)"), (Fields{" a ", "b"}));
  // Unquoted fields on a line with quotes keep their spaces, as on the fast path.
  EXPECT_EQ(Split(s, R"( 1 ,"b")"), (Fields{" 1 ", "b"}));
}

TEST(CsvLineSplitterTest, QuoteInsideUnquotedFieldIsLiteral) {
  CsvLineSplitter s(';');
  EXPECT_EQ(Split(s, R"(5" pipe;x)"), (Fields{"5\" pipe", "x"}));
}

TEST(CsvLineSplitterTest, TabDelimiterIsNotEatenAsPadding) {
  CsvLineSplitter s('\t');
  EXPECT_EQ(Split(s, "\"a\"\t\t\"b\""), (Fields{"a", "", "b"}));
}

TEST(CsvLineSplitterTest, UnterminatedQuote) {
  CsvLineSplitter s(',');
  EXPECT_FALSE(s.Split(R"(a,"b,c)"));
  EXPECT_EQ(s.error_field(), 2u);
  EXPECT_EQ(s.error_reason(), "unterminated quoted field (a quoted field cannot span lines)");
}

TEST(CsvLineSplitterTest, TextAfterClosingQuote) {
  CsvLineSplitter s(',');
  EXPECT_FALSE(s.Split(R"(a,b,"c"d)"));
  EXPECT_EQ(s.error_field(), 3u);
  EXPECT_EQ(s.error_reason(), "unexpected 'd' after a closing quote");
}

TEST(CsvLineSplitterTest, ReusableAcrossLinesOfDifferentWidth) {
  CsvLineSplitter s(',');
  EXPECT_EQ(Split(s, "1,2,3,4,5"), (Fields{"1", "2", "3", "4", "5"}));
  EXPECT_EQ(Split(s, "\"x\",y"), (Fields{"x", "y"}));
  EXPECT_EQ(Split(s, "7"), (Fields{"7"}));
  EXPECT_FALSE(s.Split("\"open"));
  EXPECT_EQ(Split(s, "8,9"), (Fields{"8", "9"}));
}

}  // namespace
}  // namespace vigil::io
