#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "vigil/evaluate.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

TEST(SkabEvaluationTest, ListsLabelledFilesInNumericOrder) {
  auto files = ListSkabFiles(VIGIL_SKAB_DIR);
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  ASSERT_EQ(files->size(), 34u);
  EXPECT_EQ(fs::path((*files)[0]).filename(), "0.csv");
  EXPECT_EQ(fs::path((*files)[2]).filename(), "2.csv");  // 2 before 10: numeric, not lexical
  EXPECT_EQ(fs::path((*files)[0]).parent_path().filename(), "valve1");
  EXPECT_EQ(fs::path(files->back()).parent_path().filename(), "other");
}

TEST(SkabEvaluationTest, MissingFolderIsNotFound) {
  auto files = ListSkabFiles("/nonexistent/skab");
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
  std::string empty = ::testing::TempDir() + "/empty_skab";
  fs::create_directories(empty);
  EXPECT_EQ(ListSkabFiles(empty).status().code(), StatusCode::kNotFound);
}

TEST(SkabEvaluationTest, SmallCopyIsScoredByTheProtocol) {
  // Two real files in a folder of their own: every counted row is after row 400.
  std::string dir = ::testing::TempDir() + "/skab_two";
  fs::create_directories(dir + "/valve1");
  fs::copy_file(std::string(VIGIL_SKAB_DIR) + "/valve1/1.csv", dir + "/valve1/1.csv",
                fs::copy_options::overwrite_existing);
  fs::copy_file(std::string(VIGIL_SKAB_DIR) + "/valve1/2.csv", dir + "/valve1/2.csv",
                fs::copy_options::overwrite_existing);
  auto opt = DefaultFitOptions("pca");
  std::vector<ScoredRun> runs;
  size_t calls = 0;
  auto rep = EvaluateSkab(
      dir, *opt, {},
      [&](size_t done, size_t total, const std::string&) {
        ++calls;
        EXPECT_LE(done, total);
      },
      &runs);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(calls, 2u);
  EXPECT_EQ(rep->files, 2u);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(rep->rows, runs[0].anomaly.size() + runs[1].anomaly.size());
  EXPECT_EQ(runs[0].anomaly.size(), 1145u - 400u);
  EXPECT_TRUE(rep->has_changepoints);
  EXPECT_GT(rep->binary.f1, 0.5);
  EXPECT_GT(rep->auc_roc, 0.5);
  // Training rows too short for the protocol is a data error naming the file.
  SkabOptions too_long;
  too_long.train_rows = 5000;
  auto bad = EvaluateSkab(dir, *opt, too_long, {});
  EXPECT_EQ(bad.status().code(), StatusCode::kDataError);
  EXPECT_NE(bad.status().message().find("1.csv: 1145 rows, need more than 5000"), std::string::npos);
}

}  // namespace
}  // namespace vigil
