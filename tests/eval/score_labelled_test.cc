#include <gtest/gtest.h>

#include "vigil/evaluate.h"

namespace vigil {
namespace {

LabelledTable Ramp(size_t rows, size_t fault_from) {
  LabelledTable t;
  t.frames.schema = FrameSchema({"x", "y"});
  t.has_label = {true, true};
  for (size_t r = 0; r < rows; ++r) {
    t.frames.timestamps.push_back(static_cast<double>(r));
    float noise = static_cast<float>((r * 7919) % 13) / 13.0f;
    float jump = r >= fault_from ? 40.0f : 0.0f;
    t.frames.values.push_back(noise + jump);
    t.frames.values.push_back(1.0f - noise);
    t.labels.push_back(r >= fault_from ? 1.0f : 0.0f);
    t.labels.push_back(r == fault_from ? 1.0f : 0.0f);
  }
  return t;
}

TEST(ScoreLabelledTest, KeepsRowsAfterSkipWithLabelsAndNormalisedScores) {
  LabelledTable t = Ramp(300, 200);
  FrameTable train;
  train.schema = t.frames.schema;
  train.timestamps.assign(t.frames.timestamps.begin(), t.frames.timestamps.begin() + 100);
  train.values.assign(t.frames.values.begin(), t.frames.values.begin() + 200);
  FitOptions opt;
  opt.detector = "zscore";
  opt.threshold.kind = ThresholdKind::kQuantile;
  auto m = Model::Fit(train, opt);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ScoredRun run = ScoreLabelled(*m, t, 100, 0, 1);
  ASSERT_EQ(run.scores.size(), 200u);
  EXPECT_EQ(run.timestamps.front(), 100.0);
  EXPECT_EQ(run.anomaly[99], 0);
  EXPECT_EQ(run.anomaly[100], 1);
  EXPECT_EQ(run.changepoint[100], 1);
  for (size_t i = 100; i < 200; ++i) {
    EXPECT_GT(run.scores[i], 1.0) << i;  // score / threshold
    EXPECT_EQ(run.alarms[i], 1) << i;
  }
  DetectionReport rep = Summarize({run});
  EXPECT_EQ(rep.binary.tp, 100u);
  EXPECT_EQ(rep.binary.fn, 0u);
  EXPECT_DOUBLE_EQ(rep.auc_roc, 1.0);
  EXPECT_TRUE(rep.has_changepoints);
  EXPECT_NEAR(rep.nab.standard, 100.0, 1e-9);  // first alarm exactly at the changepoint
  // A fixed threshold above every score silences all alarms.
  ScoredRun quiet = ScoreLabelled(*m, t, 100, 0, -1, 1e9);
  for (uint8_t a : quiet.alarms) EXPECT_EQ(a, 0);
  for (uint8_t c : quiet.changepoint) EXPECT_EQ(c, 0);
}

}  // namespace
}  // namespace vigil
