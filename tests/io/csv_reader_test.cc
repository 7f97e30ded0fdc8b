#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "vigil/csv.h"

namespace vigil {
namespace {

using Floats = std::vector<float>;

// Reads `text` fully; the stream lives as long as the harness.
struct Harness {
  explicit Harness(std::string text, CsvOptions opts = {}) : in(std::move(text)), options(std::move(opts)) {
    options.warn = [this](const std::string& w) { warnings.push_back(w); };
  }
  Status Open() {
    Result<std::unique_ptr<CsvReader>> r = CsvReader::FromStream(in, "f.csv", options);
    if (!r.ok()) return r.status();
    reader = std::move(r).value();
    return Status::OK();
  }
  // All rows up to the end or the first error.
  Status ReadAll() {
    VIGIL_RETURN_IF_ERROR(Open());
    return ReadRest();
  }
  Status ReadRest() {
    while (true) {
      CsvRow row;
      Result<bool> more = reader->Next(&row);
      if (!more.ok()) return more.status();
      if (!*more) return Status::OK();
      rows.push_back(row);
    }
  }

  std::istringstream in;
  CsvOptions options;
  std::unique_ptr<CsvReader> reader;
  std::vector<CsvRow> rows;
  std::vector<std::string> warnings;
};

void ExpectRow(const CsvRow& row, double timestamp, const Floats& values) {
  EXPECT_EQ(row.timestamp, timestamp);
  EXPECT_EQ(row.values, values);
}

bool AllNaN(const Floats& v) {
  for (float x : v) {
    if (!std::isnan(x)) return false;
  }
  return true;
}

std::string ErrorOf(const std::string& text, CsvOptions options = {}) {
  Harness h(text, std::move(options));
  Status s = h.ReadAll();
  EXPECT_FALSE(s.ok()) << text;
  return s.message();
}

TEST(CsvReaderTest, CommaWithEpochTimeColumn) {
  Harness h("timestamp,a,b\n100,1.5,-2\n101, 3 ,4e1\n");
  ASSERT_TRUE(h.ReadAll().ok());
  EXPECT_EQ(h.reader->schema().names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(h.reader->time_column(), "timestamp");
  EXPECT_EQ(h.reader->has_label(), (std::vector<bool>{false, false}));
  ASSERT_EQ(h.rows.size(), 2u);
  ExpectRow(h.rows[0], 100, {1.5f, -2.0f});
  ExpectRow(h.rows[1], 101, {3.0f, 40.0f});
  EXPECT_EQ(h.rows[0].time_text, "100");
  EXPECT_EQ(h.rows[0].line, 2u);
  EXPECT_EQ(h.rows[1].line, 3u);
  EXPECT_EQ(h.rows[0].labels.size(), 2u);
  EXPECT_TRUE(AllNaN(h.rows[0].labels));
}

TEST(CsvReaderTest, SemicolonAndTab) {
  Harness semi("datetime;x;y\n2020-03-09 10:14:33;1;2\n");
  ASSERT_TRUE(semi.ReadAll().ok());
  ASSERT_EQ(semi.rows.size(), 1u);
  ExpectRow(semi.rows[0], 1583748873, {1, 2});
  Harness tab("x\ty\tz\n1\t2\t3\n");
  ASSERT_TRUE(tab.ReadAll().ok());
  ASSERT_EQ(tab.rows.size(), 1u);
  ExpectRow(tab.rows[0], 0, {1, 2, 3});
}

TEST(CsvReaderTest, ForcedDelimiter) {
  CsvOptions options;
  options.delimiter = '|';
  Harness h("a|b\n1|2\n", options);
  ASSERT_TRUE(h.ReadAll().ok());
  ExpectRow(h.rows.at(0), 0, {1, 2});
}

TEST(CsvReaderTest, BomAndCrlf) {
  Harness h("\xEF\xBB\xBFtime,a\r\n5,1\r\n6,2\r\n");
  ASSERT_TRUE(h.ReadAll().ok());
  EXPECT_EQ(h.reader->time_column(), "time");  // not "\xEF\xBB\xBFtime"
  ASSERT_EQ(h.rows.size(), 2u);
  ExpectRow(h.rows[0], 5, {1});
  ExpectRow(h.rows[1], 6, {2});
  EXPECT_EQ(h.rows[1].time_text, "6");
}

TEST(CsvReaderTest, QuotedHeaderAndCells) {
  Harness h("\"time\";\"Flow; l/min\";\"say \"\"x\"\"\"\n\"1\";\"2.5\";3\n");
  ASSERT_TRUE(h.ReadAll().ok());
  EXPECT_EQ(h.reader->schema().names(), (std::vector<std::string>{"Flow; l/min", "say \"x\""}));
  ExpectRow(h.rows.at(0), 1, {2.5f, 3});
}

TEST(CsvReaderTest, LastLineWithoutNewlineAndTrailingEmptyLine) {
  Harness no_newline("a\n1\n2");
  ASSERT_TRUE(no_newline.ReadAll().ok());
  EXPECT_EQ(no_newline.rows.size(), 2u);
  Harness extra_newlines("a\n1\n2\n\n");
  ASSERT_TRUE(extra_newlines.ReadAll().ok());
  EXPECT_EQ(extra_newlines.rows.size(), 2u);
}

TEST(CsvReaderTest, BlankLinesInTheMiddleAreSkipped) {
  Harness h("a,b\n1,2\n\n\r\n3,4\n");
  ASSERT_TRUE(h.ReadAll().ok());
  ASSERT_EQ(h.rows.size(), 2u);
  // Not rows: the row-number timestamp does not advance and nothing counts as skipped.
  ExpectRow(h.rows[1], 1, {3, 4});
  EXPECT_EQ(h.rows[1].line, 5u);
  EXPECT_EQ(h.reader->skipped_rows(), 0u);
}

TEST(CsvReaderTest, LineOfSpacesIsARaggedRow) {
  EXPECT_EQ(ErrorOf("a,b\n1,2\n   \n"), "f.csv:3: expected 2 fields, found 1");
}

TEST(CsvReaderTest, WithoutTimeColumnTimestampIsRowNumber) {
  Harness h("a\n10\n11\n12\n");
  ASSERT_TRUE(h.ReadAll().ok());
  EXPECT_EQ(h.reader->time_column(), "");
  ASSERT_EQ(h.rows.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(h.rows[i].timestamp, static_cast<double>(i));
    EXPECT_EQ(h.rows[i].time_text, "");
  }
}

TEST(CsvReaderTest, IsoTimestampsWithOffsets) {
  Harness h("Date,v\n2020-03-09T10:14:33+01:00,1\n2020-03-09T09:14:34Z,2\n2020-03-09 09:14:35.5,3\n");
  ASSERT_TRUE(h.ReadAll().ok());
  EXPECT_EQ(h.reader->time_column(), "Date");
  ASSERT_EQ(h.rows.size(), 3u);
  EXPECT_EQ(h.rows[0].timestamp, 1583745273.0);
  EXPECT_EQ(h.rows[1].timestamp, 1583745274.0);
  EXPECT_EQ(h.rows[2].timestamp, 1583745275.5);
  EXPECT_EQ(h.rows[0].time_text, "2020-03-09T10:14:33+01:00");
  EXPECT_TRUE(h.warnings.empty());
}

TEST(CsvReaderTest, ExplicitTimeColumn) {
  CsvOptions options;
  options.time_column = "t_ms";
  Harness h("x,t_ms\n1,1000\n2,1001\n", options);
  ASSERT_TRUE(h.ReadAll().ok());
  EXPECT_EQ(h.reader->time_column(), "t_ms");
  ExpectRow(h.rows.at(1), 1001, {2});
}

TEST(CsvReaderTest, LabelsAreReadButNeverFeatures) {
  Harness h("time,a,anomaly,b\n1,10,0,20\n2,11,1,21\n3,12,,22\n4,13,NaN,23\n");
  ASSERT_TRUE(h.ReadAll().ok());
  EXPECT_EQ(h.reader->schema().names(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(h.reader->has_label(), (std::vector<bool>{true, false}));
  ASSERT_EQ(h.rows.size(), 4u);
  ExpectRow(h.rows[0], 1, {10, 20});
  EXPECT_EQ(h.rows[0].labels[0], 0.0f);
  EXPECT_EQ(h.rows[1].labels[0], 1.0f);
  EXPECT_TRUE(std::isnan(h.rows[2].labels[0]));  // empty label cell
  EXPECT_TRUE(std::isnan(h.rows[3].labels[0]));
  for (const CsvRow& row : h.rows) EXPECT_TRUE(std::isnan(row.labels[1]));  // no changepoint column
}

TEST(CsvReaderTest, MissingLabelIsNotAMissingValueUnderFail) {
  CsvOptions options;
  options.missing = MissingPolicy::kFail;
  Harness h("a,anomaly\n1,\n", options);
  ASSERT_TRUE(h.ReadAll().ok());
  ASSERT_EQ(h.rows.size(), 1u);
  EXPECT_TRUE(std::isnan(h.rows[0].labels[0]));
}

TEST(CsvReaderTest, ExplicitColumnsOrderAndUnusedCellsIgnored) {
  CsvOptions options;
  options.columns = {"c", "a"};
  Harness h("a,b,c\n1,not a number,3\n4,,6\n", options);
  ASSERT_TRUE(h.ReadAll().ok());
  EXPECT_EQ(h.reader->schema().names(), (std::vector<std::string>{"c", "a"}));
  ASSERT_EQ(h.rows.size(), 2u);
  ExpectRow(h.rows[0], 0, {3, 1});
  ExpectRow(h.rows[1], 1, {6, 4});
}

TEST(CsvReaderTest, HoldPolicy) {
  // Row 2 is dropped because b has no value yet, but its a=1 is remembered.
  Harness h("a,b\n1,\n,2\nNA,nan\n5,6\n");
  ASSERT_TRUE(h.ReadAll().ok());
  ASSERT_EQ(h.rows.size(), 3u);
  ExpectRow(h.rows[0], 1, {1, 2});
  ExpectRow(h.rows[1], 2, {1, 2});
  ExpectRow(h.rows[2], 3, {5, 6});
  EXPECT_EQ(h.reader->skipped_rows(), 1u);
}

TEST(CsvReaderTest, SkipPolicy) {
  CsvOptions options;
  options.missing = MissingPolicy::kSkip;
  Harness h("a,b\n1,2\n,3\n4,NA\n5,6\n", options);
  ASSERT_TRUE(h.ReadAll().ok());
  ASSERT_EQ(h.rows.size(), 2u);
  ExpectRow(h.rows[0], 0, {1, 2});
  ExpectRow(h.rows[1], 3, {5, 6});  // row numbers keep the gap
  EXPECT_EQ(h.rows[1].line, 5u);
  EXPECT_EQ(h.reader->skipped_rows(), 2u);
}

TEST(CsvReaderTest, FailPolicy) {
  CsvOptions options;
  options.missing = MissingPolicy::kFail;
  EXPECT_EQ(ErrorOf("a,b\n1,2\n3, \n", options), "f.csv:3:2: missing value in column 'b'");
  EXPECT_EQ(ErrorOf("a,b\nNaN,2\n", options), "f.csv:2:1: missing value in column 'a'");
}

TEST(CsvReaderTest, ParseMissingPolicy) {
  EXPECT_EQ(ParseMissingPolicy("hold").value(), MissingPolicy::kHold);
  EXPECT_EQ(ParseMissingPolicy("skip").value(), MissingPolicy::kSkip);
  EXPECT_EQ(ParseMissingPolicy("fail").value(), MissingPolicy::kFail);
  Result<MissingPolicy> bad = ParseMissingPolicy("Hold");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "unknown missing-value policy 'Hold' (expected hold, skip or fail)");
}

TEST(CsvReaderTest, EmptyFile) {
  for (const char* text : {"", "\xEF\xBB\xBF", "\n", "\r\n\n\n"}) {
    Harness h(text);
    Status s = h.Open();
    EXPECT_EQ(s.code(), StatusCode::kDataError);
    EXPECT_EQ(s.message(), "f.csv:1:1: empty file (a header line is required)");
  }
}

TEST(CsvReaderTest, BlankFirstLineIsAMissingHeader) {
  EXPECT_EQ(ErrorOf("\na,b\n1,2\n"), "f.csv:1:1: missing header: line 1 is blank");
}

TEST(CsvReaderTest, NumericHeaderIsMissing) {
  Harness h("1.0,2.0\n3,4\n");
  Status s = h.Open();
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(),
            "f.csv:1:1: missing header: the first line '1.0,2.0' looks like data, not column names");
}

TEST(CsvReaderTest, ClassicMacLineEndings) {
  EXPECT_EQ(ErrorOf("a,b\r1,2\r3,4\r"),
            "f.csv:1: carriage return inside the header line (classic Mac line endings are not supported; "
            "use LF or CRLF)");
}

TEST(CsvReaderTest, RaggedRow) {
  std::string header = "datetime;a;b;c;d;e;f;g;h;anomaly;changepoint\n";
  EXPECT_EQ(
      ErrorOf(header + "2020-03-09 10:14:33;1;2;3;4;5;6;7;8;0;0\n2020-03-09 10:14:34;1;2;3;4;5;6;7;8\n"),
      "f.csv:3: expected 11 fields, found 9");
  EXPECT_EQ(ErrorOf("a,b\n1,2,3\n"), "f.csv:2: expected 2 fields, found 3");
}

TEST(CsvReaderTest, NonNumericCell) {
  Harness h("time;Voltage;Current\n1;2;abc\n");
  Status s = h.ReadAll();
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(), "f.csv:2:3: non-numeric value 'abc' in column 'Current'");
  EXPECT_EQ(ErrorOf("a;b\n1;1,5\n"), "f.csv:2:2: non-numeric value '1,5' in column 'b'");
  EXPECT_EQ(ErrorOf("a\n  x y  \n"), "f.csv:2:1: non-numeric value 'x y' in column 'a'");
}

TEST(CsvReaderTest, NonNumericLabel) {
  EXPECT_EQ(ErrorOf("a,anomaly\n1,yes\n"), "f.csv:2:2: non-numeric value 'yes' in column 'anomaly'");
}

TEST(CsvReaderTest, InfiniteAndOutOfRangeCells) {
  Harness h("a,X\n1,-inf\n");
  Status s = h.ReadAll();
  EXPECT_EQ(s.code(), StatusCode::kDataError);
  EXPECT_EQ(s.message(), "f.csv:2:2: infinite value in column 'X'");
  EXPECT_EQ(ErrorOf("a,anomaly\n1,inf\n"), "f.csv:2:2: infinite value in column 'anomaly'");
  EXPECT_EQ(ErrorOf("a\n1e39\n"), "f.csv:2:1: value '1e39' is out of float range in column 'a'");
}

TEST(CsvReaderTest, BadTimestamp) {
  EXPECT_EQ(ErrorOf("a;datetime\n1;2020-02-30 00:00:00\n"),
            "f.csv:2:2: bad timestamp '2020-02-30 00:00:00' in column 'datetime': day 30 out of range for "
            "2020-02 (1-29)");
  EXPECT_EQ(ErrorOf("time,a\n,1\n"), "f.csv:2:1: bad timestamp '' in column 'time': empty timestamp");
}

TEST(CsvReaderTest, UnterminatedQuoteInRow) {
  EXPECT_EQ(ErrorOf("a,b\n1,\"2\n"),
            "f.csv:2:2: unterminated quoted field (a quoted field cannot span lines)");
}

TEST(CsvReaderTest, HeaderErrorsCarryTheSourceName) {
  CsvOptions options;
  options.columns = {"Foo"};
  Harness unknown("a,b,c\n1,2,3\n", options);
  Status s = unknown.Open();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "f.csv:1: unknown column 'Foo' (columns: a, b, c)");

  CsvOptions time_options;
  time_options.time_column = "when";
  Harness no_time("a,b,c\n", time_options);
  s = no_time.Open();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "f.csv:1: unknown time column 'when' (columns: a, b, c)");

  EXPECT_EQ(ErrorOf("a,b,a\n"), "f.csv:1:3: duplicate column name 'a' (also column 1)");
}

TEST(CsvReaderTest, NextContinuesAfterADataError) {
  Harness h("a,b\n1,2\nx,3\n4,5\n");
  ASSERT_TRUE(h.Open().ok());
  EXPECT_FALSE(h.ReadRest().ok());
  ASSERT_TRUE(h.ReadRest().ok());
  ASSERT_EQ(h.rows.size(), 2u);
  ExpectRow(h.rows[1], 2, {4, 5});
  CsvRow row;
  Result<bool> more = h.reader->Next(&row);  // still false after the end
  ASSERT_TRUE(more.ok());
  EXPECT_FALSE(*more);
}

TEST(CsvReaderTest, TimestampsGoingBackwardsWarnAndKeepOrder) {
  Harness h("time,v\n10,1\n9,2\n9,3\n11,4\n");
  ASSERT_TRUE(h.ReadAll().ok());
  ASSERT_EQ(h.rows.size(), 4u);
  EXPECT_EQ(h.rows[1].timestamp, 9);  // file order, not sorted
  EXPECT_EQ(h.reader->timestamp_warnings(), 2u);
  ASSERT_EQ(h.warnings.size(), 2u);
  EXPECT_EQ(h.warnings[0],
            "f.csv:3: timestamp goes backwards ('9' after '10' on line 2); rows keep file order");
  EXPECT_EQ(h.warnings[1], "f.csv:4: timestamp repeats ('9' same as '9' on line 3); rows keep file order");
}

TEST(CsvReaderTest, AtMostTenTimestampWarningsAreShown) {
  std::string text = "time,v\n";
  for (int i = 0; i < 25; ++i) text += "5,1\n";
  Harness h(text);
  ASSERT_TRUE(h.ReadAll().ok());
  EXPECT_EQ(h.rows.size(), 25u);
  EXPECT_EQ(h.reader->timestamp_warnings(), 24u);
  ASSERT_EQ(h.warnings.size(), 10u);
  EXPECT_EQ(h.warnings[9],
            "f.csv:12: timestamp repeats ('5' same as '5' on line 11); rows keep file order; "
            "further timestamp warnings are counted but not shown");
}

TEST(CsvReaderTest, DefaultWarningGoesToStderr) {
  std::istringstream in("time,v\n2,1\n1,1\n");
  Result<std::unique_ptr<CsvReader>> reader = CsvReader::FromStream(in, "s.csv", CsvOptions{});
  ASSERT_TRUE(reader.ok());
  testing::internal::CaptureStderr();
  CsvRow row;
  while (true) {
    Result<bool> more = (*reader)->Next(&row);
    ASSERT_TRUE(more.ok());
    if (!*more) break;
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(),
            "warning: s.csv:3: timestamp goes backwards ('1' after '2' on line 2); rows keep file order\n");
}

TEST(CsvReaderTest, RowIsReusedWithoutStaleValues) {
  Harness h("a,b\n1,2\n");
  ASSERT_TRUE(h.Open().ok());
  CsvRow row;
  row.values = {9, 9, 9, 9};
  row.labels = {7};
  ASSERT_TRUE(h.reader->Next(&row).value());
  EXPECT_EQ(row.values, (Floats{1, 2}));
  EXPECT_EQ(row.labels.size(), 2u);
}

TEST(CsvReaderTest, OpenMissingFileAndDirectory) {
  Result<std::unique_ptr<CsvReader>> r = CsvReader::Open("/nonexistent/run.csv", CsvOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "/nonexistent/run.csv: no such file");
  const std::string dir = testing::TempDir();
  r = CsvReader::Open(dir, CsvOptions{});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kIOError);
  EXPECT_EQ(r.status().message(), dir + ": is a directory");
}

TEST(CsvReaderTest, OpenReadsAFile) {
  const std::string path = testing::TempDir() + "/csv_reader_test_small.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "ts,x\r\n1,0.5\r\n";
  }
  Result<std::unique_ptr<CsvReader>> r = CsvReader::Open(path, CsvOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  CsvRow row;
  ASSERT_TRUE((*r)->Next(&row).value());
  ExpectRow(row, 1, {0.5f});
  std::remove(path.c_str());
}

// "-" reads file descriptor 0; point it at a temporary file for the duration of the test.
TEST(CsvReaderTest, DashReadsStandardInput) {
  const std::string path = testing::TempDir() + "/csv_reader_test_stdin.csv";
  {
    std::ofstream out(path, std::ios::binary);
    out << "v;w\n1;2\n3;4\n";
  }
  const int saved = ::dup(0);
  ASSERT_GE(saved, 0);
  const int fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, 0), 0);
  ::close(fd);
  std::vector<CsvRow> rows;
  Status status;
  {
    Result<std::unique_ptr<CsvReader>> r = CsvReader::Open("-", CsvOptions{});
    status = r.status();
    if (r.ok()) {
      CsvRow row;
      while ((*r)->Next(&row).value()) rows.push_back(row);
    }
  }
  ::dup2(saved, 0);
  ::close(saved);
  std::remove(path.c_str());
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(rows.size(), 2u);
  ExpectRow(rows[1], 1, {3, 4});
}

TEST(CsvReaderTest, StandardInputErrorsAreNamed) {
  const int saved = ::dup(0);
  ASSERT_GE(saved, 0);
  const int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::dup2(fd, 0), 0);
  ::close(fd);
  Result<std::unique_ptr<CsvReader>> r = CsvReader::Open("-", CsvOptions{});
  ::dup2(saved, 0);
  ::close(saved);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "<stdin>:1:1: empty file (a header line is required)");
}

constexpr const char* kValve = VIGIL_SKAB_DIR "/valve1/0.csv";
constexpr const char* kAnomalyFree = VIGIL_SKAB_DIR "/anomaly-free/anomaly-free.csv";

TEST(CsvReaderSkabTest, Valve1File0) {
  Result<std::unique_ptr<CsvReader>> r = CsvReader::Open(kValve, CsvOptions{});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  CsvReader& reader = **r;
  EXPECT_EQ(reader.schema().names(),
            (std::vector<std::string>{"Accelerometer1RMS", "Accelerometer2RMS", "Current", "Pressure",
                                      "Temperature", "Thermocouple", "Voltage", "Volume Flow RateRMS"}));
  EXPECT_EQ(reader.time_column(), "datetime");
  EXPECT_EQ(reader.has_label(), (std::vector<bool>{true, true}));
  CsvRow row;
  size_t rows = 0;
  double anomalies = 0;
  double changepoints = 0;
  while (true) {
    Result<bool> more = reader.Next(&row);
    ASSERT_TRUE(more.ok()) << more.status().ToString();
    if (!*more) break;
    if (rows == 0) {
      EXPECT_EQ(row.timestamp, 1583748873.0);
      EXPECT_EQ(row.time_text, "2020-03-09 10:14:33");
      EXPECT_EQ(row.values,
                (Floats{0.0265878f, 0.0401113f, 1.3302f, 0.054711f, 79.3366f, 26.0199f, 233.062f, 32.0f}));
      EXPECT_EQ(row.line, 2u);
    }
    ASSERT_EQ(row.values.size(), 8u);
    anomalies += row.labels[0];
    changepoints += row.labels[1];
    ++rows;
  }
  EXPECT_EQ(rows, 1147u);
  EXPECT_EQ(row.time_text, "2020-03-09 10:34:32");
  EXPECT_EQ(row.line, 1148u);
  EXPECT_EQ(anomalies, 401);
  EXPECT_EQ(changepoints, 4);
  EXPECT_EQ(reader.skipped_rows(), 0u);
  EXPECT_EQ(reader.timestamp_warnings(), 0u);
}

TEST(CsvReaderSkabTest, AnomalyFreeFileHasNoLabels) {
  Result<LabelledTable> table = ReadCsvTable(kAnomalyFree, CsvOptions{});
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->frames.rows(), 9405u);
  EXPECT_EQ(table->frames.cols(), 8u);
  EXPECT_EQ(table->has_label, (std::vector<bool>{false, false}));
  EXPECT_EQ(table->labels.size(), 9405u * 2);
  EXPECT_TRUE(AllNaN(table->labels));
  EXPECT_EQ(table->frames.timestamps.front(), 1581168647.0);
  EXPECT_EQ(table->frames.timestamps.back(), 1581178607.0);
  EXPECT_EQ(table->time_text.back(), "2020-02-08 16:16:47");
  EXPECT_EQ(table->frames.row(0).values[7], 122.664f);
}

TEST(CsvReaderSkabTest, ReadCsvTableHonoursMaxRows) {
  Result<LabelledTable> table = ReadCsvTable(kValve, CsvOptions{}, 400);
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(table->frames.rows(), 400u);
  EXPECT_EQ(table->frames.values.size(), 400u * 8);
  EXPECT_EQ(table->labels.size(), 800u);
  EXPECT_EQ(table->time_text.size(), 400u);
  EXPECT_EQ(table->frames.schema.size(), 8u);
  EXPECT_EQ(table->frames.row(1).values[0], 0.0261697f);
  EXPECT_EQ(table->labels[0], 0.0f);
}

TEST(CsvReaderSkabTest, ReadCsvTablePropagatesErrors) {
  Result<LabelledTable> table = ReadCsvTable("/nonexistent.csv", CsvOptions{});
  ASSERT_FALSE(table.ok());
  EXPECT_EQ(table.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace vigil
