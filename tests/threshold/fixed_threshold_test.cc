#include "threshold/fixed_threshold.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "core/byte_io.h"

namespace vigil::threshold {
namespace {

ThresholdOptions FixedOptions(double v) {
  ThresholdOptions o;
  o.kind = ThresholdKind::kFixed;
  o.fixed_value = v;
  o.margin = 3;  // does not apply to fixed thresholds
  return o;
}

TEST(FixedThresholdTest, FiresStrictlyAboveTheValue) {
  FixedThreshold thr(FixedOptions(2.5));
  EXPECT_TRUE(thr.Fit({}).ok()) << "needs no training scores";
  EXPECT_EQ(thr.value(), 2.5);
  EXPECT_FALSE(thr.Observe(2.5));
  EXPECT_TRUE(thr.Observe(2.5000001));
  EXPECT_FALSE(thr.Observe(-1));
  EXPECT_FALSE(thr.Observe(std::nan("")));
  std::vector<double> scores = {100, 200};
  ASSERT_TRUE(thr.Fit(scores).ok());
  EXPECT_EQ(thr.value(), 2.5) << "training scores are ignored";
}

TEST(FixedThresholdTest, FitRejectsNonFiniteValue) {
  FixedThreshold thr(FixedOptions(INFINITY));
  EXPECT_EQ(thr.Fit({}).message(), "threshold option 'fixed_value' = inf must be finite");
}

TEST(FixedThresholdTest, SaveLoadRoundTrip) {
  FixedThreshold thr(FixedOptions(-0.125));
  core::ByteWriter w;
  thr.Save(w);
  FixedThreshold loaded(FixedOptions(0));
  core::ByteReader r(w.bytes(), "t.vgm");
  ASSERT_TRUE(loaded.Load(r).ok());
  EXPECT_EQ(loaded.value(), -0.125);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(FixedThresholdTest, LoadRejectsCorruptPayloads) {
  FixedThreshold thr(FixedOptions(1));
  core::ByteWriter w;
  w.U32(1);
  w.F64(std::nan(""));
  core::ByteReader r(w.bytes(), "m.vgm");
  Status s = thr.Load(r);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "m.vgm: offset 4: field 'fixed.value': invalid value nan (expected finite)");
  EXPECT_EQ(thr.value(), 1) << "a failed load keeps the old value";

  core::ByteWriter v;
  v.U32(9);
  core::ByteReader rv(v.bytes(), "m.vgm");
  EXPECT_EQ(thr.Load(rv).message(), "m.vgm: offset 0: field 'fixed.version': unsupported version 9");

  core::ByteWriter t;
  t.U32(1);
  core::ByteReader rt(t.bytes(), "m.vgm");
  EXPECT_EQ(thr.Load(rt).message(), "m.vgm: offset 4: field 'fixed.value': truncated: need 8 bytes, 0 left");
}

TEST(FixedThresholdTest, Describe) {
  FixedThreshold thr(FixedOptions(3.5));
  std::ostringstream os;
  thr.Describe(os);
  EXPECT_EQ(os.str(), "kind: fixed\nvalue: 3.5\n");
}

}  // namespace
}  // namespace vigil::threshold
