#include "serve/line_scorer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "serve/serve_process.h"

namespace vigil::serve {
namespace {

const std::string kData = VIGIL_REPO_DATA_DIR;

class LineScorerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string((std::filesystem::temp_directory_path() / ("vigil_line_" + std::to_string(::getpid()))).string());
    std::filesystem::create_directories(*dir_);
    auto r = vigil::testing::Vigil("fit --detector pca --min-run 2 --smooth 3 -i " + kData + "/normal.csv -o " + *dir_ +
                                   "/pca.vgm");
    ASSERT_EQ(r.code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }
  LineConfig Config(const std::string& extra = "") {
    auto c = ParseServeConfig("[[line]]\nname = \"pump-1\"\ntopic = \"t\"\nmodel = \"" + *dir_ + "/pca.vgm\"\n" + extra,
                              "test.toml", "");
    EXPECT_TRUE(c.ok()) << c.status().message();
    return c->lines.at(0);
  }
  std::unique_ptr<LineScorer> Line(const std::string& extra = "") {
    auto l = LineScorer::Create(Config(extra));
    EXPECT_TRUE(l.ok()) << l.status().message();
    return l.ok() ? std::move(*l) : nullptr;
  }
  static std::string* dir_;
};
std::string* LineScorerTest::dir_ = nullptr;

TEST_F(LineScorerTest, ScoresRaisesAndClearsAnAlarmWithItsChannels) {
  auto line = Line();
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/faulty.csv");
  std::vector<AlarmRecord> events;
  size_t scored = 0;
  for (const auto& p : payloads) {
    LineOutcome o = line->Process(p);
    ASSERT_EQ(o.kind, LineOutcome::kScored) << p << ": " << o.reject.detail;
    ++scored;
    EXPECT_EQ(o.score.line, "pump-1");
    if (o.alarm) events.push_back(*o.alarm);
  }
  EXPECT_EQ(line->status().scored, scored);
  ASSERT_GE(events.size(), 1u);
  EXPECT_TRUE(events[0].open());
  EXPECT_FALSE(events[0].channels.empty());
  EXPECT_GE(events[0].peak_score, events[0].threshold);
  for (size_t i = 1; i < events.size(); i += 2) {
    EXPECT_FALSE(events[i].open()) << "open/close alternate";
    EXPECT_EQ(events[i].start_ts, events[i - 1].start_ts);
    EXPECT_GT(events[i].end_ts, events[i].start_ts);
    EXPECT_GE(events[i].peak_score, events[i - 1].peak_score);
  }
}

TEST_F(LineScorerTest, RedeliveryIsADuplicateOlderIsOutOfOrder) {
  auto line = Line();
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/normal.csv");
  for (size_t i = 100; i < 110; ++i) ASSERT_EQ(line->Process(payloads[i]).kind, LineOutcome::kScored);
  EXPECT_EQ(line->Process(payloads[105]).kind, LineOutcome::kDuplicate);
  EXPECT_EQ(line->Process(payloads[109]).kind, LineOutcome::kDuplicate);
  LineOutcome o = line->Process(payloads[50]);
  ASSERT_EQ(o.kind, LineOutcome::kRejected);
  EXPECT_EQ(o.reject.reason, RejectReason::kOutOfOrder);
  EXPECT_EQ(line->status().duplicates, 2u);
  EXPECT_EQ(line->Process(payloads[110]).kind, LineOutcome::kScored);
}

TEST_F(LineScorerTest, HoldPolicyFillsAbsentChannelsFromTheLastReading) {
  auto line = Line("missing_channels = \"hold\"\n");
  LineOutcome first = line->Process(R"({"ts": 1, "Pressure": 1})");
  ASSERT_EQ(first.kind, LineOutcome::kRejected) << "nothing to hold yet";
  EXPECT_EQ(first.reject.reason, RejectReason::kMissingChannel);
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/normal.csv");
  ASSERT_EQ(line->Process(payloads[0]).kind, LineOutcome::kScored);
  LineOutcome held = line->Process(R"({"ts": "2020-03-09 10:34:35", "Pressure": 0.06})");
  EXPECT_EQ(held.kind, LineOutcome::kScored) << held.reject.detail;
}

// A line restored from its saved state continues exactly as one that never stopped.
TEST_F(LineScorerTest, SavedStateContinuesBitIdentically) {
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/faulty.csv");
  auto a = Line();
  auto b = Line();
  const size_t cut = 300;
  std::optional<AlarmRecord> open_at_cut;
  for (size_t i = 0; i < cut; ++i) a->Process(payloads[i]);
  ASSERT_TRUE(b->LoadState(a->SaveState()).ok());
  EXPECT_EQ(b->last_ts(), a->last_ts());
  EXPECT_EQ(b->status().scored, a->status().scored);
  for (size_t i = cut; i < payloads.size(); ++i) {
    LineOutcome x = a->Process(payloads[i]);
    LineOutcome y = b->Process(payloads[i]);
    ASSERT_EQ(x.kind, y.kind) << i;
    EXPECT_EQ(x.score.score, y.score.score) << i;
    EXPECT_EQ(x.score.alarm, y.score.alarm) << i;
    ASSERT_EQ(x.alarm.has_value(), y.alarm.has_value()) << i;
    if (x.alarm) {
      EXPECT_EQ(x.alarm->Id(), y.alarm->Id());
      EXPECT_EQ(x.alarm->readings, y.alarm->readings);
      EXPECT_EQ(x.alarm->peak_score, y.alarm->peak_score);
    }
  }
  // A redelivery right after the restore is still recognized.
  auto c = Line();
  ASSERT_TRUE(c->LoadState(a->SaveState()).ok());
  EXPECT_EQ(c->Process(payloads.back()).kind, LineOutcome::kDuplicate);
}

TEST_F(LineScorerTest, DamagedStateIsRefusedAndLeavesTheLineUnchanged) {
  auto a = Line();
  const auto payloads = vigil::testing::SkabJsonPayloads(kData + "/normal.csv");
  for (size_t i = 0; i < 50; ++i) a->Process(payloads[i]);
  const std::vector<uint8_t> state = a->SaveState();
  auto b = Line();
  for (size_t cut = 0; cut < state.size(); cut += 7) {
    EXPECT_FALSE(b->LoadState(std::span<const uint8_t>(state.data(), cut)).ok()) << cut;
  }
  EXPECT_EQ(b->status().scored, 0u);
  EXPECT_EQ(b->Process(payloads[0]).kind, LineOutcome::kScored) << "still usable";
}

TEST_F(LineScorerTest, CsvColumnsMustCoverTheModel) {
  auto bad = LineScorer::Create(Config("format = \"csv\"\ncsv_columns = [\"ts\", \"Pressure\"]\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Accelerometer1RMS"), std::string::npos) << bad.status().message();
  auto missing = LineScorer::Create([&] {
    LineConfig c = Config();
    c.model = *dir_ + "/none.vgm";
    return c;
  }());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("line 'pump-1'"), std::string::npos);
}

}  // namespace
}  // namespace vigil::serve
