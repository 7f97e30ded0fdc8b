#include "serve/ingest_journal.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigil::serve {
namespace {

namespace fs = std::filesystem;

uint64_t Seq(Result<uint64_t> r) {
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : 0;
}

class IngestJournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil_journal_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::pair<uint64_t, std::string>> ReadAll(IngestJournal& j, uint64_t after = 0) {
    std::vector<std::pair<uint64_t, std::string>> out;
    Status s = j.Replay(after, [&](const JournalRecord& r) {
      out.emplace_back(r.seq, std::string(r.topic) + "|" + std::string(r.payload));
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return out;
  }
  fs::path dir_;
};

TEST_F(IngestJournalTest, AppendsReplayAfterReopenAndNumberingContinues) {
  {
    auto j = IngestJournal::Open(dir_.string());
    ASSERT_TRUE(j.ok()) << j.status().message();
    EXPECT_EQ(Seq((*j)->Append("a/b", "{\"ts\":1}", 10.5)), 1u);
    EXPECT_EQ(Seq((*j)->Append("a/c", "", 11)), 2u);
    EXPECT_EQ(Seq((*j)->Append("a/d", std::string(1000, 'x'), 12)), 3u);
  }
  auto j = IngestJournal::Open(dir_.string());
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)->last_seq(), 3u);
  EXPECT_EQ((*j)->truncated_bytes(), 0u);
  auto all = ReadAll(**j);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].second, "a/b|{\"ts\":1}");
  EXPECT_EQ(all[1].second, "a/c|");
  EXPECT_EQ(ReadAll(**j, 2).size(), 1u);
  EXPECT_EQ(Seq((*j)->Append("z", "p", 13)), 4u);
  double t = 0;
  uint32_t arrived = 0;
  ASSERT_TRUE((*j)->Replay(3, [&](const JournalRecord& r) {
                t = r.received_unix;
                arrived = r.original_bytes;
              }).ok());
  EXPECT_EQ(t, 13);
  EXPECT_EQ(arrived, 1u);
}

TEST_F(IngestJournalTest, RecordsTheSizeOnArrivalOfACutPayload) {
  auto j = IngestJournal::Open(dir_.string());
  ASSERT_TRUE(j.ok());
  ASSERT_TRUE((*j)->Append("t", "head", 1, 5000000).ok());
  uint32_t arrived = 0;
  ASSERT_TRUE((*j)->Replay(0, [&](const JournalRecord& r) { arrived = r.original_bytes; }).ok());
  EXPECT_EQ(arrived, 5000000u);
}

TEST_F(IngestJournalTest, TornTailIsCutOffEveryLength) {
  {
    auto j = IngestJournal::Open(dir_.string());
    ASSERT_TRUE(j.ok());
    ASSERT_TRUE((*j)->Append("t", "first", 1).ok());
    ASSERT_TRUE((*j)->Append("t", "second", 2).ok());
  }
  const fs::path seg = *fs::directory_iterator(dir_);
  const auto full = fs::file_size(seg);
  std::ifstream in(seg, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const size_t first_len = bytes.size() - (8 + 24 + 1 + 6);
  for (size_t cut = first_len; cut < full; ++cut) {
    std::ofstream(seg, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(cut));
    auto j = IngestJournal::Open(dir_.string());
    ASSERT_TRUE(j.ok()) << cut << ": " << j.status().message();
    EXPECT_EQ((*j)->last_seq(), 1u) << cut;
    EXPECT_EQ((*j)->truncated_bytes(), cut - first_len);
    EXPECT_EQ(ReadAll(**j).size(), 1u);
    EXPECT_EQ(Seq((*j)->Append("t", "again", 3)), 2u) << "numbering continues after the cut";
  }
}

TEST_F(IngestJournalTest, FlippedByteInTheTailIsCutFlippedByteInAnOlderSegmentIsAnError) {
  JournalOptions small;
  small.segment_bytes = 100;
  {
    auto j = IngestJournal::Open(dir_.string(), small);
    ASSERT_TRUE(j.ok());
    for (int i = 0; i < 10; ++i) ASSERT_TRUE((*j)->Append("topic", "payload-" + std::to_string(i), i).ok());
    EXPECT_GT((*j)->segment_count(), 3u);
  }
  std::vector<fs::path> segs;
  for (const auto& e : fs::directory_iterator(dir_)) segs.push_back(e.path());
  std::sort(segs.begin(), segs.end());
  {
    std::fstream f(segs.front(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(20);
    f.put('\x7f');
  }
  auto j = IngestJournal::Open(dir_.string(), small);
  ASSERT_FALSE(j.ok());
  EXPECT_EQ(j.status().code(), StatusCode::kCorruption);
  EXPECT_NE(j.status().message().find(segs.front().filename().string()), std::string::npos) << j.status().message();
  EXPECT_NE(j.status().message().find("byte 0"), std::string::npos) << j.status().message();
}

TEST_F(IngestJournalTest, ReleaseDeletesWholeSegmentsOnly) {
  JournalOptions small;
  small.segment_bytes = 120;
  auto j = IngestJournal::Open(dir_.string(), small);
  ASSERT_TRUE(j.ok());
  for (int i = 0; i < 20; ++i) ASSERT_TRUE((*j)->Append("topic", "payload-" + std::to_string(i), i).ok());
  const size_t before = (*j)->segment_count();
  ASSERT_TRUE((*j)->Release(10).ok());
  EXPECT_LT((*j)->segment_count(), before);
  auto rest = ReadAll(**j, 10);
  ASSERT_EQ(rest.size(), 10u) << "records after the released position stay";
  EXPECT_EQ(rest.front().first, 11u);
  ASSERT_TRUE((*j)->Release(20).ok());
  EXPECT_EQ((*j)->segment_count(), 1u) << "the segment being appended to stays";
  EXPECT_EQ(Seq((*j)->Append("t", "p", 1)), 21u);
  j->reset();
  auto again = IngestJournal::Open(dir_.string(), small);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->last_seq(), 21u);
}

TEST_F(IngestJournalTest, AdvanceToContinuesNumberingPastAPosition) {
  auto j = IngestJournal::Open(dir_.string());
  ASSERT_TRUE(j.ok());
  ASSERT_TRUE((*j)->AdvanceTo(500).ok());
  EXPECT_EQ(Seq((*j)->Append("t", "p", 1)), 501u);
  ASSERT_TRUE((*j)->AdvanceTo(10).ok());
  EXPECT_EQ(Seq((*j)->Append("t", "p", 1)), 502u);
  j->reset();
  auto again = IngestJournal::Open(dir_.string());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->last_seq(), 502u);
}

TEST_F(IngestJournalTest, UnwritableDirectoryIsAnError) {
  auto j = IngestJournal::Open("/proc/vigil-no-such-dir/journal");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("/proc/vigil-no-such-dir"), std::string::npos);
}

}  // namespace
}  // namespace vigil::serve
