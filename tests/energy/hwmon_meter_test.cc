#include "energy/hwmon_meter.h"

#include <gtest/gtest.h>

#include "energy/energy_test_tree.h"

namespace vigil::energy {
namespace {

TEST(HwmonMeterTest, EnergyUsesTheSocketSensorsWhenLabelled) {
  testing::EnergyTree t;
  auto m = OpenHwmonMeter(t.Path("hwmon"), HwmonKind::kEnergy);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ((*m)->name(), "hwmon: amd_energy (1 energy sensor)");
  ASSERT_EQ((*m)->files().size(), 1u);  // Esocket0 only: the cores are inside it
  EXPECT_TRUE((*m)->cumulative());
  EXPECT_DOUBLE_EQ((*m)->Joules().value(), 30.0);
  t.Write("hwmon/hwmon1/energy3_input", "31500000");
  EXPECT_DOUBLE_EQ((*m)->Joules().value(), 31.5);
  EXPECT_FALSE((*m)->Watts().ok());
}

TEST(HwmonMeterTest, EnergyWithoutLabelsSumsEverySensor) {
  testing::EnergyTree t;
  std::filesystem::remove(t.Path("hwmon/hwmon1/energy3_label"));
  std::filesystem::remove(t.Path("hwmon/hwmon1/energy3_input"));
  auto m = OpenHwmonMeter(t.Path("hwmon"), HwmonKind::kEnergy);
  ASSERT_TRUE(m.ok());
  EXPECT_DOUBLE_EQ((*m)->Joules().value(), 3.0);
}

TEST(HwmonMeterTest, PowerPrefersInputOverAverageOfTheSameSensor) {
  testing::EnergyTree t;
  auto m = OpenHwmonMeter(t.Path("hwmon"), HwmonKind::kPower);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ((*m)->name(), "hwmon: ina3221 (2 power sensors)");
  EXPECT_FALSE((*m)->cumulative());
  EXPECT_DOUBLE_EQ((*m)->Watts().value(), 1.5 + 0.5);  // power1_input and power2_average
  EXPECT_FALSE((*m)->Joules().ok());
}

TEST(HwmonMeterTest, ErrorsNameTheFile) {
  testing::EnergyTree t;
  auto none = OpenHwmonMeter(t.Path("powercap"), HwmonKind::kPower);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  EXPECT_NE(none.status().message().find("no power*_input / power*_average under"), std::string::npos);
  t.Write("hwmon/hwmon2/power1_input", "-");
  auto bad = OpenHwmonMeter(t.Path("hwmon"), HwmonKind::kPower);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("hwmon2/power1_input: expected an integer, got '-'"), std::string::npos)
      << bad.status().message();
}

}  // namespace
}  // namespace vigil::energy
