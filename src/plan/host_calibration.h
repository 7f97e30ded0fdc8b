// Measures this machine for the planner and writes it as the `host` device profile:
//
//   VIGIL_ASSIGN_OR_RETURN(plan::HostMeasurements m, plan::MeasureHost({}));
//   plan::DeviceProfile host = plan::HostProfile(m);
//   std::string toml = plan::FormatDeviceProfile(host, plan::HostProfileHeader(m));
//
// What is measured, each as the best of several timed trials (a trial ≥ `trial_seconds`):
//   - FP32 FMA peak of one core (kernels/fma_peak.h) and INT8 dot-product peak (int8_peak.h);
//     FP16 weights are widened to FP32 on x86 (F16C), so the FP16 peak is the FP32 one;
//   - the read bandwidth one core gets from each data cache level (a buffer half the level's
//     size, kernels/stream_read.h) and from memory (a buffer 8× the last level, at least
//     256 MiB), and from memory with every core reading at once (the device's bandwidth);
//   - STREAM-style copy (memcpy) and triad (kernels/stream_triad.h) bandwidth of one core;
//   - the fixed cost of one more op in a graph (from 1- and 9-layer graphs of tiny layers);
//   - how close vigil's own Dense and Conv1D kernels come to those figures in each dtype
//     (KernelEfficiency): streaming a batch-1 layer's weights, computing layers of each width.
// A cache level counts only where one core reads it at least 2.5× faster than memory; a level a
// virtual machine over-reports is halved until it does (said in `notes`).
// Cache sizes come from /sys/devices/system/cpu/cpu0/cache (levels missing there are left out
// and said so in `notes`). Takes a few seconds; allocates the memory buffers (~1 GiB at most).
#pragma once

#include <string>
#include <vector>

#include "plan/device_profile.h"
#include "vigil/status.h"

namespace vigil::plan {

struct HostCalibrationOptions {
  double trial_seconds = 0.05;
  int trials = 5;
  // Modelled power, no meter read: the per-core share of a server package (AMD EPYC 9654,
  // 360 W TDP over 96 cores, AMD's product page). Idle: none attributed.
  double watts_per_core = 3.75;
  std::string sysfs_cpu = "/sys/devices/system/cpu/cpu0/cache";
};

struct MeasuredCache {
  int level = 0;
  double size_bytes = 0;
  bool shared = false;      // shared by several cores (shared_cpu_list)
  double read_gbs = 0;      // one core
};

struct HostMeasurements {
  std::string cpu_model;    // /proc/cpuinfo "model name"
  int cores = 1;            // online CPUs
  double memory_bytes = 0;
  double fp32_gops = 0;     // one core, multiply-add = 2
  std::string fp32_target;
  double int8_gops = 0;     // one core, multiply-add = 2
  std::string int8_target;
  std::vector<MeasuredCache> caches;
  double memory_read_gbs = 0;      // one core
  double memory_read_all_gbs = 0;  // every core at once
  double copy_gbs = 0, triad_gbs = 0;  // one core, STREAM byte counting
  double op_overhead_us = 0;
  // vigil's kernels against the figures above, per dtype (FP32, FP16, INT8): Dense — a batch-1
  // 512→256 layer's weight streaming from L2 and a batch-64 256→N layer's compute rate for
  // N = 8 … 256; Conv1D — a [32, 32] input, kernel 7, N = 8 … 128 output channels, at batch 1
  // and 64; transformer blocks (FP32) over 32 positions of width 16, 32, 64, at batch 1 and 64.
  std::vector<KernelEfficiency> kernels;
  std::string date;                // UTC, ISO 8601
  std::vector<std::string> notes;  // what could not be measured and why
};

// The cache levels sysfs lists under `dir` (data and unified caches, ascending). IOError when the
// directory cannot be read.
Result<std::vector<MeasuredCache>> ReadCacheTopology(const std::string& dir);

Result<HostMeasurements> MeasureHost(const HostCalibrationOptions& options);
DeviceProfile HostProfile(const HostMeasurements& m, const HostCalibrationOptions& options);
// Comment lines for the written file: when, on what, how, and the figures not in the profile.
std::vector<std::string> HostProfileHeader(const HostMeasurements& m, const HostCalibrationOptions& options);

}  // namespace vigil::plan
