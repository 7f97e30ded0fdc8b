// The parts of `vigil calibrate` that are not timing: the cache topology read from a sysfs tree,
// and how measurements become the host profile (the timing itself runs in cli_plan_test).
#include "plan/host_calibration.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigil::plan {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text << "\n";
}

TEST(HostCalibrationTest, ReadsDataAndUnifiedCachesInLevelOrder) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("cache_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const auto level = [&](const std::string& index, const std::string& lvl, const std::string& type,
                         const std::string& size, const std::string& shared) {
    Write(dir / index / "level", lvl);
    Write(dir / index / "type", type);
    Write(dir / index / "size", size);
    Write(dir / index / "shared_cpu_list", shared);
  };
  level("index0", "1", "Data", "48K", "0");
  level("index1", "1", "Instruction", "32K", "0");
  level("index3", "3", "Unified", "32768K", "0-7");
  level("index2", "2", "Unified", "1024K", "0");
  auto caches = ReadCacheTopology(dir.string());
  ASSERT_TRUE(caches.ok()) << caches.status().message();
  ASSERT_EQ(caches->size(), 3u);  // the instruction cache is left out
  EXPECT_EQ((*caches)[0].level, 1);
  EXPECT_EQ((*caches)[0].size_bytes, 48.0 * 1024);
  EXPECT_FALSE((*caches)[0].shared);
  EXPECT_EQ((*caches)[2].level, 3);
  EXPECT_EQ((*caches)[2].size_bytes, 32.0 * 1024 * 1024);
  EXPECT_TRUE((*caches)[2].shared);
  EXPECT_FALSE(ReadCacheTopology((dir / "missing").string()).ok());
  fs::remove_all(dir);
}

TEST(HostCalibrationTest, MeasurementsBecomeAProfileThatReadsBack) {
  HostMeasurements m;
  m.cpu_model = "Test CPU";
  m.cores = 4;
  m.memory_bytes = 16.0 * (1 << 30);
  m.fp32_gops = 100;
  m.int8_gops = 400;
  m.caches = {{1, 32768, false, 300}, {2, 1 << 20, false, 150}};
  m.memory_read_gbs = 20;
  m.memory_read_all_gbs = 50;
  m.op_overhead_us = 0.03;
  m.date = "2026-01-01T00:00:00Z";
  KernelEfficiency k;
  k.bandwidth_fraction = 0.7;
  k.out_widths = {8, 64};
  k.compute_fractions = {0.3, 0.9};
  m.kernels = {k};
  HostCalibrationOptions o;
  o.watts_per_core = 2.5;
  const DeviceProfile d = HostProfile(m, o);
  ASSERT_EQ(d.units.size(), 1u);
  const ComputeUnit& cpu = d.units[0];
  EXPECT_EQ(d.name, "host");
  EXPECT_DOUBLE_EQ(d.memory_bandwidth_gbs, 50);
  EXPECT_DOUBLE_EQ(cpu.core_bandwidth_gbs, 20);
  EXPECT_DOUBLE_EQ(cpu.peak_ops[0], 100e9);
  EXPECT_DOUBLE_EQ(cpu.peak_ops[1], 100e9);  // FP16 weights computed in FP32
  EXPECT_DOUBLE_EQ(cpu.peak_ops[2], 400e9);
  EXPECT_DOUBLE_EQ(cpu.active_watts, 10);
  EXPECT_EQ(cpu.caches.size(), 2u);
  ASSERT_NE(cpu.FindKernel("dense", nn::WeightType::kF32, 1), nullptr);
  const std::vector<std::string> header = HostProfileHeader(m, o);
  EXPECT_NE(header.front().find("Measured by vigil calibrate on 2026-01-01T00:00:00Z on Test CPU"), std::string::npos);
  bool modelled = false;
  for (const std::string& h : header) modelled |= h.find("MODELLED, not metered: 2.50 W per core") != std::string::npos;
  EXPECT_TRUE(modelled);
  auto again = ParseDeviceProfile(FormatDeviceProfile(d, header), "host.toml");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(FormatDeviceProfile(*again, {}), FormatDeviceProfile(d, {}));
}

}  // namespace
}  // namespace vigil::plan
