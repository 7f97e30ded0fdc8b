#include "plan/device_profile.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace vigil::plan {
namespace {

constexpr const char* kGood = R"(name = "test"
description = "two units on unified memory"

[memory]
size_gib = 8
bandwidth_gbs = 100

[[unit]]
name = "cpu"
kind = "cpu"
cores = 4
fp32_gops = 100
fp16_gops = 200
int8_gops = 400
bandwidth_gbs = 40
active_watts = 10
idle_watts = 1
overhead_us = 0.05

[[unit.cache]]
level = 1
size_kib = 64
bandwidth_gbs = 400

[[unit.cache]]
level = 2
size_kib = 4096
bandwidth_gbs = 150

[[unit.kernel]]
op = "conv1d"
dtype = "int8"
batch = 64
bandwidth_fraction = 0.5
out = [16, 128]
compute_fraction = [0.2, 0.9]

[[unit]]
name = "gpu"
kind = "gpu"
fp32_gops = 2600
fp16_gops = 5200
active_watts = 15
overhead_us = 20

[[link]]
from = "cpu"
to = "gpu"
unified = true
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

std::string ErrorOf(const std::string& text) {
  auto r = ParseDeviceProfile(text, "p.toml");
  EXPECT_FALSE(r.ok());
  return r.ok() ? "" : r.status().message();
}

TEST(DeviceProfileTest, ReadsEveryField) {
  auto r = ParseDeviceProfile(kGood, "p.toml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  const DeviceProfile& d = *r;
  EXPECT_EQ(d.name, "test");
  EXPECT_DOUBLE_EQ(d.memory_bytes, 8.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(d.memory_bandwidth_gbs, 100);
  ASSERT_EQ(d.units.size(), 2u);
  const ComputeUnit& cpu = d.units[0];
  EXPECT_EQ(cpu.kind, UnitKind::kCpu);
  EXPECT_EQ(cpu.cores, 4);
  EXPECT_DOUBLE_EQ(cpu.peak_ops[0], 100e9);
  EXPECT_DOUBLE_EQ(cpu.peak_ops[1], 200e9);
  EXPECT_DOUBLE_EQ(cpu.peak_ops[2], 400e9);
  EXPECT_DOUBLE_EQ(cpu.core_bandwidth_gbs, 40);
  EXPECT_DOUBLE_EQ(cpu.overhead_us, 0.05);
  ASSERT_EQ(cpu.caches.size(), 2u);
  EXPECT_DOUBLE_EQ(cpu.caches[1].size_bytes, 4096.0 * 1024);
  EXPECT_EQ(cpu.FindKernel("dense", nn::WeightType::kF32, 1), nullptr);
  const KernelEfficiency* k = cpu.FindKernel("conv1d", nn::WeightType::kInt8, 64);
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->batch, 64);
  EXPECT_EQ(k->bandwidth_fraction, 0.5);
  EXPECT_EQ(k->out_widths, (std::vector<double>{16, 128}));
  EXPECT_EQ(k->compute_fractions, (std::vector<double>{0.2, 0.9}));
  const ComputeUnit* gpu = d.FindUnit("gpu");
  ASSERT_NE(gpu, nullptr);
  EXPECT_EQ(gpu->cores, 1);
  EXPECT_DOUBLE_EQ(gpu->peak_ops[2], 0);  // absent: cannot run INT8
  ASSERT_NE(d.FindLink("gpu", "cpu"), nullptr);
  EXPECT_TRUE(d.FindLink("gpu", "cpu")->unified);
  EXPECT_EQ(d.FindUnit("ane"), nullptr);
}

TEST(DeviceProfileTest, FormatReadsBackTheSameProfile) {
  auto a = ParseDeviceProfile(kGood, "p.toml");
  ASSERT_TRUE(a.ok());
  const std::string text = FormatDeviceProfile(*a, {"written by a test"});
  EXPECT_EQ(text.rfind("# written by a test\n", 0), 0u);
  auto b = ParseDeviceProfile(text, "again.toml");
  ASSERT_TRUE(b.ok()) << b.status().message() << "\n" << text;
  EXPECT_EQ(FormatDeviceProfile(*b, {}), FormatDeviceProfile(*a, {}));
}

TEST(DeviceProfileTest, ErrorsNameTheFileLineColumnAndUnit) {
  EXPECT_EQ(ErrorOf("name = \"x\"\n[memory\n").rfind("p.toml:2:", 0), 0u);  // a syntax error, located
  const std::string bw = ErrorOf(Replace(kGood, "bandwidth_gbs = 100", "bandwidth_gbs = \"fast\""));
  EXPECT_NE(bw.find("p.toml:6:17: memory.bandwidth_gbs: expected a number GB/s"), std::string::npos) << bw;
  const std::string neg = ErrorOf(Replace(kGood, "fp32_gops = 100", "fp32_gops = -5"));
  EXPECT_NE(neg.find("p.toml:12:13: unit[0].fp32_gops: -5 is out of range"), std::string::npos) << neg;
  EXPECT_NE(neg.find("G operations/s per core"), std::string::npos) << neg;
}

TEST(DeviceProfileTest, RefusesEachKindOfBadFile) {
  EXPECT_NE(ErrorOf(Replace(kGood, "cores = 4", "coers = 4")).find("p.toml:11:1: unknown key 'unit[0].coers'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "name = \"test\"\n", "")).find("missing required key 'name'"), std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "size_gib = 8\n", "")).find("[memory] missing required key 'size_gib'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "kind = \"gpu\"", "kind = \"tpu\"")).find("'tpu' is not one of cpu, gpu, npu"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "name = \"gpu\"", "name = \"cpu\"")).find("unit name 'cpu' is used twice"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "to = \"gpu\"", "to = \"ane\"")).find("link[0].to: no unit named 'ane'"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "unified = true", "latency_us = 3")).find("needs bandwidth_gbs"), std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "level = 2", "level = 1")).find("levels must ascend"), std::string::npos);
  EXPECT_NE(ErrorOf(Replace(Replace(kGood, "fp32_gops = 2600\n", ""), "fp16_gops = 5200\n", ""))
                .find("needs at least one of fp32_gops"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "out = [16, 128]", "out = [16]")).find("the same number of entries"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "out = [16, 128]", "out = [128, 16]")).find("must ascend"), std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "dtype = \"int8\"", "dtype = \"int4\"")).find("not one of fp32, fp16, int8"),
            std::string::npos);
  EXPECT_NE(ErrorOf(Replace(kGood, "bandwidth_fraction = 0.5", "bandwidth_fraction = 2")).find("out of range"),
            std::string::npos);
  const std::string no_units = std::string(kGood).substr(0, std::string(kGood).find("[[unit]]"));
  EXPECT_NE(ErrorOf(no_units).find("at least one [[unit]]"), std::string::npos);
  EXPECT_NE(ErrorOf("name = \"x\"\n").find("missing required key 'memory'"), std::string::npos);
}

TEST(DeviceProfileTest, FindsByNameOrPathAndSaysWhatExists) {
  const auto dir = std::filesystem::temp_directory_path() / ("vigil_profiles_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "test.toml") << kGood;
  const std::vector<std::string> path = {(dir / "missing").string(), dir.string()};
  auto by_name = FindDeviceProfile("test", path);
  ASSERT_TRUE(by_name.ok()) << by_name.status().message();
  EXPECT_EQ(by_name->file, (dir / "test.toml").string());
  auto by_path = FindDeviceProfile((dir / "test.toml").string(), {});
  ASSERT_TRUE(by_path.ok());
  auto host = FindDeviceProfile("host", path);
  ASSERT_FALSE(host.ok());
  EXPECT_EQ(host.status().code(), StatusCode::kNotFound);
  EXPECT_NE(host.status().message().find("run `vigil calibrate`"), std::string::npos);
  EXPECT_NE(host.status().message().find("known: test"), std::string::npos);
  auto missing_file = FindDeviceProfile((dir / "nope.toml").string(), {});
  ASSERT_FALSE(missing_file.ok());
  EXPECT_NE(missing_file.status().message().find("cannot read device profile"), std::string::npos);
  EXPECT_EQ(ListDeviceProfiles(path), std::vector<std::string>{"test"});
  std::filesystem::remove_all(dir);
}

TEST(DeviceProfileTest, SearchPathPutsTheEnvironmentThenTheUserDirFirst) {
  ::setenv("VIGIL_PROFILES", "/a:/b", 1);
  ::setenv("XDG_CONFIG_HOME", "/cfg", 1);
  EXPECT_EQ(ProfileSearchPath("/shipped"),
            (std::vector<std::string>{"/a", "/b", "/cfg/vigil/profiles", "/shipped"}));
  ::unsetenv("VIGIL_PROFILES");
  ::unsetenv("XDG_CONFIG_HOME");
}

}  // namespace
}  // namespace vigil::plan
