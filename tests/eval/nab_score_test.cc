// Expected NAB values are worked out by hand from the definition in src/eval/nab_score.cc.
// True-positive weights w(k) = (A_tp−A_fp)/2·(−tanh(x_k))/tanh(π/2) + (A_tp−A_fp)/2 + A_fp,
// x_k = −π/2 + kπ/999, were evaluated with numpy:
//   k = 0   → A_tp = 1 (any profile)
//   k = 999 → A_fp (−0.11 standard and low-FN, −0.22 low-FP)
//   k = 500 → 0.44404850713138366 (A_fp −0.11), 0.3889542150453045 (A_fp −0.22)
//   k = 16  → 0.9949344403230137 (A_fp −0.11), 0.9944324479225917 (A_fp −0.22)
// Score = 100·(S − S_null)/(S_perfect − S_null), S_null = n·A_fn, S_perfect = n·A_tp.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "vigil/metrics.h"

namespace vigil {
namespace {

constexpr double kTol = 1e-9;

// A series sampled once per second over [0, length), with changepoints and predictions at
// the given whole seconds.
NabSeries MakeSeries(int length, std::initializer_list<int> changes, std::initializer_list<int> predictions) {
  NabSeries s;
  s.timestamps.resize(length);
  s.true_changepoints.assign(length, 0);
  s.predicted_changepoints.assign(length, 0);
  for (int i = 0; i < length; ++i) s.timestamps[i] = i;
  for (int c : changes) s.true_changepoints[c] = 1;
  for (int p : predictions) s.predicted_changepoints[p] = 1;
  return s;
}

NabScores Score(std::initializer_list<NabSeries> series, double window = 60.0) {
  const std::vector<NabSeries> v(series);
  return NabScore(v, window);
}

void ExpectScores(const NabScores& got, double standard, double low_fp, double low_fn) {
  EXPECT_NEAR(got.standard, standard, kTol);
  EXPECT_NEAR(got.low_fp, low_fp, kTol);
  EXPECT_NEAR(got.low_fn, low_fn, kTol);
}

TEST(NabScoreTest, DetectionAtWindowStartIsPerfect) {
  ExpectScores(Score({MakeSeries(300, {100}, {100})}), 100, 100, 100);
}

TEST(NabScoreTest, DetectionMidWindow) {
  // pos = 30/60 → k = 500.
  constexpr double kW = 0.44404850713138366, kWLowFp = 0.3889542150453045;
  ExpectScores(Score({MakeSeries(300, {100}, {130})}), 100 * (kW + 1) / 2, 100 * (kWLowFp + 1) / 2,
               100 * (kW + 2) / 3);
  EXPECT_NEAR(Score({MakeSeries(300, {100}, {130})}).standard, 72.20242535656918, kTol);
}

TEST(NabScoreTest, DetectionAtWindowEndScoresAFp) {
  // The window [100, 160] is closed: 160 is inside, weighted A_fp.
  // Standard 100·(−0.11+1)/2, low FP 100·(−0.22+1)/2, low FN 100·(−0.11+2)/3.
  ExpectScores(Score({MakeSeries(300, {100}, {160})}), 44.5, 39.0, 63.0);
}

TEST(NabScoreTest, PositionIsQuantisedTo1000Points) {
  // pos = 1/60 → floor(16.67) = 16.
  constexpr double kW = 0.9949344403230137, kWLowFp = 0.9944324479225917;
  ExpectScores(Score({MakeSeries(300, {100}, {101})}), 100 * (kW + 1) / 2, 100 * (kWLowFp + 1) / 2,
               100 * (kW + 2) / 3);
}

TEST(NabScoreTest, MissedWindowScoresZero) { ExpectScores(Score({MakeSeries(300, {100}, {})}), 0, 0, 0); }

TEST(NabScoreTest, FalsePositiveBeforeWindowAndMiss) {
  // S = A_fp + A_fn; standard 100·(−0.11)/2, low FP 100·(−0.22)/2, low FN 100·(−0.11)/3.
  ExpectScores(Score({MakeSeries(300, {100}, {99})}), -5.5, -11.0, -11.0 / 3);
}

TEST(NabScoreTest, PredictionJustAfterWindowIsFalsePositive) {
  ExpectScores(Score({MakeSeries(300, {100}, {161})}), -5.5, -11.0, -11.0 / 3);
}

TEST(NabScoreTest, OnlyFirstDetectionInWindowCountsOthersAreFree) {
  ExpectScores(Score({MakeSeries(300, {100}, {100, 110, 130, 160})}), 100, 100, 100);
}

TEST(NabScoreTest, ConstantAlarmAroundAShortWindow) {
  // 7 one-second samples, changepoint at 3, window 3 s, every sample flagged:
  // 0,1,2 are false positives, 3 hits at the window start, 4..6 are ignored.
  // Standard 100·(1 − 0.33 + 1)/2 = 83.5; low FP 100·(1 − 0.66 + 1)/2 = 67;
  // low FN 100·(1 − 0.33 + 2)/3 = 89.
  ExpectScores(Score({MakeSeries(7, {3}, {0, 1, 2, 3, 4, 5, 6})}, 3.0), 83.5, 67.0, 89.0);
}

TEST(NabScoreTest, NormalisesOverAllSeriesCombinedNotPerFile) {
  // File A: two changepoints, both hit at the start. File B: one missed, one false positive.
  // Combined S_std = 2 − 1 − 0.11 = 0.89, S_null = −3, S_perfect = 3 → 100·3.89/6.
  // (Averaging per-file scores would give (100 − 5.5)/2 = 47.25 instead.)
  const NabSeries a = MakeSeries(400, {100, 250}, {100, 250});
  const NabSeries b = MakeSeries(400, {200}, {50});
  ExpectScores(Score({a, b}), 100 * 3.89 / 6, 100 * 3.78 / 6, 100 * 5.89 / 9);
}

TEST(NabScoreTest, OverlappingWindowsCutTheLaterOne) {
  // Changepoints 100 and 130 → windows [100, 160] and [130, 190]; the second becomes
  // [160, 190]. A prediction at 160 is the first in both: end of the first (A_fp), start
  // of the second (A_tp). Standard: S = 0.89 of [−2, 2] → 72.25.
  ExpectScores(Score({MakeSeries(300, {100, 130}, {160})}), 100 * 2.89 / 4, 100 * 2.78 / 4, 100 * 4.89 / 6);
  // A prediction at 175 misses the first window and sits mid-way (15/30) in the cut
  // second window, not at 45/60 as in the uncut one.
  constexpr double kW = 0.44404850713138366, kWLowFp = 0.3889542150453045;
  ExpectScores(Score({MakeSeries(300, {100, 130}, {175})}), 100 * (kW + 1) / 4, 100 * (kWLowFp + 1) / 4,
               100 * (kW + 2) / 6);
}

TEST(NabScoreTest, RowOrderDoesNotMatter) {
  NabSeries s = MakeSeries(300, {100}, {130});
  NabSeries reversed;
  for (size_t i = s.timestamps.size(); i-- > 0;) {
    reversed.timestamps.push_back(s.timestamps[i]);
    reversed.true_changepoints.push_back(s.true_changepoints[i]);
    reversed.predicted_changepoints.push_back(s.predicted_changepoints[i]);
  }
  EXPECT_NEAR(Score({reversed}).standard, 72.20242535656918, kTol);
}

TEST(NabScoreTest, NonFiniteTimestampsAreIgnored) {
  NabSeries s = MakeSeries(300, {100}, {100, 50});
  s.timestamps[50] = std::numeric_limits<double>::quiet_NaN();  // would be a false positive
  ExpectScores(Score({s}), 100, 100, 100);
}

TEST(NabScoreTest, AnyNonzeroLabelCounts) {
  NabSeries s = MakeSeries(300, {}, {});
  s.true_changepoints[100] = 5;
  s.predicted_changepoints[100] = 200;
  ExpectScores(Score({s}), 100, 100, 100);
}

TEST(NabScoreTest, SeriesWithoutChangepointsStillChargeFalsePositives) {
  const NabSeries hit = MakeSeries(300, {100}, {100});
  const NabSeries quiet = MakeSeries(300, {}, {10, 20});
  // S_std = 1 − 0.22 = 0.78 of [−1, 1] → 89; low FP 1 − 0.44 → 78; low FN 100·2.78/3.
  ExpectScores(Score({hit, quiet}), 89.0, 78.0, 100 * 2.78 / 3);
}

TEST(NabScoreTest, NoChangepointsAnywhereIsNaN) {
  const NabScores none = Score({MakeSeries(100, {}, {10})});
  EXPECT_TRUE(std::isnan(none.standard));
  EXPECT_TRUE(std::isnan(none.low_fp));
  EXPECT_TRUE(std::isnan(none.low_fn));
  const NabScores empty = NabScore({}, 60.0);
  EXPECT_TRUE(std::isnan(empty.standard));
}

TEST(NabScoreTest, FractionalSecondTimestamps) {
  // Window 2 s from 10.0; a prediction at 10.5 has pos 0.25 → k = 250.
  NabSeries s;
  s.timestamps = {9.5, 10.0, 10.5, 11.0};
  s.true_changepoints = {0, 1, 0, 0};
  s.predicted_changepoints = {0, 0, 1, 0};
  // numpy: w(250) = 0.8415720409613807 for A_fp = −0.11.
  EXPECT_NEAR(NabScore(std::vector<NabSeries>{s}, 2.0).standard, 100 * (0.8415720409613807 + 1) / 2, kTol);
}

TEST(NabScoreDeathTest, BadInputsAbort) {
  NabSeries s = MakeSeries(10, {1}, {1});
  s.predicted_changepoints.pop_back();
  EXPECT_DEATH(NabScore(std::vector<NabSeries>{s}, 60.0), "VIGIL_CHECK failed");
  const NabSeries ok = MakeSeries(10, {1}, {1});
  EXPECT_DEATH(NabScore(std::vector<NabSeries>{ok}, 0.0), "VIGIL_CHECK failed");
}

// SKAB test rows (after the first 400 of each labelled file) of all 34 files, with a fake
// detector: the `anomaly` labels delayed by 15 rows, plus an alarm on every 97th row;
// predicted changepoints are that alarm's state changes. This exercises real timestamps
// (irregular sampling; changepoint pairs 59 s and 60 s apart, so windows overlap or touch).
// Expected values come from running, offline with /usr/bin/python3 + numpy, a line-by-line
// numpy transcription of tsad's chp_score(metric='nab', window_width='60s',
// anomaly_window_destination='righter') using int64-nanosecond times as pandas does:
// 37.65112589408214, 28.234130992616073, 42.161118050123 (tsad would print 37.65, 28.23,
// 42.16).
struct SkabRows {
  std::vector<double> timestamps;
  std::vector<uint8_t> anomaly, changepoint;
};

// "YYYY-MM-DD hh:mm:ss;...;anomaly;changepoint" → seconds since the epoch and the labels.
bool ReadSkabFile(const std::filesystem::path& path, SkabRows* rows) {
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line)) return false;  // header
  while (std::getline(in, line)) {
    int y, mo, d, h, mi, sec;
    if (std::sscanf(line.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &sec) != 6) return false;
    const auto day = std::chrono::sys_days{std::chrono::year{y} / mo / d};
    rows->timestamps.push_back(static_cast<double>(day.time_since_epoch().count()) * 86400 + h * 3600 +
                               mi * 60 + sec);
    const size_t last = line.rfind(';');
    const size_t before = line.rfind(';', last - 1);
    rows->anomaly.push_back(std::stod(line.substr(before + 1, last - before - 1)) == 1 ? 1 : 0);
    rows->changepoint.push_back(std::stod(line.substr(last + 1)) == 1 ? 1 : 0);
  }
  return true;
}

TEST(NabScoreTest, SkabCrossCheckAgainstReferenceTranscription) {
  const std::filesystem::path root = VIGIL_SKAB_DIR;
  if (!std::filesystem::exists(root / "valve1")) GTEST_SKIP() << "no SKAB data at " << root;
  std::vector<NabSeries> series;
  for (const char* folder : {"valve1", "valve2", "other"}) {
    for (const auto& entry : std::filesystem::directory_iterator(root / folder)) {
      if (entry.path().extension() != ".csv") continue;
      SkabRows rows;
      ASSERT_TRUE(ReadSkabFile(entry.path(), &rows)) << entry.path();
      constexpr size_t kTrainRows = 400, kDelay = 15, kSpuriousEvery = 97;
      ASSERT_GT(rows.timestamps.size(), kTrainRows) << entry.path();
      const size_t n = rows.timestamps.size() - kTrainRows;
      std::vector<uint8_t> alarms(n, 0);
      for (size_t i = 0; i < n; ++i) {
        if (i >= kDelay) alarms[i] = rows.anomaly[kTrainRows + i - kDelay];
        if (i % kSpuriousEvery == 0) alarms[i] = 1;
      }
      NabSeries s;
      s.timestamps.assign(rows.timestamps.begin() + kTrainRows, rows.timestamps.end());
      s.true_changepoints.assign(rows.changepoint.begin() + kTrainRows, rows.changepoint.end());
      s.predicted_changepoints = ChangepointsFromAlarms(alarms);
      series.push_back(std::move(s));
    }
  }
  ASSERT_EQ(series.size(), 34u);
  ExpectScores(NabScore(series, 60.0), 37.65112589408214, 28.234130992616073, 42.161118050123);
}

TEST(ChangepointsFromAlarmsTest, MarksEveryStateChange) {
  EXPECT_EQ(ChangepointsFromAlarms(std::vector<uint8_t>{0, 0, 1, 1, 0, 1}),
            (std::vector<uint8_t>{0, 0, 1, 0, 1, 1}));
  EXPECT_EQ(ChangepointsFromAlarms(std::vector<uint8_t>{1, 1, 0}), (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(ChangepointsFromAlarms(std::vector<uint8_t>{0, 2, 2, 9}), (std::vector<uint8_t>{0, 1, 0, 0}));
  EXPECT_TRUE(ChangepointsFromAlarms({}).empty());
}

}  // namespace
}  // namespace vigil
