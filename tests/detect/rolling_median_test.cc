#include "detect/rolling_median.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/byte_io.h"

namespace vigil::detect {
namespace {

TEST(RollingMedianTest, WindowOnePassesThrough) {
  RollingMedian m(1);
  EXPECT_EQ(m.Push(3), 3);
  EXPECT_EQ(m.Push(-1), -1);
}

TEST(RollingMedianTest, WarmUpThenSlides) {
  RollingMedian m(3);
  EXPECT_EQ(m.Push(5), 5);    // {5}
  EXPECT_EQ(m.Push(1), 3);    // {5,1} → mean of the middle two
  EXPECT_EQ(m.Push(9), 5);    // {5,1,9}
  EXPECT_EQ(m.Push(100), 9);  // {1,9,100}
  EXPECT_EQ(m.Push(2), 9);    // {9,100,2}
  m.Reset();
  EXPECT_EQ(m.Push(7), 7);
}

TEST(RollingMedianTest, SingleSpikeIsSuppressed) {
  RollingMedian m(5);
  double out = 0;
  for (double v : {1.0, 1.0, 50.0, 1.0, 1.0}) out = std::max(out, m.Push(v));
  EXPECT_EQ(out, 1.0);
}

std::vector<uint8_t> StateOf(const RollingMedian& m) {
  core::ByteWriter w;
  m.SaveState(w);
  return w.bytes();
}

double Value(size_t i) { return std::sin(0.7 * static_cast<double>(i)) * 5 + static_cast<double>(i % 5); }

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

TEST(RollingMedianStateTest, RestoredMedianContinuesBitIdentically) {
  for (size_t window : {1, 2, 5}) {
    for (size_t saved_after : {0, 1, 4, 5, 12}) {
      SCOPED_TRACE("window " + std::to_string(window) + " saved after " + std::to_string(saved_after));
      RollingMedian a(window), b(window), fresh(window);
      for (size_t i = 0; i < saved_after; ++i) a.Push(Value(i));
      std::vector<uint8_t> state = StateOf(a);
      core::ByteReader r(state, "median");
      ASSERT_TRUE(b.LoadState(r).ok());
      EXPECT_EQ(r.remaining(), 0u);
      EXPECT_EQ(StateOf(b), state);
      bool fresh_differs = false;
      for (size_t i = saved_after; i < saved_after + 10; ++i) {
        double x = a.Push(Value(i));
        ASSERT_TRUE(SameBits(x, b.Push(Value(i)))) << "value " << i;
        fresh_differs |= !SameBits(x, fresh.Push(Value(i)));
      }
      if (window > 1 && saved_after > 0) {
        EXPECT_TRUE(fresh_differs);
      }
    }
  }
}

TEST(RollingMedianStateTest, TruncatedOrMismatchedStateIsCorruptionAndChangesNothing) {
  RollingMedian a(4), b(4), three(3);
  for (size_t i = 0; i < 6; ++i) a.Push(Value(i));
  b.Push(42);
  const std::vector<uint8_t> state = StateOf(a), before = StateOf(b);
  for (size_t n = 0; n < state.size(); ++n) {
    core::ByteReader r(std::span<const uint8_t>(state.data(), n), "median");
    Status s = b.LoadState(r);
    ASSERT_EQ(s.code(), StatusCode::kCorruption) << n << ": " << s.ToString();
    ASSERT_EQ(StateOf(b), before) << n;
  }
  core::ByteReader r(state, "median");
  EXPECT_EQ(
      three.LoadState(r).ToString(),
      "corruption: median: offset 8: field 'rolling_median.filled': ring position 2 with 4 values held, "
      "window 3");
  // A position that cannot occur while warming up (the ring fills from slot 0).
  RollingMedian warm(4);
  warm.Push(1);
  std::vector<uint8_t> bad = StateOf(warm);
  bad[0] = 3;  // head 3 with 1 value held
  core::ByteReader rb(bad, "median");
  EXPECT_EQ(b.LoadState(rb).code(), StatusCode::kCorruption);
  EXPECT_EQ(StateOf(b), before);
}

}  // namespace
}  // namespace vigil::detect
