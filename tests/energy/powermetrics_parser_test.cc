#include "energy/powermetrics_parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

namespace vigil::energy {
namespace {

std::string Read(const std::string& rel) {
  std::ifstream in(std::string(VIGIL_TEST_DATA_DIR) + "/energy/powermetrics/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(PowermetricsParserTest, ReadsEverySample) {
  auto s = ParsePowermetrics(Read("two_samples.txt"), "two_samples.txt");
  ASSERT_TRUE(s.ok()) << s.status().message();
  ASSERT_EQ(s->size(), 2u);
  EXPECT_DOUBLE_EQ((*s)[0].elapsed_ms, 1002.31);
  EXPECT_DOUBLE_EQ((*s)[0].cpu_mw, 1234);
  EXPECT_DOUBLE_EQ((*s)[0].gpu_mw, 56);
  EXPECT_DOUBLE_EQ((*s)[0].ane_mw, 310);
  EXPECT_DOUBLE_EQ((*s)[0].combined_mw, 1600);
  EXPECT_DOUBLE_EQ((*s)[0].Joules(), 1.6 * 1.00231);
  EXPECT_TRUE(std::isnan((*s)[1].combined_mw));
  EXPECT_DOUBLE_EQ((*s)[1].Joules(), (0.8 + 0 + 1.2) * 0.9998);  // the parts when no Combined line
}

TEST(PowermetricsParserTest, MalformedInputIsLocated) {
  auto bad = ParsePowermetrics(Read("bad_value.txt"), "bad_value.txt");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataError);
  EXPECT_EQ(bad.status().message(), "bad_value.txt:3:12: '12x4 mW' is not a power in mW");
  EXPECT_NE(ParsePowermetrics("CPU Power: 5 mW\n", "x").status().message().find("x:1:1: 'CPU Power:' before any"),
            std::string::npos);
  EXPECT_NE(ParsePowermetrics("*** Sampled system activity (now) ***\n", "x").status().message().find(
                "x:1:1: sample header without"),
            std::string::npos);
  EXPECT_NE(ParsePowermetrics("*** Sampled system activity (now) (-3ms elapsed) ***\n", "x")
                .status()
                .message()
                .find("is not a positive number"),
            std::string::npos);
  EXPECT_NE(ParsePowermetrics("nothing here\n", "x").status().message().find("no \"*** Sampled"), std::string::npos);
  EXPECT_FALSE(ParsePowermetrics("*** Sampled system activity (t) (10ms elapsed) ***\nGPU Power: 5 W\n", "x").ok());
}

}  // namespace
}  // namespace vigil::energy
