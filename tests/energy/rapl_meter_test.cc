#include "energy/rapl_meter.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "energy/energy_test_tree.h"

namespace vigil::energy {
namespace {

TEST(RaplMeterTest, SumsPackagesSkippingSubzonesAndMmio) {
  testing::EnergyTree t;
  auto m = OpenRaplMeter(t.Path("powercap"));
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ((*m)->zones().size(), 2u);
  EXPECT_EQ((*m)->name(), "rapl: package-0 + package-1");
  EXPECT_TRUE((*m)->cumulative());
  EXPECT_DOUBLE_EQ((*m)->Joules().value(), 0.0);  // counted from opening
  t.Write("powercap/intel-rapl:0/energy_uj", "3500000");   // +2.5 J
  t.Write("powercap/intel-rapl:1/energy_uj", "2250000");   // +0.25 J
  t.Write("powercap/intel-rapl:0:0/energy_uj", "9999999");  // a subzone: not added again
  EXPECT_DOUBLE_EQ((*m)->Joules().value(), 2.75);
}

TEST(RaplMeterTest, HandlesCounterWraparound) {
  testing::EnergyTree t;
  t.Write("powercap/intel-rapl:0/max_energy_range_uj", "10000000");
  t.Write("powercap/intel-rapl:0/energy_uj", "9000000");
  auto m = OpenRaplMeter(t.Path("powercap"));
  ASSERT_TRUE(m.ok());
  t.Write("powercap/intel-rapl:0/energy_uj", "500000");  // wrapped: 1 J to the top, then 0.5 J
  EXPECT_DOUBLE_EQ((*m)->Joules().value(), 1.5);
  t.Write("powercap/intel-rapl:0/energy_uj", "700000");
  EXPECT_DOUBLE_EQ((*m)->Joules().value(), 1.7);
}

TEST(RaplMeterTest, SaysWhyItIsUnavailable) {
  testing::EnergyTree t;
  auto none = OpenRaplMeter(t.Path("hwmon"));
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("intel-rapl:* zones"), std::string::npos);
  EXPECT_FALSE(OpenRaplMeter(t.Path("no-such-dir")).ok());

  t.Write("powercap/intel-rapl:1/energy_uj", "12 apples");
  auto bad = OpenRaplMeter(t.Path("powercap"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataError);
  EXPECT_NE(bad.status().message().find("intel-rapl:1/energy_uj: expected an integer, got '12 apples'"),
            std::string::npos)
      << bad.status().message();

  t.Write("powercap/intel-rapl:1/energy_uj", "1");
  std::filesystem::remove(t.Path("powercap/intel-rapl:1/max_energy_range_uj"));
  auto missing = OpenRaplMeter(t.Path("powercap"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("max_energy_range_uj: cannot read"), std::string::npos)
      << missing.status().message();
}

TEST(RaplMeterTest, PermissionDeniedIsNamed) {
  if (::geteuid() == 0) GTEST_SKIP() << "running as root: file permissions do not apply";
  testing::EnergyTree t;
  ASSERT_EQ(::chmod(t.Path("powercap/intel-rapl:0/energy_uj").c_str(), 0), 0);
  auto m = OpenRaplMeter(t.Path("powercap"));
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("intel-rapl:0/energy_uj: permission denied"), std::string::npos)
      << m.status().message();
}

}  // namespace
}  // namespace vigil::energy
