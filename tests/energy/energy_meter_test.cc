#include "energy/energy_meter.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "energy/energy_test_tree.h"

namespace vigil::energy {
namespace {

// A power sensor whose reading the test controls.
class FakePower final : public EnergyMeter {
 public:
  std::string name() const override { return "fake"; }
  bool cumulative() const override { return false; }
  Result<double> Joules() override { return Status::Unimplemented("power only"); }
  Result<double> Watts() override { return watts; }
  double watts = 10;
};

TEST(EnergyMeterTest, FindsRaplFirstThenHwmonAndSaysWhyNone) {
  testing::EnergyTree t;
  auto rapl = FindEnergyMeter({t.Path("powercap"), t.Path("hwmon")});
  ASSERT_TRUE(rapl.ok()) << rapl.status().message();
  EXPECT_EQ((*rapl)->name(), "rapl: package-0 + package-1");
  auto hw = FindEnergyMeter({t.Path("nothing"), t.Path("hwmon")});
  ASSERT_TRUE(hw.ok());
  EXPECT_EQ((*hw)->name(), "hwmon: amd_energy (1 energy sensor)");
  auto none = FindEnergyMeter({t.Path("nothing"), t.Path("nothing")});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
  const std::string& why = none.status().message();
  EXPECT_NE(why.find("rapl: no "), std::string::npos) << why;
  EXPECT_NE(why.find("hwmon energy: no energy*_input"), std::string::npos) << why;
  EXPECT_NE(why.find("hwmon power: no power*"), std::string::npos) << why;
}

TEST(EnergyMeterTest, CounterDifferenceAroundTheWork) {
  testing::EnergyTree t;
  auto m = FindEnergyMeter({t.Path("powercap"), t.Path("hwmon")});
  ASSERT_TRUE(m.ok());
  auto r = MeasureEnergy(**m, [&] { t.Write("powercap/intel-rapl:0/energy_uj", "1750000"); });
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_DOUBLE_EQ(r->joules, 0.75);
  EXPECT_EQ(r->samples, 0);
}

TEST(EnergyMeterTest, PowerIsIntegratedOverTheWork) {
  FakePower p;
  auto r = MeasureEnergy(p, [] { std::this_thread::sleep_for(std::chrono::milliseconds(60)); }, 5);
  ASSERT_TRUE(r.ok());
  EXPECT_GE(r->samples, 3);
  EXPECT_NEAR(r->joules, 10 * r->seconds, 10 * 0.02);  // constant 10 W (sampling edges aside)
}

}  // namespace
}  // namespace vigil::energy
