// A small hand-written device profile the planner tests compute expectations from.
#pragma once

#include "plan/device_profile.h"

namespace vigil::plan::testing {

// cpu: 2 cores, 100 / 100 / 400 G ops/s per core (FP32 / FP16 / INT8), L1 64 KiB at 400 GB/s,
// L2 1024 KiB at 150 GB/s, memory 20 GB/s per core (device 50 GB/s), 10 W, 0.05 µs per op.
// gpu: 2000 G ops/s FP32, 4000 FP16, 20 W, 20 µs per op; joined by `link` (unified unless
// `copy_link`, then 10 GB/s and 5 µs).
inline DeviceProfile TestProfile(bool copy_link = false) {
  DeviceProfile d;
  d.name = "test";
  d.memory_bytes = 8.0 * (1 << 30);
  d.memory_bandwidth_gbs = 50;
  ComputeUnit cpu;
  cpu.name = "cpu";
  cpu.kind = UnitKind::kCpu;
  cpu.cores = 2;
  cpu.peak_ops = {100e9, 100e9, 400e9};
  cpu.core_bandwidth_gbs = 20;
  cpu.active_watts = 10;
  cpu.overhead_us = 0.05;
  cpu.caches = {{1, 64.0 * 1024, 400}, {2, 1024.0 * 1024, 150}};
  ComputeUnit gpu;
  gpu.name = "gpu";
  gpu.kind = UnitKind::kGpu;
  gpu.peak_ops = {2000e9, 4000e9, 0};
  gpu.active_watts = 20;
  gpu.overhead_us = 20;
  d.units = {cpu, gpu};
  Link link;
  link.from = "cpu";
  link.to = "gpu";
  link.unified = !copy_link;
  if (copy_link) {
    link.bandwidth_gbs = 10;
    link.latency_us = 5;
  }
  d.links = {link};
  return d;
}

}  // namespace vigil::plan::testing
