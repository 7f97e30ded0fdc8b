// vigil bench --energy: measured with a meter (fake sysfs trees), modelled and labelled without.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "cli_runner.h"

namespace vigil::testing {
namespace {

std::string Model() {
  static const std::string path = [] {
    const std::string p = ::testing::TempDir() + "/bench_energy_" + std::to_string(::getpid()) + ".vgm";
    const CliRun r = Vigil("fit --detector ae --epochs 2 -i " + std::string(VIGIL_REPO_DATA_DIR) + "/normal.csv -o " + p);
    EXPECT_EQ(r.code, 0) << r.err;
    return p;
  }();
  return path;
}

const std::string kData = std::string(VIGIL_TEST_DATA_DIR) + "/energy";

TEST(CliBenchEnergyTest, WithoutAMeterEnergyIsModelledAndSaysSo) {
  const std::string json = ::testing::TempDir() + "/bench_energy_modelled.json";
  const CliRun r = Vigil("bench " + Model() + " --iters 200 --energy --power-watts 10 --powercap-root /nonexistent "
                         "--hwmon-root /nonexistent --json " + json);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(modelled, not measured: p50 time x --power-watts 10 W)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("energy_meter: none (no energy meter on this machine; rapl: no /nonexistent/intel-rapl:*"),
            std::string::npos)
      << r.out;
  std::ifstream f(json);
  const nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j["energy_kind"], "modelled");
  // time × power: 10 W × p50 per inference
  EXPECT_NEAR(j["energy_per_inference_j"].get<double>(), 10 * j["per_inference_us"].get<double>() * 1e-6, 1e-12);
}

TEST(CliBenchEnergyTest, WithAMeterEnergyIsMeasuredAndNamesIt) {
  const std::string json = ::testing::TempDir() + "/bench_energy_measured.json";
  const CliRun r = Vigil("bench " + Model() + " --iters 100 --energy --powercap-root /nonexistent --hwmon-root " +
                         kData + "/hwmon --json " + json);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("(measured: hwmon: amd_energy (1 energy sensor)"), std::string::npos) << r.out;
  std::ifstream f(json);
  const nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j["energy_kind"], "measured");
  EXPECT_EQ(j["energy_per_inference_j"].get<double>(), 0.0);  // the fake counter does not move
}

TEST(CliBenchEnergyTest, AnUnreadableMeterIsAnErrorNamingTheFile) {
  const std::string dir = ::testing::TempDir() + "/bench_energy_bad";
  std::filesystem::remove_all(dir);
  std::filesystem::copy(kData + "/powercap", dir, std::filesystem::copy_options::recursive);
  std::ofstream(dir + "/intel-rapl:1/energy_uj") << "oops\n";
  const CliRun r = Vigil("bench " + Model() + " --iters 10 --energy --powercap-root " + dir);
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.err.find("intel-rapl:1/energy_uj: expected an integer"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::testing
