#include "io/csv_header.h"

#include <gtest/gtest.h>

namespace vigil::io {
namespace {

char Detect(std::string_view line) {
  Result<char> r = DetectDelimiter(line);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : '?';
}

CsvLayout Layout(std::string_view line, const CsvOptions& options = {}) {
  Result<CsvLayout> r = ParseCsvHeader(line, "f.csv", options);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : CsvLayout{};
}

Status Error(std::string_view line, const CsvOptions& options = {}) {
  Result<CsvLayout> r = ParseCsvHeader(line, "f.csv", options);
  EXPECT_FALSE(r.ok()) << line;
  return r.ok() ? Status::OK() : r.status();
}

using Indices = std::vector<size_t>;

TEST(CsvHeaderTest, DetectsTheMostFrequentCandidate) {
  EXPECT_EQ(Detect("a,b,c"), ',');
  EXPECT_EQ(Detect("datetime;Accelerometer1RMS;Volume Flow RateRMS"), ';');
  EXPECT_EQ(Detect("a\tb\tc"), '\t');
  EXPECT_EQ(Detect("a;b,c;d"), ';');  // 2 ';' beat 1 ','
  EXPECT_EQ(Detect("single"), ',');
}

TEST(CsvHeaderTest, DelimitersInsideQuotesDoNotCount) {
  EXPECT_EQ(Detect(R"("a,b,c";d)"), ';');
  EXPECT_EQ(Detect(R"("x ""y,z"" w";d)"), ';');
}

TEST(CsvHeaderTest, TieIsAnError) {
  Result<char> r = DetectDelimiter("a;b,c");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "the header has 1 ',' and 1 ';'; set the delimiter explicitly");
  r = DetectDelimiter("a,b;c\td");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "the header has 1 ',' and 1 ';' and 1 tab; set the delimiter explicitly");
  Status s = Error("a;b,c");
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(),
            "f.csv:1: cannot detect the delimiter: the header has 1 ',' and 1 ';'; "
            "set the delimiter explicitly");
}

TEST(CsvHeaderTest, ForcedDelimiterSkipsDetection) {
  CsvOptions options;
  options.delimiter = ';';
  const CsvLayout layout = Layout("a,b;c", options);
  EXPECT_EQ(layout.delimiter, ';');
  EXPECT_EQ(layout.header, (std::vector<std::string>{"a,b", "c"}));
  options.delimiter = '|';
  EXPECT_EQ(Layout("x|y", options).header, (std::vector<std::string>{"x", "y"}));
  options.delimiter = '"';
  Status s = Error("a,b", options);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "delimiter '\"' is not allowed");
}

TEST(CsvHeaderTest, SkabHeader) {
  const CsvLayout layout = Layout(
      "datetime;Accelerometer1RMS;Accelerometer2RMS;Current;Pressure;Temperature;Thermocouple;Voltage;"
      "Volume Flow RateRMS;anomaly;changepoint");
  EXPECT_EQ(layout.delimiter, ';');
  EXPECT_EQ(layout.time_field, 0u);
  EXPECT_EQ(layout.feature_fields, (Indices{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(layout.label_fields, (Indices{9, 10}));
  EXPECT_EQ(layout.header[8], "Volume Flow RateRMS");
}

TEST(CsvHeaderTest, NamesAreUnquotedAndTrimmed) {
  const CsvLayout layout = Layout(R"( "Flow, l/min" , "say ""x""",plain )");
  EXPECT_EQ(layout.header, (std::vector<std::string>{"Flow, l/min", "say \"x\"", "plain"}));
}

TEST(CsvHeaderTest, TimeColumnDetectionIsCaseInsensitiveAndTakesTheFirst) {
  EXPECT_EQ(Layout("a,Timestamp,b").time_field, 1u);
  EXPECT_EQ(Layout("TS,a").time_field, 0u);
  EXPECT_EQ(Layout("a,date,time").time_field, 1u);
  EXPECT_EQ(Layout("a,times").time_field, kNoField);  // whole names only
  const CsvLayout layout = Layout("a,DATE,b");
  EXPECT_EQ(layout.feature_fields, (Indices{0, 2}));
}

TEST(CsvHeaderTest, ExplicitTimeColumn) {
  CsvOptions options;
  options.time_column = "when";
  const CsvLayout layout = Layout("x,when,time", options);
  EXPECT_EQ(layout.time_field, 1u);
  // The column that would have been detected is an ordinary feature now.
  EXPECT_EQ(layout.feature_fields, (Indices{0, 2}));
  options.time_column = "When";  // explicit names match exactly
  Status s = Error("x,when,y", options);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "f.csv:1: unknown time column 'When' (columns: x, when, y)");
}

TEST(CsvHeaderTest, LabelsMatchCaseInsensitivelyAndAreNeverFeatures) {
  const CsvLayout layout = Layout("a,Anomaly,b");
  EXPECT_EQ(layout.feature_fields, (Indices{0, 2}));
  EXPECT_EQ(layout.label_fields, (Indices{1, kNoField}));
  CsvOptions options;
  options.label_columns = {};
  EXPECT_EQ(Layout("a,anomaly", options).feature_fields, (Indices{0, 1}));
  options.label_columns = {"fault"};
  EXPECT_EQ(Layout("fault,x", options).label_fields, (Indices{0}));
}

TEST(CsvHeaderTest, ExplicitColumnsKeepTheGivenOrder) {
  CsvOptions options;
  options.columns = {"c", "a"};
  const CsvLayout layout = Layout("time,a,b,c,anomaly", options);
  EXPECT_EQ(layout.feature_fields, (Indices{3, 1}));
  EXPECT_EQ(layout.time_field, 0u);
  EXPECT_EQ(layout.label_fields, (Indices{4, kNoField}));
}

TEST(CsvHeaderTest, ExplicitColumnErrors) {
  CsvOptions options;
  options.columns = {"a", "Foo"};
  Status s = Error("a,b,c", options);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "f.csv:1: unknown column 'Foo' (columns: a, b, c)");
  options.columns = {"a", "a"};
  s = Error("a,b", options);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "f.csv:1: column 'a' is listed twice");
  options.columns = {"anomaly"};
  s = Error("a,anomaly", options);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "f.csv:1: column 'anomaly' is a label column, not a feature");
  options.columns = {"time"};
  s = Error("time,a", options);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "f.csv:1: column 'time' is the time column, not a feature");
}

TEST(CsvHeaderTest, LongColumnListsAreCut) {
  std::string line;
  for (int i = 0; i < 25; ++i) {
    if (i > 0) line += ',';
    line += 'c';
    line += std::to_string(i);
  }
  CsvOptions options;
  options.columns = {"nope"};
  Status s = Error(line, options);
  EXPECT_EQ(s.message(),
            "f.csv:1: unknown column 'nope' (columns: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, "
            "c13, c14, c15, c16, c17, c18, c19, ... (5 more))");
}

TEST(CsvHeaderTest, DuplicateAndEmptyNames) {
  Status s = Error("a,b,a");
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(), "f.csv:1:3: duplicate column name 'a' (also column 1)");
  s = Error("a, b ,b");  // trimmed before comparing
  EXPECT_EQ(s.message(), "f.csv:1:3: duplicate column name 'b' (also column 2)");
  s = Error("a,,b");
  EXPECT_EQ(s.message(), "f.csv:1:2: empty column name");
  s = Error("a;b;");
  EXPECT_EQ(s.message(), "f.csv:1:3: empty column name");
}

TEST(CsvHeaderTest, NumericLookingHeaderIsMissing) {
  Status s = Error("1.5,2,3");
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(),
            "f.csv:1:1: missing header: the first line '1.5,2,3' looks like data, not column names");
  s = Error("2020-03-09 10:14:33;0.02;NaN;;1");
  EXPECT_EQ(s.message(),
            "f.csv:1:1: missing header: the first line '2020-03-09 10:14:33;0.02;NaN;;1' looks "
            "like data, not column names");
  s = Error("42");
  EXPECT_EQ(s.message(), "f.csv:1:1: missing header: the first line '42' looks like data, not column names");
  // Some numeric names are fine as long as one is not.
  EXPECT_EQ(Layout("time,1,2").header, (std::vector<std::string>{"time", "1", "2"}));
}

TEST(CsvHeaderTest, SingleColumnHeader) {
  const CsvLayout layout = Layout("value");
  EXPECT_EQ(layout.header, (std::vector<std::string>{"value"}));
  EXPECT_EQ(layout.feature_fields, (Indices{0}));
  EXPECT_EQ(layout.time_field, kNoField);
}

TEST(CsvHeaderTest, NoFeatureColumns) {
  Status s = Error("time,anomaly,changepoint");
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(), "f.csv:1: no feature columns (columns: time, anomaly, changepoint)");
}

TEST(CsvHeaderTest, TimeColumnCannotAlsoBeALabel) {
  CsvOptions options;
  options.time_column = "anomaly";
  Status s = Error("anomaly,x", options);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "f.csv:1: column 'anomaly' cannot be both the time column and a label column");
}

TEST(CsvHeaderTest, UnterminatedQuoteInHeader) {
  Status s = Error(R"(a,"b)");
  EXPECT_EQ(s.message(), "f.csv:1:2: unterminated quoted field (a quoted field cannot span lines)");
}

}  // namespace
}  // namespace vigil::io
