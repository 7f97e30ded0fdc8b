#include "serve/event_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <thread>

namespace vigil::serve {
namespace {

namespace fs = std::filesystem;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Each test gets its own empty folder, removed afterwards.
class EventStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) /
           ("event_store_test_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "events.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<EventStore> OpenStore(StoreOptions options = {}) {
    if (options.path.empty()) options.path = path_;
    auto store = EventStore::Open(options);
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    return store.ok() ? std::move(store).value() : nullptr;
  }

  // Runs one SQL statement on the file through a separate raw connection.
  void RawExec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  std::string RawQueryText(const std::string& sql) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(stmt, 0);
      if (text) out = reinterpret_cast<const char*>(text);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
  }

  fs::path dir_;
  std::string path_;
};

AlarmRecord Alarm(const std::string& line, double start, double end, double peak, uint64_t readings) {
  AlarmRecord a;
  a.line = line;
  a.start_ts = start;
  a.end_ts = end;
  a.peak_score = peak;
  a.threshold = 2.5;
  a.readings = readings;
  a.channels = {{"Pressure", 0.625f}, {"Temperature", 0.25f}};
  return a;
}

ScoreRecord Score(const std::string& line, double ts, double score = 1.0, bool alarm = false) {
  return ScoreRecord{.line = line, .ts = ts, .score = score, .threshold = 2.5, .alarm = alarm};
}

RejectRecord Reject(uint64_t seq, const std::string& line, RejectReason reason) {
  RejectRecord r;
  r.seq = seq;
  r.line = line;
  r.reason = reason;
  r.detail = "detail of " + std::to_string(seq);
  r.payload = "{\"ts\": " + std::to_string(seq) + "}";
  r.received_unix = 1000.0 + static_cast<double>(seq);
  return r;
}

// Identical doubles, NaN equal to NaN (NaN means "not yet" throughout the records).
bool SameDouble(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

void ExpectSameAlarm(const AlarmRecord& a, const AlarmRecord& b) {
  EXPECT_EQ(a.line, b.line);
  EXPECT_TRUE(SameDouble(a.start_ts, b.start_ts)) << a.start_ts << " vs " << b.start_ts;
  EXPECT_TRUE(SameDouble(a.end_ts, b.end_ts)) << a.end_ts << " vs " << b.end_ts;
  EXPECT_TRUE(SameDouble(a.peak_score, b.peak_score)) << a.peak_score << " vs " << b.peak_score;
  EXPECT_TRUE(SameDouble(a.threshold, b.threshold)) << a.threshold << " vs " << b.threshold;
  EXPECT_EQ(a.readings, b.readings);
  ASSERT_EQ(a.channels.size(), b.channels.size());
  for (size_t i = 0; i < a.channels.size(); ++i) {
    EXPECT_EQ(a.channels[i].first, b.channels[i].first);
    // Bit-exact, NaN included.
    EXPECT_EQ(std::memcmp(&a.channels[i].second, &b.channels[i].second, sizeof(float)), 0)
        << a.channels[i].first << ": " << a.channels[i].second << " vs " << b.channels[i].second;
  }
}

CommitBatch SampleBatch() {
  CommitBatch b;
  b.alarms = {Alarm("pump-1", 100, kNaN, 4.5, 3), Alarm("pump-2", 90, 95, 3.0, 5)};
  for (int i = 0; i < 5; ++i) b.scores.push_back(Score("pump-1", 100 + i, 0.5 * i, i >= 3));
  b.scores.push_back(Score("pump-2", 90, 3.0, true));
  b.rejects = {Reject(7, "pump-1", RejectReason::kWrongType), Reject(8, "", RejectReason::kUnknownTopic)};
  b.checkpoints = {LineCheckpoint{.line = "pump-1", .journal_seq = 8, .last_ts = 104, .state = {1, 2, 3}}};
  return b;
}

TEST_F(EventStoreTest, CreatesAVersionedWalStoreAndReopensIt) {
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->path(), path_);
  }
  EXPECT_TRUE(fs::exists(path_));
  EXPECT_EQ(RawQueryText("PRAGMA user_version"), "1");
  EXPECT_EQ(RawQueryText("PRAGMA journal_mode"), "wal");
  auto again = OpenStore({.path = path_, .create_if_missing = false});
  ASSERT_NE(again, nullptr);
  auto counts = again->Count();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->alarms + counts->scores + counts->rejects, 0u);
}

TEST_F(EventStoreTest, ReplayingABatchLeavesExactlyTheSameRows) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  CommitBatch batch = SampleBatch();
  auto first = store->Commit(batch);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->alarms_inserted, 2u);
  EXPECT_EQ(first->alarms_updated, 0u);
  EXPECT_EQ(first->scores_pruned, 0u);

  auto alarms_before = store->Alarms({});
  auto scores_before = store->Scores("", -INFINITY, 0);
  auto rejects_before = store->Rejects("", 0);
  ASSERT_TRUE(alarms_before.ok() && scores_before.ok() && rejects_before.ok());

  auto replay = store->Commit(batch);
  ASSERT_TRUE(replay.ok()) << replay.status().ToString();
  EXPECT_EQ(replay->alarms_inserted, 0u);
  EXPECT_EQ(replay->alarms_updated, 0u);

  auto counts = store->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->alarms, 2u);
  EXPECT_EQ(counts->scores, 6u);
  EXPECT_EQ(counts->rejects, 2u);

  auto alarms_after = store->Alarms({});
  ASSERT_TRUE(alarms_after.ok());
  ASSERT_EQ(alarms_after->size(), alarms_before->size());
  for (size_t i = 0; i < alarms_after->size(); ++i) ExpectSameAlarm((*alarms_after)[i], (*alarms_before)[i]);
  auto scores_after = store->Scores("", -INFINITY, 0);
  ASSERT_TRUE(scores_after.ok());
  ASSERT_EQ(scores_after->size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ((*scores_after)[i].line, (*scores_before)[i].line);
    EXPECT_EQ((*scores_after)[i].ts, (*scores_before)[i].ts);
    EXPECT_EQ((*scores_after)[i].score, (*scores_before)[i].score);
    EXPECT_EQ((*scores_after)[i].alarm, (*scores_before)[i].alarm);
  }
  auto rejects_after = store->Rejects("", 0);
  ASSERT_TRUE(rejects_after.ok());
  ASSERT_EQ(rejects_after->size(), 2u);
  EXPECT_EQ((*rejects_after)[0].seq, 8u);
  EXPECT_EQ((*rejects_after)[1].seq, 7u);
}

TEST_F(EventStoreTest, AlarmUpdatesCloseAndKeepTheLargestPeakAndReadings) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  AlarmRecord raised = Alarm("press", 500, kNaN, 3.0, 2);
  auto r = store->Commit({.alarms = {raised}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->alarms_inserted, 1u);

  // A later update with a lower peak (a smoothed score falling) and more readings.
  AlarmRecord later = Alarm("press", 500, kNaN, 2.0, 6);
  later.threshold = 9.0;               // not the threshold it was raised under: ignored
  later.channels = {{"Other", 1.0f}};  // not the channels that raised it: ignored
  r = store->Commit({.alarms = {later}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->alarms_inserted, 0u);
  EXPECT_EQ(r->alarms_updated, 1u);
  auto stored = store->Alarms({});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].peak_score, 3.0);
  EXPECT_EQ((*stored)[0].readings, 6u);
  EXPECT_TRUE((*stored)[0].open());
  EXPECT_EQ((*stored)[0].threshold, 2.5);
  ASSERT_EQ((*stored)[0].channels.size(), 2u);
  EXPECT_EQ((*stored)[0].channels[0].first, "Pressure");

  AlarmRecord closed = Alarm("press", 500, 530, 4.0, 9);
  r = store->Commit({.alarms = {closed}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->alarms_updated, 1u);

  // Replaying an older, still-open version must not reopen it or lower anything.
  r = store->Commit({.alarms = {raised, later}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->alarms_inserted, 0u);
  EXPECT_EQ(r->alarms_updated, 0u);
  stored = store->Alarms({});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].end_ts, 530);
  EXPECT_EQ((*stored)[0].peak_score, 4.0);
  EXPECT_EQ((*stored)[0].readings, 9u);
}

TEST_F(EventStoreTest, AlarmRaisedAndUpdatedInOneBatchCountsOnce) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto r = store->Commit({.alarms = {Alarm("l", 1, kNaN, 3, 1), Alarm("l", 1, 4, 5, 3)}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->alarms_inserted, 1u);
  EXPECT_EQ(r->alarms_updated, 1u);
  auto stored = store->Alarms({});
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->size(), 1u);
  EXPECT_EQ((*stored)[0].end_ts, 4);
  EXPECT_EQ((*stored)[0].peak_score, 5);
}

TEST_F(EventStoreTest, ChannelsComeBackBitExact) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  AlarmRecord a = Alarm("línea \"3\", east", 1583748873.123456, kNaN, 7.25, 1);
  a.threshold = kNaN;
  a.channels = {{"Pressure", 0.1f},
                {"Temp, °C", 1.0f / 3.0f},
                {"with \"quotes\"\nand newline", 1e-30f},
                {"denormal", std::numeric_limits<float>::denorm_min()},
                {"nan", std::numeric_limits<float>::quiet_NaN()},
                {"", -0.0f}};
  ASSERT_TRUE(store->Commit({.alarms = {a}}).ok());
  auto stored = store->Alarms({});
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 1u);
  ExpectSameAlarm((*stored)[0], a);
  EXPECT_EQ((*stored)[0].Id(), a.Id());
  // Readable in the sqlite3 shell: shares print as the float's shortest text.
  std::string column = RawQueryText("SELECT channels FROM alarms");
  EXPECT_NE(column.find("{\"channel\":\"Pressure\",\"share\":0.1}"), std::string::npos) << column;
}

TEST_F(EventStoreTest, AChannelNameThatIsNotUtf8IsStoredWithAReplacementCharacter) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  AlarmRecord a = Alarm("l", 1, kNaN, 3, 1);
  a.channels = {
      {"Temp \xb0"
       "C",
       0.5f}};  // Latin-1 degree sign
  auto r = store->Commit({.alarms = {a}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto stored = store->Alarms({});
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  ASSERT_EQ(stored->size(), 1u);
  ASSERT_EQ((*stored)[0].channels.size(), 1u);
  EXPECT_EQ((*stored)[0].channels[0].first,
            "Temp \xef\xbf\xbd"
            "C");
  EXPECT_EQ((*stored)[0].channels[0].second, 0.5f);
}

TEST_F(EventStoreTest, DamagedChannelsTextIsCorruptionNamingTheAlarm) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit({.alarms = {Alarm("l", 1, kNaN, 3, 1)}}).ok());
  RawExec("UPDATE alarms SET channels = '[{\"channel\": 5}]'");
  auto stored = store->Alarms({});
  ASSERT_FALSE(stored.ok());
  EXPECT_EQ(stored.status().code(), StatusCode::kCorruption);
  EXPECT_NE(stored.status().message().find("l@1.000000"), std::string::npos) << stored.status().message();
  EXPECT_NE(stored.status().message().find(path_), std::string::npos) << stored.status().message();
}

TEST_F(EventStoreTest, ScoreUpsertKeepsTheLatestValuesAndNaN) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Commit({.scores = {Score("l", 10, 1.0), Score("l", 11, kNaN)}}).ok());
  ASSERT_TRUE(store->Commit({.scores = {Score("l", 10, 4.0, true)}}).ok());
  auto scores = store->Scores("l", -INFINITY, 0);
  ASSERT_TRUE(scores.ok());
  ASSERT_EQ(scores->size(), 2u);
  EXPECT_EQ((*scores)[0].ts, 10);
  EXPECT_EQ((*scores)[0].score, 4.0);
  EXPECT_TRUE((*scores)[0].alarm);
  EXPECT_TRUE(std::isnan((*scores)[1].score));
  auto counts = store->Count("l");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->scores, 2u);
}

TEST_F(EventStoreTest, PrunesEachLineToMaxRowsKeepingTheNewest) {
  auto store = OpenStore({.max_score_rows = 10});
  ASSERT_NE(store, nullptr);
  size_t pruned = 0;
  std::vector<CommitBatch> batches;
  for (int start = 0; start < 25; start += 7) {
    CommitBatch b;
    for (int ts = start; ts < std::min(start + 7, 25); ++ts) b.scores.push_back(Score("busy", ts));
    batches.push_back(b);
  }
  batches[0].scores.push_back(Score("quiet", 0));
  batches[0].scores.push_back(Score("quiet", 1));
  for (const CommitBatch& b : batches) {
    auto r = store->Commit(b);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    pruned += r->scores_pruned;
  }
  EXPECT_EQ(pruned, 15u);
  auto busy = store->Scores("busy", -INFINITY, 0);
  ASSERT_TRUE(busy.ok());
  ASSERT_EQ(busy->size(), 10u);
  EXPECT_EQ(busy->front().ts, 15);
  EXPECT_EQ(busy->back().ts, 24);
  auto quiet = store->Scores("quiet", -INFINITY, 0);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->size(), 2u);

  // Replaying the first batch re-adds old rows and prunes them again: same rows as before.
  auto replay = store->Commit(batches[0]);
  ASSERT_TRUE(replay.ok());
  EXPECT_EQ(replay->scores_pruned, 7u);
  busy = store->Scores("busy", -INFINITY, 0);
  ASSERT_TRUE(busy.ok());
  ASSERT_EQ(busy->size(), 10u);
  EXPECT_EQ(busy->front().ts, 15);
  auto counts = store->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->scores, 12u);
  auto busy_count = store->Count("busy");
  ASSERT_TRUE(busy_count.ok());
  EXPECT_EQ(busy_count->scores, 10u);
}

TEST_F(EventStoreTest, PrunesRowsOlderThanTheLinesNewestMinusMaxAge) {
  auto store = OpenStore({.max_score_rows = 0, .max_score_age_s = 10});
  ASSERT_NE(store, nullptr);
  CommitBatch first;
  for (int ts = 0; ts <= 15; ++ts) first.scores.push_back(Score("a", ts));
  first.scores.push_back(Score("b", 0));  // another line's clock: untouched by a's newest ts
  auto r = store->Commit(first);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scores_pruned, 5u);  // 0..4 < 15 - 10
  r = store->Commit({.scores = {Score("a", 30)}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scores_pruned, 11u);  // 5..15 < 20
  auto a = store->Scores("a", -INFINITY, 0);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 1u);
  EXPECT_EQ(a->front().ts, 30);
  auto counts = store->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->scores, 2u);
}

TEST_F(EventStoreTest, PruningSurvivesReopeningTheStore) {
  {
    auto store = OpenStore({.max_score_rows = 5});
    ASSERT_NE(store, nullptr);
    CommitBatch b;
    for (int ts = 0; ts < 5; ++ts) b.scores.push_back(Score("l", ts));
    ASSERT_TRUE(store->Commit(b).ok());
  }
  auto store = OpenStore({.max_score_rows = 5});
  ASSERT_NE(store, nullptr);
  auto r = store->Commit({.scores = {Score("l", 5), Score("l", 6)}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->scores_pruned, 2u);
  auto scores = store->Scores("l", -INFINITY, 0);
  ASSERT_TRUE(scores.ok());
  ASSERT_EQ(scores->size(), 5u);
  EXPECT_EQ(scores->front().ts, 2);
}

TEST_F(EventStoreTest, RejectsAreInsertedOnceBySeqAndKeepTheirBytes) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  RejectRecord odd = Reject(std::numeric_limits<uint64_t>::max(), "pump-1", RejectReason::kNonFinite);
  odd.payload = std::string("a\0b\xff\xfe", 5);
  std::vector<RejectRecord> all;
  for (uint32_t i = 0; i < kRejectReasonCount; ++i)
    all.push_back(Reject(i + 1, i % 2 ? "pump-1" : "", static_cast<RejectReason>(i)));
  all.push_back(odd);
  ASSERT_TRUE(store->Commit({.rejects = all}).ok());
  RejectRecord again = Reject(3, "pump-1", RejectReason::kQueueFull);
  again.detail = "a different detail";
  ASSERT_TRUE(store->Commit({.rejects = {again}}).ok());

  auto rejects = store->Rejects("", 0);
  ASSERT_TRUE(rejects.ok()) << rejects.status().ToString();
  ASSERT_EQ(rejects->size(), kRejectReasonCount + 1);
  std::map<uint64_t, RejectRecord> by_seq;
  for (const auto& r : *rejects) by_seq[r.seq] = r;
  for (const auto& want : all) {
    ASSERT_TRUE(by_seq.count(want.seq)) << want.seq;
    const RejectRecord& got = by_seq[want.seq];
    EXPECT_EQ(got.line, want.line);
    EXPECT_EQ(got.reason, want.reason) << want.seq;
    EXPECT_EQ(got.detail, want.detail);
    EXPECT_EQ(got.payload, want.payload);
    EXPECT_EQ(got.received_unix, want.received_unix);
  }

  auto pump = store->Rejects("pump-1", 2);
  ASSERT_TRUE(pump.ok());
  ASSERT_EQ(pump->size(), 2u);
  for (const auto& r : *pump) EXPECT_EQ(r.line, "pump-1");
  EXPECT_GT((*pump)[0].seq, (*pump)[1].seq);  // newest first, among positive seqs
  auto recent = store->Rejects("", 0, 1000.0 + 8);
  ASSERT_TRUE(recent.ok());
  for (const auto& r : *recent) EXPECT_GE(r.received_unix, 1008.0);
  EXPECT_EQ(recent->size(), 4u);  // seqs 8, 9, 10 and the max seq
  auto counts = store->Count("pump-1");
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->rejects, 6u);  // seqs 2, 4, 6, 8, 10 and the max seq
}

TEST_F(EventStoreTest, CheckpointsRoundTripAndAreReplacedByLine) {
  std::vector<uint8_t> big(100000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i * 31 + 7);
  {
    auto store = OpenStore();
    ASSERT_NE(store, nullptr);
    CommitBatch b;
    b.checkpoints = {
        {.line = "b", .journal_seq = 5, .last_ts = 10.5, .state = {9}},
        {.line = "a", .journal_seq = std::numeric_limits<uint64_t>::max(), .last_ts = kNaN, .state = {}}};
    ASSERT_TRUE(store->Commit(b).ok());
    ASSERT_TRUE(
        store->Commit({.checkpoints = {{.line = "b", .journal_seq = 6, .last_ts = 11, .state = big}}}).ok());
  }
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  auto checkpoints = store->LoadCheckpoints();
  ASSERT_TRUE(checkpoints.ok()) << checkpoints.status().ToString();
  ASSERT_EQ(checkpoints->size(), 2u);
  const LineCheckpoint& a = (*checkpoints)[0];
  const LineCheckpoint& b = (*checkpoints)[1];
  EXPECT_EQ(a.line, "a");
  EXPECT_EQ(a.journal_seq, std::numeric_limits<uint64_t>::max());
  EXPECT_TRUE(std::isnan(a.last_ts));
  EXPECT_TRUE(a.state.empty());
  EXPECT_EQ(b.line, "b");
  EXPECT_EQ(b.journal_seq, 6u);
  EXPECT_EQ(b.last_ts, 11);
  EXPECT_EQ(b.state, big);
}

TEST_F(EventStoreTest, AlarmQueryFiltersBySinceLineAndLimitInBothOrders) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  CommitBatch b;
  b.alarms = {Alarm("a", 10, 20, 3, 1),    // over before since = 50
              Alarm("a", 40, 60, 3, 1),    // started before, ended after
              Alarm("b", 45, kNaN, 3, 1),  // started before, still open
              Alarm("a", 70, 80, 3, 1),    // after
              Alarm("b", 70, 75, 3, 1),    // after, same start as a's: line breaks the tie
              Alarm("b", 30, 49, 3, 1)};   // over before since
  ASSERT_TRUE(store->Commit(b).ok());

  auto starts = [](const std::vector<AlarmRecord>& alarms) {
    std::vector<std::string> out;
    for (const auto& a : alarms) out.push_back(a.Id());
    return out;
  };
  auto all_newest = store->Alarms({});
  ASSERT_TRUE(all_newest.ok());
  EXPECT_EQ(starts(*all_newest), (std::vector<std::string>{"a@70.000000", "b@70.000000", "b@45.000000",
                                                           "a@40.000000", "b@30.000000", "a@10.000000"}));
  auto since = store->Alarms({.since = 50});
  ASSERT_TRUE(since.ok());
  EXPECT_EQ(starts(*since),
            (std::vector<std::string>{"a@70.000000", "b@70.000000", "b@45.000000", "a@40.000000"}));
  auto oldest_b = store->Alarms({.since = 50, .line = "b", .newest_first = false});
  ASSERT_TRUE(oldest_b.ok());
  EXPECT_EQ(starts(*oldest_b), (std::vector<std::string>{"b@45.000000", "b@70.000000"}));
  auto limited = store->Alarms({.limit = 2, .newest_first = false});
  ASSERT_TRUE(limited.ok());
  EXPECT_EQ(starts(*limited), (std::vector<std::string>{"a@10.000000", "b@30.000000"}));
  auto none = store->Alarms({.line = "nope"});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(store->Alarms({.since = kNaN}).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(EventStoreTest, ScoreQueryFiltersBySinceLineAndLimit) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  CommitBatch b;
  for (int ts = 0; ts < 10; ++ts) {
    b.scores.push_back(Score("a", ts, ts));
    b.scores.push_back(Score("b", ts + 0.5, -ts));
  }
  ASSERT_TRUE(store->Commit(b).ok());
  auto a = store->Scores("a", 5, 3);
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ((*a)[0].ts, 5);
  EXPECT_EQ((*a)[2].ts, 7);
  auto both = store->Scores("", 8, 0);
  ASSERT_TRUE(both.ok());
  ASSERT_EQ(both->size(), 4u);  // a 8, b 8.5, a 9, b 9.5
  EXPECT_EQ((*both)[1].line, "b");
  EXPECT_EQ((*both)[1].ts, 8.5);
  EXPECT_EQ((*both)[1].score, -8);
}

TEST_F(EventStoreTest, AReaderNeverSeesHalfABatchWhileAWriterCommits) {
  auto writer = OpenStore();
  ASSERT_NE(writer, nullptr);
  auto reader = OpenStore({.path = path_, .create_if_missing = false});  // its own connection
  ASSERT_NE(reader, nullptr);
  constexpr int kBatches = 150;
  constexpr int kScoresPerBatch = 40;
  std::atomic<bool> done{false};
  Status writer_status;
  std::thread t([&] {
    for (int i = 0; i < kBatches && writer_status.ok(); ++i) {
      CommitBatch b;
      b.alarms.push_back(Alarm("w", i, i + 0.5, 3, 1));
      for (int j = 0; j < kScoresPerBatch; ++j) b.scores.push_back(Score("w", i * kScoresPerBatch + j));
      b.rejects.push_back(Reject(static_cast<uint64_t>(i) + 1, "w", RejectReason::kOutOfOrder));
      auto r = writer->Commit(b);
      if (!r.ok()) writer_status = r.status();
    }
    done = true;
  });
  uint64_t last_alarms = 0;
  size_t reads = 0;
  bool consistent = true;
  while (true) {
    bool finished = done.load();
    auto counts = reader->Count();
    if (!counts.ok()) {
      ADD_FAILURE() << counts.status().ToString();
      break;
    }
    ++reads;
    if (counts->scores != counts->alarms * kScoresPerBatch || counts->rejects != counts->alarms ||
        counts->alarms < last_alarms) {
      consistent = false;
      ADD_FAILURE() << "read " << reads << ": " << counts->alarms << " alarms, " << counts->scores
                    << " scores, " << counts->rejects << " rejects";
      break;
    }
    last_alarms = counts->alarms;
    auto alarms = reader->Alarms({.limit = 5});
    ASSERT_TRUE(alarms.ok()) << alarms.status().ToString();
    if (finished) break;
  }
  t.join();
  ASSERT_TRUE(writer_status.ok()) << writer_status.ToString();
  EXPECT_TRUE(consistent);
  EXPECT_EQ(last_alarms, static_cast<uint64_t>(kBatches));
}

TEST_F(EventStoreTest, ACommittedBatchSurvivesKillMinus9) {
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = EventStore::Open({.path = path_});
    if (!store.ok() || !(*store)->Commit(SampleBatch()).ok()) ::_exit(3);
    ::raise(SIGKILL);  // no destructor, no checkpoint of the WAL into the file
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "child status " << status;
  auto store = OpenStore({.path = path_, .create_if_missing = false});
  ASSERT_NE(store, nullptr);
  auto counts = store->Count();
  ASSERT_TRUE(counts.ok()) << counts.status().ToString();
  EXPECT_EQ(counts->alarms, 2u);
  EXPECT_EQ(counts->scores, 6u);
  EXPECT_EQ(counts->rejects, 2u);
  auto checkpoints = store->LoadCheckpoints();
  ASSERT_TRUE(checkpoints.ok());
  ASSERT_EQ(checkpoints->size(), 1u);
  EXPECT_EQ((*checkpoints)[0].journal_seq, 8u);
}

TEST_F(EventStoreTest, AFileThatIsNotSQLiteIsCorruptionNamingThePath) {
  {
    std::ofstream f(path_, std::ios::binary);
    for (int i = 0; i < 200; ++i) f << "timestamp,Pressure,Temperature\n";
  }
  auto store = EventStore::Open({.path = path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption);
  EXPECT_NE(store.status().message().find(path_), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find("not an SQLite database"), std::string::npos)
      << store.status().message();
}

TEST_F(EventStoreTest, ANewerSchemaVersionIsRefusedNamingPathAndVersion) {
  { ASSERT_NE(OpenStore(), nullptr); }
  RawExec("PRAGMA user_version = 7");
  auto store = EventStore::Open({.path = path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataError);
  EXPECT_NE(store.status().message().find(path_), std::string::npos) << store.status().message();
  EXPECT_NE(store.status().message().find("version 7"), std::string::npos) << store.status().message();
  EXPECT_EQ(RawQueryText("PRAGMA user_version"), "7");  // refused, not rewritten
}

TEST_F(EventStoreTest, AnotherApplicationsDatabaseIsRefused) {
  RawExec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  auto store = EventStore::Open({.path = path_});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataError);
  EXPECT_NE(store.status().message().find("not a vigil event store"), std::string::npos)
      << store.status().message();
  EXPECT_EQ(RawQueryText("SELECT COUNT(*) FROM sqlite_master"), "1");
}

TEST_F(EventStoreTest, WithoutCreateAMissingFileIsNotFoundAndStaysMissing) {
  auto store = EventStore::Open({.path = path_, .create_if_missing = false});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound);
  EXPECT_NE(store.status().message().find(path_), std::string::npos);
  EXPECT_FALSE(fs::exists(path_));

  std::ofstream(path_).close();  // an empty file is an empty SQLite database, not a store
  store = EventStore::Open({.path = path_, .create_if_missing = false});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kDataError);
  EXPECT_EQ(fs::file_size(path_), 0u);
}

TEST_F(EventStoreTest, AnUnwritableLocationIsAnIOError) {
  auto store = EventStore::Open({.path = (dir_ / "no" / "such" / "dir" / "events.db").string()});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIOError);
  EXPECT_NE(store.status().message().find("no/such/dir/events.db"), std::string::npos)
      << store.status().message();
}

TEST_F(EventStoreTest, ABatchWithARecordThatCannotBeStoredStoresNothing) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  CommitBatch b = SampleBatch();
  b.scores.push_back(Score("pump-1", kNaN));
  auto r = store->Commit(b);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("pump-1"), std::string::npos) << r.status().message();
  auto counts = store->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->alarms + counts->scores + counts->rejects, 0u);

  CommitBatch nan_peak;
  nan_peak.alarms = {Alarm("x", 1, kNaN, kNaN, 1)};
  EXPECT_EQ(store->Commit(nan_peak).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EventStore::Open({.path = path_, .max_score_age_s = -1}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EventStoreTest, ConcurrentCommitsFromThreadsOfOneStoreAllLand) {
  auto store = OpenStore();
  ASSERT_NE(store, nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string line = std::string(1, static_cast<char>('a' + t));
      for (int i = 0; i < 25; ++i) {
        CommitBatch b;
        b.scores.push_back(Score(line, i));
        b.alarms.push_back(Alarm(line, i, i + 0.5, 1, 1));
        if (!store->Commit(b).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto counts = store->Count();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->scores, 100u);
  EXPECT_EQ(counts->alarms, 100u);
}

}  // namespace
}  // namespace vigil::serve
