#include <gtest/gtest.h>

#include "detect/test_data.h"
#include "vigil/model.h"

namespace vigil {
namespace {

Model Fit(uint32_t min_run, uint32_t smooth) {
  FrameTable t;
  t.schema = FrameSchema({"a", "b", "c"});
  t.values = testing::CorrelatedGaussian(500, 1);
  for (size_t r = 0; r < 500; ++r) t.timestamps.push_back(static_cast<double>(r));
  FitOptions o;
  o.detector = "zscore";
  o.threshold.kind = ThresholdKind::kQuantile;
  o.min_run = min_run;
  o.smooth = smooth;
  auto m = Model::Fit(t, o);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return std::move(m).value();
}

TEST(StreamScorerTest, DebounceNeedsMinRunConsecutiveExceedances) {
  Model m = Fit(/*min_run=*/3, /*smooth=*/1);
  StreamScorer s(m);
  float normal[3] = {0, 0, 5}, bad[3] = {0, 0, 50};
  std::vector<int> alarms;
  for (float* f : {bad, bad, normal, bad, bad, bad, bad, normal}) {
    alarms.push_back(s.Step(FrameView{0, std::span<const float>(f, 3)}).alarm);
  }
  EXPECT_EQ(alarms, (std::vector<int>{0, 0, 0, 0, 0, 1, 1, 0}));
}

TEST(StreamScorerTest, SmoothingIgnoresASingleSpikeAndNamesTheCause) {
  Model m = Fit(/*min_run=*/1, /*smooth=*/3);
  StreamScorer s(m);
  float normal[3] = {0, 0, 5}, bad[3] = {0, 0, 50};
  int alarms = 0;
  for (float* f : {normal, normal, bad, normal, normal}) alarms += s.Step(FrameView{0, {f, 3}}).alarm;
  EXPECT_EQ(alarms, 0);
  const ScoredFrame* last = nullptr;
  for (int i = 0; i < 3; ++i) last = &s.Step(FrameView{0, {bad, 3}});
  EXPECT_TRUE(last->alarm);
  auto top = s.TopChannels(3);
  ASSERT_FALSE(top.empty());
  EXPECT_EQ(top[0].first, 2u);
  EXPECT_GT(top[0].second, 0.9f);
  float sum = 0;
  for (float c : last->contributions) sum += c;
  EXPECT_NEAR(sum, 1.0f, 1e-5);
}

TEST(StreamScorerTest, ScorersOfOneModelAreIndependent) {
  Model m = Fit(1, 1);
  StreamScorer a(m), b(m);
  float bad[3] = {0, 0, 50}, normal[3] = {0, 0, 5};
  a.Step(FrameView{0, {bad, 3}});
  EXPECT_FALSE(b.Step(FrameView{0, {normal, 3}}).alarm);
}

}  // namespace
}  // namespace vigil
