// Integration tests: the real `vigil events` binary on a store written by serve::EventStore.
// (Under tests/tools/serve/ so it links the serve library that writes its fixture store.)
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "serve/event_store.h"

#include "cli_runner.h"

namespace vigil::serve {
namespace {

namespace fs = std::filesystem;

using vigil::testing::CliRun;
using vigil::testing::Vigil;

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Splits one CSV record (quoted fields with doubled quotes; no newlines inside fields here).
std::vector<std::string> CsvFields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// 2020-03-09 10:14:33 UTC.
constexpr double kT0 = 1583748873;

class EventsCliTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = ::testing::TempDir() + "/events_cli_test_" + std::to_string(::getpid());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = dir_ + "/events.db";
    auto store = EventStore::Open({.path = store_});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    CommitBatch b;
    AlarmRecord closed{
        .line = "pump-1",
        .start_ts = kT0,
        .end_ts = kT0 + 27,  // 10:15:00
        .peak_score = 4.21349,
        .threshold = 2.5,
        .readings = 12,
        .channels = {{"Pressure", 0.62f}, {"Temperature", 0.25f}, {"Current", 0.08f}, {"Volt", 0.05f}}};
    AlarmRecord open{.line = "pump-2",
                     .start_ts = kT0 + 127,  // 10:16:40
                     .end_ts = std::numeric_limits<double>::quiet_NaN(),
                     .peak_score = 3,
                     .threshold = 2.75,
                     .readings = 4,
                     .channels = {{"Flow", 1.0f}}};
    AlarmRecord old{.line = "press \"A\", east",
                    .start_ts = kT0 - 3600,  // 09:14:33
                    .end_ts = kT0 - 3590,
                    .peak_score = 2.9,
                    .threshold = 2.5,
                    .readings = 10,
                    .channels = {{"Force", 0.5f}}};
    b.alarms = {closed, open, old};
    b.rejects = {RejectRecord{.seq = 11,
                              .line = "pump-1",
                              .reason = RejectReason::kWrongType,
                              .detail = "channel 'Pressure': expected a number, got string",
                              .payload = "{\"ts\":1583748880,\"Pressure\":\"high\"}",
                              .received_unix = kT0 + 7},
                 RejectRecord{.seq = 12,
                              .line = "",
                              .reason = RejectReason::kUnknownTopic,
                              .detail = "topic 'plant/x' matches no line",
                              .payload = std::string("\x01\xff,raw", 6),
                              .received_unix = kT0 + 8}};
    auto r = (*store)->Commit(b);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static std::string dir_, store_;
};
std::string EventsCliTest::dir_;
std::string EventsCliTest::store_;

TEST_F(EventsCliTest, TableListsAlarmsNewestFirstWithTimesAndTopChannels) {
  CliRun r = Vigil("events --store " + store_);
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0].rfind("start", 0), 0u) << lines[0];
  for (const char* column : {"end", "line", "peak", "threshold", "readings", "top_channels"})
    EXPECT_NE(lines[0].find(column), std::string::npos) << column;
  // Newest first: pump-2 (open), pump-1, then the old one.
  EXPECT_EQ(lines[1].rfind("2020-03-09 10:16:40  open", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find("pump-2"), std::string::npos);
  EXPECT_NE(lines[1].find("Flow:1.00"), std::string::npos);
  EXPECT_EQ(lines[2].rfind("2020-03-09 10:14:33  2020-03-09 10:15:00  pump-1", 0), 0u) << lines[2];
  EXPECT_NE(lines[2].find("4.213"), std::string::npos);
  EXPECT_NE(lines[2].find("2.500"), std::string::npos);
  // The three largest shares only.
  EXPECT_NE(lines[2].find("Pressure:0.62|Temperature:0.25|Current:0.08"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[2].find("Volt"), std::string::npos);
  EXPECT_EQ(lines[3].rfind("2020-03-09 09:14:33", 0), 0u) << lines[3];
  // Columns line up: every row's "line" column starts where the header's does.
  size_t line_col = lines[0].find("line");
  EXPECT_EQ(lines[2].find("pump-1"), line_col);
}

TEST_F(EventsCliTest, JsonIsAnArrayOfAlarmObjects) {
  CliRun r = Vigil("events --store " + store_ + " --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["line"], "pump-2");
  EXPECT_TRUE(j[0]["open"].get<bool>());
  EXPECT_TRUE(j[0]["end_ts"].is_null());
  EXPECT_EQ(j[1]["id"], "pump-1@1583748873.000000");
  EXPECT_EQ(j[1]["end_ts"].get<double>(), kT0 + 27);
  EXPECT_EQ(j[1]["readings"].get<uint64_t>(), 12u);
  ASSERT_EQ(j[1]["channels"].size(), 4u);
  EXPECT_EQ(j[1]["channels"][0]["channel"], "Pressure");
  EXPECT_EQ(j[1]["channels"][0]["share"].get<float>(), 0.62f);
  EXPECT_EQ(j[2]["line"], "press \"A\", east");
}

TEST_F(EventsCliTest, CsvQuotesFieldsAndLeavesOpenEndsEmpty) {
  CliRun r = Vigil("events --store " + store_ + " --format csv");
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[0], "id,line,start,end,start_ts,end_ts,peak_score,threshold,readings,top_channels");
  std::vector<std::string> open = CsvFields(lines[1]);
  ASSERT_EQ(open.size(), 10u) << lines[1];
  EXPECT_EQ(open[1], "pump-2");
  EXPECT_EQ(open[2], "2020-03-09 10:16:40");
  EXPECT_EQ(open[3], "");
  EXPECT_EQ(open[5], "");
  std::vector<std::string> closed = CsvFields(lines[2]);
  ASSERT_EQ(closed.size(), 10u) << lines[2];
  EXPECT_EQ(closed[4], "1583748873");
  EXPECT_EQ(closed[5], "1583748900");
  EXPECT_EQ(closed[6], "4.21349");  // exact, not rounded for display
  EXPECT_EQ(closed[8], "12");
  std::vector<std::string> quoted = CsvFields(lines[3]);
  ASSERT_EQ(quoted.size(), 10u) << lines[3];
  EXPECT_EQ(quoted[1], "press \"A\", east");
}

TEST_F(EventsCliTest, SinceLineAndLimitFilter) {
  // 10:15:00: pump-1 ended exactly then, pump-2 is open; the 09:14 alarm is over.
  CliRun r = Vigil("events --store " + store_ + " --format json --since '2020-03-09 10:15:00'");
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["line"], "pump-2");
  EXPECT_EQ(j[1]["line"], "pump-1");

  r = Vigil("events --store " + store_ + " --format json --since 2020-03-09T11:15:01+01:00");
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["line"], "pump-2");

  r = Vigil("events --store " + store_ + " --format json --line pump-1");
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["line"], "pump-1");

  r = Vigil("events --store " + store_ + " --format csv --limit 1");
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(CsvFields(lines[1])[1], "pump-2");

  r = Vigil("events --store " + store_ + " --line nowhere");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(Lines(r.out).size(), 1u);  // the header only
}

TEST_F(EventsCliTest, RejectsListInEveryFormat) {
  CliRun r = Vigil("events --store " + store_ + " --rejects");
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_EQ(lines[1].rfind("12", 0), 0u) << lines[1];  // newest first
  EXPECT_NE(lines[1].find("unknown_topic"), std::string::npos);
  EXPECT_NE(lines[1].find("\\x01\\xff,raw"), std::string::npos) << lines[1];  // bytes shown, not printed raw
  EXPECT_NE(lines[2].find("2020-03-09 10:14:40"), std::string::npos) << lines[2];
  EXPECT_NE(lines[2].find("wrong_type"), std::string::npos);

  r = Vigil("events --store " + store_ + " --rejects --line pump-1 --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["seq"], 11);
  EXPECT_EQ(j[0]["reason"], "wrong_type");
  EXPECT_EQ(j[0]["payload"], "{\"ts\":1583748880,\"Pressure\":\"high\"}");

  // Invalid UTF-8 in a payload does not break JSON output.
  r = Vigil("events --store " + store_ + " --rejects --format json");
  ASSERT_EQ(r.code, 0) << r.err;
  j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j.size(), 2u);

  r = Vigil("events --store " + store_ + " --rejects --format csv --since 1583748881");
  ASSERT_EQ(r.code, 0) << r.err;
  lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0], "seq,received,received_unix,line,reason,detail,payload");
  std::vector<std::string> f = CsvFields(lines[1]);
  ASSERT_EQ(f.size(), 7u) << lines[1];
  EXPECT_EQ(f[0], "12");
  EXPECT_EQ(f[3], "");
  EXPECT_EQ(f[4], "unknown_topic");
  EXPECT_EQ(f[6], std::string("\x01\xff,raw", 6));
}

TEST_F(EventsCliTest, AMissingStoreIsExit2NamingThePathAndIsNotCreated) {
  std::string missing = dir_ + "/no-such-store.db";
  CliRun r = Vigil("events --store " + missing);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_FALSE(fs::exists(missing));
}

TEST_F(EventsCliTest, BadInputsAreExit2WithTheBadValue) {
  CliRun r = Vigil("events --store " + store_ + " --since 2020-13-01");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("2020-13-01"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--since"), std::string::npos) << r.err;

  r = Vigil("events --store " + store_ + " --format xml");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("xml"), std::string::npos) << r.err;

  std::string not_a_store = dir_ + "/scores.csv";
  std::ofstream(not_a_store) << std::string(4096, 'x');
  r = Vigil("events --store " + not_a_store);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find(not_a_store), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("not an SQLite database"), std::string::npos) << r.err;

  r = Vigil("events");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--store"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vigil::serve
