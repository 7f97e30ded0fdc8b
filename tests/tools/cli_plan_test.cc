// vigil calibrate and vigil plan, through the real binary.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "cli_runner.h"

namespace vigil::testing {
namespace {

std::string Temp(const std::string& name) {
  return ::testing::TempDir() + "/cli_plan_" + std::to_string(::getpid()) + "_" + name;
}

const std::string& AeModel() {
  static const std::string path = [] {
    const std::string p = Temp("ae.vgm");
    const CliRun r = Vigil("fit --detector ae --epochs 3 -i " + std::string(VIGIL_REPO_DATA_DIR) + "/normal.csv -o " + p);
    EXPECT_EQ(r.code, 0) << r.err;
    return p;
  }();
  return path;
}

const std::string kM1 = std::string(VIGIL_REPO_ROOT) + "/profiles/apple-m1.toml";

TEST(CliPlanTest, CalibrateWritesAHostProfileThatPlanUses) {
  const std::string dir = Temp("profiles");
  const CliRun cal = Vigil("calibrate --trial-seconds 0.005 -o " + dir + "/host.toml");
  ASSERT_EQ(cal.code, 0) << cal.err;
  EXPECT_NE(cal.out.find("fp32 peak (one core)"), std::string::npos) << cal.out;
  EXPECT_NE(cal.out.find("memory read:"), std::string::npos);
  std::ifstream f(dir + "/host.toml");
  std::stringstream text;
  text << f.rdbuf();
  EXPECT_NE(text.str().find("# Measured by vigil calibrate on "), std::string::npos);
  EXPECT_NE(text.str().find("MODELLED, not metered"), std::string::npos);
  EXPECT_NE(text.str().find("[[unit.kernel]]"), std::string::npos);
  // Found by name through VIGIL_PROFILES.
  const std::string cmd = "sh -c 'VIGIL_PROFILES=" + dir + " " + std::string(VIGIL_CLI_PATH) + " plan " + AeModel() +
                          " --device host --candidates'";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  EXPECT_EQ(pclose(p), 0);
  EXPECT_NE(out.find("device host, objective latency, batch 1"), std::string::npos) << out;
  EXPECT_NE(out.find("candidates (unit/dtype"), std::string::npos);
  EXPECT_NE(out.find("cpu/f32"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(CliPlanTest, PlansEveryLayerAndWritesJson) {
  const std::string json = Temp("plan.json");
  const CliRun r = Vigil("plan " + AeModel() + " --device " + kM1 + " --batch 64 --objective energy --json " + json);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("device apple-m1, objective energy, batch 64"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("inferences per joule"), std::string::npos);
  EXPECT_NE(r.out.find("energy is modelled"), std::string::npos);
  std::ifstream f(json);
  const nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j["device"], "apple-m1");
  EXPECT_EQ(j["batch"], 64);
  ASSERT_EQ(j["ops"].size(), 5u);  // four dense layers + the score
  double sum = 0;
  for (const auto& op : j["ops"]) {
    EXPECT_GT(op["candidates"].size(), 0u);
    sum += op["chosen"]["time_us"].get<double>() + op["move_in_us"].get<double>();
    EXPECT_TRUE(op["chosen"]["bound"] == "memory" || op["chosen"]["bound"] == "compute");
  }
  EXPECT_NEAR(sum + j["move_out_us"].get<double>(), j["latency_us"].get<double>(), 1e-6);
  EXPECT_GT(j["inferences_per_joule"].get<double>(), 0);
}

TEST(CliPlanTest, SizesAnLlm) {
  const std::string json = Temp("llm.json");
  const CliRun r = Vigil("plan --transformer --params 8B --bits 4 --context 4096 --device " +
                         std::string(VIGIL_REPO_ROOT) + "/profiles/apple-m4-max.toml --json " + json);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("shaped like Llama-3.1-8B"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verdict: fits on gpu"), std::string::npos) << r.out;
  std::ifstream f(json);
  const nlohmann::json j = nlohmann::json::parse(f);
  EXPECT_EQ(j["best_unit"], "gpu");
  EXPECT_DOUBLE_EQ(j["weight_bytes"].get<double>(), 8e9 * 4.5 / 8);
  const CliRun big = Vigil("plan --transformer --params 30B --bits 8 --device " + std::string(VIGIL_REPO_ROOT) +
                           "/profiles/raspberry-pi-5.toml");
  ASSERT_EQ(big.code, 0) << big.err;
  EXPECT_NE(big.out.find("verdict: does not fit"), std::string::npos) << big.out;
}

TEST(CliPlanTest, UserErrorsAreClearAndExit2) {
  struct Case {
    std::string args, message;
  };
  const std::vector<Case> cases = {
      {"plan " + AeModel(), "--device is required"},
      {"plan " + AeModel() + " --device no-such-device", "no device profile named 'no-such-device'"},
      {"plan " + AeModel() + " --device " + kM1 + " --dtypes fp8", "--dtypes"},
      {"plan " + AeModel() + " --device " + kM1 + " --objective speed", "not one of latency, energy"},
      {"plan " + AeModel() + " --device " + kM1 + " --units tpu", "has no unit 'tpu'"},
      {"plan --transformer --device " + kM1, "--transformer needs --params"},
      {"plan --transformer --params lots --device " + kM1, "is not a parameter count"},
      {"plan --device " + kM1, "give a model file"},
      {"plan " + AeModel() + " --device /nonexistent/x.toml", "cannot read device profile"},
      {"calibrate --trial-seconds 0", "--trial-seconds"},
  };
  for (const Case& c : cases) {
    const CliRun r = Vigil(c.args);
    EXPECT_EQ(r.code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  const std::string pca = Temp("pca.vgm");
  ASSERT_EQ(Vigil("fit --detector pca -i " + std::string(VIGIL_REPO_DATA_DIR) + "/normal.csv -o " + pca).code, 0);
  const CliRun r = Vigil("plan " + pca + " --device " + kM1);
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("has no layer graph to place"), std::string::npos) << r.err;
  const std::string bad = Temp("bad.toml");
  std::ofstream(bad) << "name = \"x\"\n[memory]\nsize_gib = 1\nbandwidth_gbs = \"fast\"\n";
  const CliRun located = Vigil("plan " + AeModel() + " --device " + bad);
  EXPECT_EQ(located.code, 2);
  EXPECT_NE(located.err.find(bad + ":4:17: memory.bandwidth_gbs: expected a number GB/s"), std::string::npos)
      << located.err;
}

}  // namespace
}  // namespace vigil::testing
