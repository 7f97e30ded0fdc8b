#include "threshold/threshold_options.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace vigil::threshold {
namespace {

std::string Check(ThresholdOptions o) {
  Status s = ValidateThresholdOptions(o);
  if (s.ok()) return "OK";
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  return s.message();
}

ThresholdOptions Kind(ThresholdKind kind) {
  ThresholdOptions o;
  o.kind = kind;
  return o;
}

TEST(ThresholdOptionsTest, DefaultsAreValidForEveryKind) {
  for (ThresholdKind k :
       {ThresholdKind::kQuantile, ThresholdKind::kPot, ThresholdKind::kSpot, ThresholdKind::kFixed}) {
    EXPECT_EQ(Check(Kind(k)), "OK");
  }
}

TEST(ThresholdOptionsTest, Quantile) {
  ThresholdOptions o = Kind(ThresholdKind::kQuantile);
  o.quantile = 1;
  EXPECT_EQ(Check(o), "OK");
  o.quantile = 0;
  EXPECT_EQ(Check(o), "threshold option 'quantile' = 0 is out of range (0, 1]");
  o.quantile = 1.0000001;
  EXPECT_EQ(Check(o), "threshold option 'quantile' = 1.0000001 is out of range (0, 1]");
  o.quantile = std::nan("");
  EXPECT_EQ(Check(o), "threshold option 'quantile' = nan is out of range (0, 1]");
  o.quantile = 0.9;
  o.margin = 0;
  EXPECT_EQ(Check(o), "threshold option 'margin' = 0 is out of range (0, inf)");
}

TEST(ThresholdOptionsTest, Risk) {
  ThresholdOptions o = Kind(ThresholdKind::kPot);
  o.risk = 0;
  EXPECT_EQ(Check(o), "threshold option 'risk' = 0 is out of range (0, 0.5)");
  o.risk = 0.5;
  EXPECT_EQ(Check(o), "threshold option 'risk' = 0.5 is out of range (0, 0.5)");
  o.risk = -1e-3;
  EXPECT_EQ(Check(o), "threshold option 'risk' = -0.001 is out of range (0, 0.5)");
  o.risk = std::nan("");
  EXPECT_EQ(Check(o), "threshold option 'risk' = nan is out of range (0, 0.5)");
}

TEST(ThresholdOptionsTest, RiskMustBeBelowTheTailFraction) {
  ThresholdOptions o = Kind(ThresholdKind::kSpot);
  o.init_quantile = 0.9;
  o.risk = 0.1;
  EXPECT_EQ(
      Check(o),
      "threshold option 'risk' = 0.1 must be below 1 - init_quantile (init_quantile = 0.9): only that top "
      "fraction of the training scores is modelled");
  o.risk = 0.099;
  EXPECT_EQ(Check(o), "OK");
  o = Kind(ThresholdKind::kPot);
  o.risk = 0.03;  // default init_quantile 0.98
  EXPECT_NE(Check(o), "OK");
}

TEST(ThresholdOptionsTest, InitQuantile) {
  ThresholdOptions o = Kind(ThresholdKind::kPot);
  o.init_quantile = 0.5;
  EXPECT_EQ(Check(o), "threshold option 'init_quantile' = 0.5 is out of range (0.5, 1)");
  o.init_quantile = 1;
  EXPECT_EQ(Check(o), "threshold option 'init_quantile' = 1 is out of range (0.5, 1)");
  o.init_quantile = std::nan("");
  EXPECT_EQ(Check(o), "threshold option 'init_quantile' = nan is out of range (0.5, 1)");
}

TEST(ThresholdOptionsTest, Margin) {
  for (ThresholdKind k : {ThresholdKind::kQuantile, ThresholdKind::kPot, ThresholdKind::kSpot}) {
    ThresholdOptions o = Kind(k);
    o.margin = -1;
    EXPECT_EQ(Check(o), "threshold option 'margin' = -1 is out of range (0, inf)");
    o.margin = std::numeric_limits<double>::infinity();
    EXPECT_EQ(Check(o), "threshold option 'margin' = inf is out of range (0, inf)");
    o.margin = 1.25;
    EXPECT_EQ(Check(o), "OK");
  }
}

TEST(ThresholdOptionsTest, FixedValue) {
  ThresholdOptions o = Kind(ThresholdKind::kFixed);
  o.fixed_value = -3;
  EXPECT_EQ(Check(o), "OK");
  o.fixed_value = std::nan("");
  EXPECT_EQ(Check(o), "threshold option 'fixed_value' = nan must be finite");
  o.fixed_value = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(Check(o), "threshold option 'fixed_value' = -inf must be finite");
}

TEST(ThresholdOptionsTest, SpotMaxExcesses) {
  ThresholdOptions o = Kind(ThresholdKind::kSpot);
  o.spot_max_excesses = 9;
  EXPECT_EQ(Check(o), "threshold option 'spot_max_excesses' = 9 is out of range [10, 4294967295]");
  o.spot_max_excesses = 10;
  EXPECT_EQ(Check(o), "OK");
}

TEST(ThresholdOptionsTest, OnlyTheFieldsOfTheKindAreChecked) {
  ThresholdOptions o = Kind(ThresholdKind::kFixed);
  o.quantile = 7;
  o.risk = -1;
  o.margin = 0;
  o.spot_max_excesses = 0;
  EXPECT_EQ(Check(o), "OK");
  o = Kind(ThresholdKind::kPot);
  o.spot_max_excesses = 0;
  o.fixed_value = std::nan("");
  EXPECT_EQ(Check(o), "OK");
}

TEST(ThresholdOptionsTest, UnknownKind) {
  ThresholdOptions o = Kind(static_cast<ThresholdKind>(9));
  EXPECT_EQ(Check(o),
            "threshold option 'kind' = 9 is not a known threshold kind (1 quantile, 2 pot, 3 spot, 4 fixed)");
}

TEST(ShortestDoubleTest, RoundTrips) {
  EXPECT_EQ(ShortestDouble(0.001), "0.001");
  EXPECT_EQ(ShortestDouble(1), "1");
  EXPECT_EQ(ShortestDouble(-2.5), "-2.5");
  EXPECT_EQ(ShortestDouble(std::log(1000.0)), "6.907755278982137");
  EXPECT_EQ(ShortestDouble(std::nan("")), "nan");
  EXPECT_EQ(ShortestDouble(-std::numeric_limits<double>::infinity()), "-inf");
}

}  // namespace
}  // namespace vigil::threshold
