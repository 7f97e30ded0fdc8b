#include "serve/records.h"

#include <gtest/gtest.h>

#include <set>

namespace vigil::serve {
namespace {

TEST(RecordsTest, AlarmIdIsStableAndNamesLineAndStart) {
  AlarmRecord a;
  a.line = "pump-1";
  a.start_ts = 1583748873.25;
  EXPECT_EQ(a.Id(), "pump-1@1583748873.250000");
  EXPECT_TRUE(a.open());
  a.end_ts = 1583748880;
  EXPECT_FALSE(a.open());
}

TEST(RecordsTest, AlarmJsonCarriesChannelsAndNullEndWhileOpen) {
  AlarmRecord a;
  a.line = "l";
  a.start_ts = 0;
  a.peak_score = 3.5;
  a.channels = {{"Pressure", 0.75f}, {"Temperature", 0.25f}};
  nlohmann::json j = ToJson(a);
  EXPECT_TRUE(j["end_ts"].is_null());
  EXPECT_EQ(j["start"], "1970-01-01 00:00:00");
  ASSERT_EQ(j["channels"].size(), 2u);
  EXPECT_EQ(j["channels"][0]["channel"], "Pressure");
  EXPECT_DOUBLE_EQ(j["peak_score"].get<double>(), 3.5);
}

TEST(RecordsTest, EveryRejectReasonHasADistinctName) {
  std::set<std::string> names;
  for (uint32_t i = 0; i < kRejectReasonCount; ++i) {
    std::string name = RejectReasonName(static_cast<RejectReason>(i));
    EXPECT_NE(name, "unknown") << i;
    names.insert(name);
  }
  EXPECT_EQ(names.size(), kRejectReasonCount);
}

}  // namespace
}  // namespace vigil::serve
