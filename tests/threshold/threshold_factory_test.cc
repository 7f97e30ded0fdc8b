#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "core/byte_io.h"
#include "threshold/threshold_test_util.h"
#include "vigil/threshold.h"

namespace vigil {
namespace {

constexpr ThresholdKind kKinds[] = {ThresholdKind::kQuantile, ThresholdKind::kPot, ThresholdKind::kSpot,
                                    ThresholdKind::kFixed};

TEST(ThresholdFactoryTest, KindNamesRoundTrip) {
  EXPECT_EQ(ThresholdKindName(ThresholdKind::kQuantile), "quantile");
  EXPECT_EQ(ThresholdKindName(ThresholdKind::kPot), "pot");
  EXPECT_EQ(ThresholdKindName(ThresholdKind::kSpot), "spot");
  EXPECT_EQ(ThresholdKindName(ThresholdKind::kFixed), "fixed");
  EXPECT_EQ(ThresholdKindName(static_cast<ThresholdKind>(0)), "unknown");
  for (ThresholdKind k : kKinds) {
    Result<ThresholdKind> parsed = ParseThresholdKind(ThresholdKindName(k));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(parsed.value(), k);
  }
}

TEST(ThresholdFactoryTest, ParseRejectsUnknownNames) {
  for (const char* bad : {"", "POT", "pot ", "evt"}) {
    Result<ThresholdKind> parsed = ParseThresholdKind(bad);
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(parsed.status().message(),
              "unknown threshold kind '" + std::string(bad) + "' (expected quantile, pot, spot or fixed)");
  }
}

TEST(ThresholdFactoryTest, MakesEveryKind) {
  for (ThresholdKind k : kKinds) {
    ThresholdOptions o;
    o.kind = k;
    auto thr = MakeThreshold(o);
    ASSERT_TRUE(thr.ok());
    EXPECT_EQ((*thr)->kind(), k);
  }
}

TEST(ThresholdFactoryTest, MakeValidatesOptions) {
  ThresholdOptions o;
  o.kind = ThresholdKind::kPot;
  o.risk = 0.7;
  auto thr = MakeThreshold(o);
  ASSERT_FALSE(thr.ok());
  EXPECT_EQ(thr.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(thr.status().message(), "threshold option 'risk' = 0.7 is out of range (0, 0.5)");
  o.kind = static_cast<ThresholdKind>(42);
  EXPECT_FALSE(MakeThreshold(o).ok());
}

TEST(ThresholdFactoryTest, NewThresholdCreatesEmptyThresholdsToLoadInto) {
  for (ThresholdKind k : kKinds) {
    std::unique_ptr<Threshold> thr = NewThreshold(k);
    ASSERT_NE(thr, nullptr);
    EXPECT_EQ(thr->kind(), k);
  }
  EXPECT_EQ(NewThreshold(static_cast<ThresholdKind>(5)), nullptr);
}

// The usage in vigil/threshold.h's header comment, end to end.
TEST(ThresholdFactoryTest, HeaderExampleWithDebouncer) {
  auto thr = MakeThreshold({.kind = ThresholdKind::kPot, .risk = 1e-3});
  ASSERT_TRUE(thr.ok());
  std::vector<double> training = threshold::testing::ExponentialSample(21, 5000);
  ASSERT_TRUE((*thr)->Fit(training).ok());
  double z = (*thr)->value();
  Debouncer deb(/*min_run=*/3);
  std::vector<double> live = {0.1, z + 1, z + 1, 0.2, z + 1, z + 1, z + 1, z + 1, 0.3};
  std::vector<bool> alarms;
  for (double s : live) alarms.push_back(deb.Step((*thr)->Observe(s)));
  EXPECT_EQ(alarms, (std::vector<bool>{false, false, false, false, false, false, true, true, false}));
}

std::vector<uint8_t> StateOf(const Debouncer& d) {
  core::ByteWriter w;
  d.SaveState(w);
  return w.bytes();
}

// A run interrupted by a checkpoint keeps counting: min_run 3 needs one more exceedance.
TEST(DebouncerStateTest, RestoredRunKeepsCounting) {
  Debouncer a(3), b(3), fresh(3);
  a.Step(true);
  a.Step(true);
  std::vector<uint8_t> state = StateOf(a);
  core::ByteReader r(state, "deb");
  ASSERT_TRUE(b.LoadState(r).ok());
  EXPECT_EQ(r.remaining(), 0u);
  EXPECT_EQ(b.run(), 2u);
  EXPECT_TRUE(b.Step(true));
  EXPECT_FALSE(fresh.Step(true));
  EXPECT_FALSE(b.Step(false));
}

TEST(DebouncerStateTest, TruncatedOrOtherMinRunIsCorruptionAndChangesNothing) {
  Debouncer a(3), b(3), two(2);
  a.Step(true);
  b.Step(true);
  b.Step(true);
  const std::vector<uint8_t> state = StateOf(a);
  for (size_t n = 0; n < state.size(); ++n) {
    core::ByteReader r(std::span<const uint8_t>(state.data(), n), "deb");
    Status s = b.LoadState(r);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << n << ": " << s.ToString();
    ASSERT_EQ(b.run(), 2u);
  }
  core::ByteReader r(state, "deb");
  EXPECT_EQ(two.LoadState(r).message(),
            "deb: offset 0: field 'debouncer.min_run': state saved with min_run 3, this debouncer has 2");
  EXPECT_EQ(two.run(), 0u);
}

}  // namespace
}  // namespace vigil
