#include "plan/roofline.h"

#include <gtest/gtest.h>

#include "plan/test_profile.h"

namespace vigil::plan {
namespace {

OpCost Dense640x128() {  // batch 1, FP32 weights 640·128 + bias, by hand (no packing padding)
  OpCost op;
  op.name = "dense";
  op.weighted = true;
  op.macs = 640.0 * 128;
  op.weight_bytes = {4.0 * (640 * 128 + 128), 2.0 * 640 * 128 + 4 * 128, 640.0 * 128 + 8 * 128};
  op.input_bytes = 4.0 * 640;
  op.output_bytes = 4.0 * 128;
  op.can_run = {true, true, true};
  return op;
}

TEST(RooflineTest, DenseAtBatchOneIsMemoryBoundInL2) {
  const DeviceProfile d = testing::TestProfile();
  const OpCost op = Dense640x128();
  const double bytes = 4.0 * (640 * 128 + 128) + 4.0 * 640 + 4.0 * 128;  // 331 264
  const OpEstimate e = EstimateOp(op, nn::WeightType::kF32, d, d.units[0], bytes, 1);
  ASSERT_TRUE(e.runnable);
  EXPECT_EQ(e.level, "L2");  // 331 264 B > 64 KiB, <= 1 MiB
  // L1 holds 65 536 of the 331 264 bytes: that share at 400 GB/s, the rest at L2's 150.
  const double f = 65536.0 / bytes;
  const double bw = 1.0 / (f / 400 + (1 - f) / 150);  // 171.16 GB/s
  EXPECT_DOUBLE_EQ(e.bandwidth_gbs, bw);
  EXPECT_DOUBLE_EQ(e.bytes, bytes);
  EXPECT_DOUBLE_EQ(e.compute_us, 2.0 * 81920 / 100e9 * 1e6);  // 1.6384
  EXPECT_DOUBLE_EQ(e.memory_us, bytes / (bw * 1e3));          // 1.9354
  EXPECT_TRUE(e.memory_bound);
  EXPECT_DOUBLE_EQ(e.total_us, bytes / (bw * 1e3) + 0.05);
  EXPECT_DOUBLE_EQ(e.joules, 10.0 * 0.5 * e.total_us * 1e-6);  // one of two cores
  EXPECT_DOUBLE_EQ(e.intensity, 2.0 * 81920 / bytes);
}

TEST(RooflineTest, LevelsThreadsAndDtypes) {
  const DeviceProfile d = testing::TestProfile();
  const OpCost op = Dense640x128();
  std::string level;
  EXPECT_DOUBLE_EQ(LevelBandwidth(d, d.units[0], 1000, 1, &level), 400);
  EXPECT_EQ(level, "L1");
  const double l2 = 1024.0 * 1024;
  // One core's memory bandwidth (20) for all but the 1 MiB L2 keeps.
  EXPECT_DOUBLE_EQ(LevelBandwidth(d, d.units[0], 1e9, 1, &level), 1 / (l2 / 1e9 / 150 + (1 - l2 / 1e9) / 20));
  EXPECT_EQ(level, "memory");
  EXPECT_DOUBLE_EQ(LevelBandwidth(d, d.units[0], 1e9, 2, &level), 1 / (l2 / 1e9 / 300 + (1 - l2 / 1e9) / 40));
  EXPECT_DOUBLE_EQ(LevelBandwidth(d, d.units[1], 1e9, 1, &level), 50);  // no caches: the device's
  EXPECT_EQ(CoresUsed(d.units[0], 8), 2);
  // INT8 in L1-sized working set: 4x the peak, a quarter of the weight bytes.
  const OpEstimate i8 = EstimateOp(op, nn::WeightType::kInt8, d, d.units[0], 1000, 1);
  EXPECT_DOUBLE_EQ(i8.compute_us, 2.0 * 81920 / 400e9 * 1e6);
  EXPECT_DOUBLE_EQ(i8.memory_us, (640.0 * 128 + 8 * 128 + 4 * 640 + 4 * 128) / 400e3);
  // Large batch: compute-bound.
  OpCost big = op;
  big.macs *= 256;
  const OpEstimate c = EstimateOp(big, nn::WeightType::kF32, d, d.units[0], 1000, 2);
  EXPECT_FALSE(c.memory_bound);
  EXPECT_DOUBLE_EQ(c.compute_us, 2.0 * 81920 * 256 / 200e9 * 1e6);
  // The GPU has no INT8.
  EXPECT_FALSE(EstimateOp(op, nn::WeightType::kInt8, d, d.units[1], 1000, 1).runnable);
  OpCost no_int8 = op;
  no_int8.can_run[2] = false;
  EXPECT_FALSE(EstimateOp(no_int8, nn::WeightType::kInt8, d, d.units[0], 1000, 1).runnable);
}

TEST(RooflineTest, MeasuredKernelEfficiencyScalesBandwidthAndPeak) {
  DeviceProfile d = testing::TestProfile();
  KernelEfficiency k;
  k.bandwidth_fraction = 0.5;
  k.out_widths = {16, 64};
  k.compute_fractions = {0.25, 1.0};
  EXPECT_DOUBLE_EQ(k.ComputeFraction(8), 0.25);     // clamped
  EXPECT_DOUBLE_EQ(k.ComputeFraction(32), 0.625);   // halfway on log2
  EXPECT_DOUBLE_EQ(k.ComputeFraction(640), 1.0);
  EXPECT_DOUBLE_EQ(k.ComputeFraction(0), 1.0);      // no width: no scaling
  KernelEfficiency conv = k;
  conv.op = "conv1d";
  conv.batch = 64;
  conv.bandwidth_fraction = 0.25;
  KernelEfficiency conv1 = conv;
  conv1.batch = 1;
  conv1.bandwidth_fraction = 0.125;
  d.units[0].kernels = {k, conv, conv1};
  const ComputeUnit& cpu = d.units[0];
  EXPECT_EQ(cpu.FindKernel("dense", nn::WeightType::kF32, 7)->bandwidth_fraction, 0.5);
  EXPECT_EQ(cpu.FindKernel("conv1d", nn::WeightType::kF32, 32)->bandwidth_fraction, 0.25);  // 64 is nearer
  EXPECT_EQ(cpu.FindKernel("conv1d", nn::WeightType::kF32, 4)->bandwidth_fraction, 0.125);
  EXPECT_EQ(cpu.FindKernel("upsample", nn::WeightType::kF32, 1)->bandwidth_fraction, 0.5);  // falls back to dense
  EXPECT_EQ(cpu.FindKernel("dense", nn::WeightType::kF16, 1), nullptr);
  OpCost op = Dense640x128();
  op.kind = "dense";
  op.out_width = 32;
  const OpEstimate e = EstimateOp(op, nn::WeightType::kF32, d, d.units[0], 1000, 1);
  EXPECT_DOUBLE_EQ(e.bandwidth_gbs, 200);
  EXPECT_DOUBLE_EQ(e.compute_us, 2.0 * 81920 / (100e9 * 0.625) * 1e6);
  // Other dtypes keep the profile's figures.
  EXPECT_DOUBLE_EQ(EstimateOp(op, nn::WeightType::kF16, d, d.units[0], 1000, 1).bandwidth_gbs, 400);
}

}  // namespace
}  // namespace vigil::plan
