#include "plan/roofline.h"

#include <algorithm>

namespace vigil::plan {

int CoresUsed(const ComputeUnit& unit, int threads) {
  return unit.kind == UnitKind::kCpu ? std::clamp(threads, 1, unit.cores) : unit.cores;
}

double LevelBandwidth(const DeviceProfile& device, const ComputeUnit& unit, double working_set_bytes, int cores,
                      std::string* level) {
  static const char* const kNames[] = {"L0", "L1", "L2", "L3", "L4"};
  double memory_bw = 0;
  if (unit.memory_bytes > 0) {
    memory_bw = unit.core_bandwidth_gbs * cores;  // its own memory
  } else {
    const double unit_bw = unit.core_bandwidth_gbs > 0 ? unit.core_bandwidth_gbs * cores : device.memory_bandwidth_gbs;
    memory_bw = std::min(unit_bw, device.memory_bandwidth_gbs);
  }
  if (unit.total_bandwidth_gbs > 0) memory_bw = std::min(memory_bw, unit.total_bandwidth_gbs);
  const std::vector<CacheLevel>& c = unit.caches;
  for (size_t i = 0; i < c.size(); ++i) {
    if (working_set_bytes > c[i].size_bytes) continue;
    *level = kNames[std::clamp(c[i].level, 0, 4)];
    if (i == 0) return c[i].bandwidth_gbs * cores;
    // The level before holds part of the working set: that share streams at its bandwidth.
    const double near = c[i - 1].size_bytes / working_set_bytes;
    return 1.0 / (near / (c[i - 1].bandwidth_gbs * cores) + (1 - near) / (c[i].bandwidth_gbs * cores));
  }
  *level = "memory";
  if (c.empty()) return memory_bw;
  const double near = c.back().size_bytes / working_set_bytes;
  return 1.0 / (near / (c.back().bandwidth_gbs * cores) + (1 - near) / memory_bw);
}

OpEstimate EstimateOp(const OpCost& op, nn::WeightType type, const DeviceProfile& device, const ComputeUnit& unit,
                      double working_set_bytes, int threads) {
  OpEstimate e;
  const size_t t = DTypeIndex(type);
  const int cores = CoresUsed(unit, threads);
  const double peak = unit.peak_ops[t] * cores;
  e.runnable = op.can_run[t] && peak > 0;
  if (!e.runnable) return e;
  e.bytes = op.Bytes(type);
  const KernelEfficiency* eff = unit.FindKernel(op.kind, type, op.batch);
  e.bandwidth_gbs = LevelBandwidth(device, unit, working_set_bytes, cores, &e.level) *
                    (eff != nullptr ? eff->bandwidth_fraction : 1.0);
  e.compute_us = 2.0 * op.macs / (peak * (eff != nullptr ? eff->ComputeFraction(op.out_width) : 1.0)) * 1e6;
  e.memory_us = e.bytes / (e.bandwidth_gbs * 1e3);
  e.overhead_us = unit.overhead_us;
  e.memory_bound = e.memory_us > e.compute_us;
  e.total_us = std::max(e.compute_us, e.memory_us) + e.overhead_us;
  const double share = unit.kind == UnitKind::kCpu ? static_cast<double>(cores) / unit.cores : 1.0;
  e.joules = unit.active_watts * share * e.total_us * 1e-6;
  e.intensity = e.bytes > 0 ? 2.0 * op.macs / e.bytes : 0;
  return e;
}

}  // namespace vigil::plan
