#include "serve/reading_parser.h"

#include <gtest/gtest.h>

#include <cmath>

namespace vigil::serve {
namespace {

LineConfig Line(PayloadFormat format) {
  // Parsed from TOML like the service does (this also keeps GCC 12's -Wrestrict false
  // positive on short string assignments out of the way).
  Result<ServeConfig> c = ParseServeConfig(std::string("[[line]]\nname = \"l\"\ntopic = \"t\"\nmodel = \"m\"\n") +
                                               "max_payload_bytes = 200\nformat = \"" +
                                               (format == PayloadFormat::kJson ? "json" : "csv") + "\"\n",
                                           "test.toml", "");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c->lines.at(0);
}

const std::vector<std::string> kChannels = {"Pressure", "Temperature"};

std::optional<ParseReject> Parse(const LineConfig& l, std::string_view payload, ParsedReading* r) {
  ReadingParser p(l, kChannels);
  return p.Parse(payload, r);
}

void ExpectReject(const LineConfig& l, std::string_view payload, RejectReason reason, std::string_view fragment = "") {
  ParsedReading r;
  std::optional<ParseReject> rej = Parse(l, payload, &r);
  ASSERT_TRUE(rej.has_value()) << payload;
  EXPECT_EQ(RejectReasonName(rej->reason), std::string(RejectReasonName(reason))) << payload << ": " << rej->detail;
  EXPECT_NE(rej->detail.find(fragment), std::string::npos) << rej->detail;
}

TEST(ReadingParserTest, JsonReadingInModelOrder) {
  ParsedReading r;
  ASSERT_FALSE(Parse(Line(PayloadFormat::kJson), R"({"Temperature": 71.5, "ts": 1583748873.5, "Pressure": 0.25})", &r));
  EXPECT_DOUBLE_EQ(r.ts, 1583748873.5);
  ASSERT_EQ(r.values.size(), 2u);
  EXPECT_FLOAT_EQ(r.values[0], 0.25f);
  EXPECT_FLOAT_EQ(r.values[1], 71.5f);
  ASSERT_FALSE(Parse(Line(PayloadFormat::kJson), R"({"ts": "2020-03-09 10:14:33", "Pressure": 1, "Temperature": 2})", &r));
  EXPECT_DOUBLE_EQ(r.ts, 1583748873.0);
}

TEST(ReadingParserTest, JsonRefusalsHaveReasons) {
  const LineConfig l = Line(PayloadFormat::kJson);
  ExpectReject(l, "{not json", RejectReason::kMalformed, "byte");
  ExpectReject(l, "[1,2]", RejectReason::kMalformed, "array");
  ExpectReject(l, R"({"Pressure": 1, "Temperature": 2})", RejectReason::kMissingTimestamp);
  ExpectReject(l, R"({"ts": true, "Pressure": 1, "Temperature": 2})", RejectReason::kWrongType, "ts");
  ExpectReject(l, R"({"ts": "yesterday", "Pressure": 1, "Temperature": 2})", RejectReason::kWrongType, "yesterday");
  ExpectReject(l, R"({"ts": 1, "Pressure": "high", "Temperature": 2})", RejectReason::kWrongType, "Pressure");
  ExpectReject(l, R"({"ts": 1, "Pressure": 1e300, "Temperature": 2})", RejectReason::kNonFinite, "Pressure");
  ExpectReject(l, R"({"ts": 1, "Pressure": 1, "Temperature": 2, "Vibration": 3})", RejectReason::kUnknownChannel,
               "Vibration");
  ExpectReject(l, R"({"ts": 1, "Pressure": 1})", RejectReason::kMissingChannel, "Temperature");
  ExpectReject(l, R"({"ts": 1, "Pressure": 1, "Temperature": null})", RejectReason::kMissingChannel, "Temperature");
  ExpectReject(l, std::string(201, ' '), RejectReason::kOversize, "201 bytes");
  // A number beyond double range makes the JSON library throw something other than a parse
  // error (found by fuzzing): still a refusal, never an escaped exception.
  ExpectReject(l, R"({"ts": 158374e873.5, "Pressure": 1, "Temperature": 2})", RejectReason::kMalformed);
}

TEST(ReadingParserTest, JsonPoliciesIgnoreUnknownAndHoldMissing) {
  LineConfig l = Line(PayloadFormat::kJson);
  l.unknown_channels = ChannelPolicy::kIgnore;
  l.missing_channels = MissingPolicy::kHold;
  ParsedReading r;
  ASSERT_FALSE(Parse(l, R"({"ts": 5, "Pressure": 1, "Vibration": 3})", &r));
  EXPECT_FLOAT_EQ(r.values[0], 1.0f);
  EXPECT_TRUE(std::isnan(r.values[1]));  // the line holds its last value
}

TEST(ReadingParserTest, CsvReadingWithDefaultAndCustomColumns) {
  ParsedReading r;
  ASSERT_FALSE(Parse(Line(PayloadFormat::kCsv), "2020-03-09 10:14:33;0.5;70\r\n", &r));
  EXPECT_DOUBLE_EQ(r.ts, 1583748873.0);
  EXPECT_FLOAT_EQ(r.values[0], 0.5f);
  EXPECT_FLOAT_EQ(r.values[1], 70.0f);
  LineConfig l = Line(PayloadFormat::kCsv);
  l.csv_columns = {"Temperature", "spare", "ts", "Pressure"};
  ASSERT_FALSE(Parse(l, "70, x ,12,0.5", &r));
  EXPECT_DOUBLE_EQ(r.ts, 12.0);
  EXPECT_FLOAT_EQ(r.values[0], 0.5f);
  EXPECT_FLOAT_EQ(r.values[1], 70.0f);
}

TEST(ReadingParserTest, CsvRefusalsHaveReasons) {
  const LineConfig l = Line(PayloadFormat::kCsv);
  ExpectReject(l, "1,2", RejectReason::kMalformed, "2 cells, expected 3");
  ExpectReject(l, "1,2,3,4", RejectReason::kMalformed, "more than");
  ExpectReject(l, "1,2\n3,4,5", RejectReason::kMalformed, "several");
  ExpectReject(l, ",2,3", RejectReason::kMissingTimestamp);
  ExpectReject(l, "1,abc,3", RejectReason::kWrongType, "Pressure");
  ExpectReject(l, "1,nan,3", RejectReason::kNonFinite, "Pressure");
  ExpectReject(l, "1,2,-inf", RejectReason::kNonFinite, "Temperature");
  ExpectReject(l, "1,2,1e50", RejectReason::kNonFinite, "Temperature");
  ExpectReject(l, "1,,3", RejectReason::kMissingChannel, "Pressure");
}

TEST(ReadingParserTest, CutPayloadIsOversizeBySizeOnArrival) {
  ReadingParser p(Line(PayloadFormat::kJson), kChannels);
  ParsedReading r;
  std::optional<ParseReject> rej = p.Parse("{\"ts\": 1", &r, 100000);
  ASSERT_TRUE(rej);
  EXPECT_EQ(rej->reason, RejectReason::kOversize);
  EXPECT_NE(rej->detail.find("100000"), std::string::npos);
}

}  // namespace
}  // namespace vigil::serve
