// The roofline estimate of one op on one compute unit in one dtype:
//
//   compute  = 2 · MACs / (peak ops/s of the dtype · cores used)
//   memory   = bytes moved / bandwidth of the level that holds the working set
//   time     = max(compute, memory) + the unit's fixed overhead per op
//   energy   = time · the unit's active power (the share of the cores used)
//
// "Working set" is what repeated inference keeps touching: every op's weights plus the
// activations. The first cache level (per core, ascending) at least that large serves it, the
// level before holding its share: with sizes S(i-1) < working set W <= S(i) the bandwidth is
// 1 / (f / B(i-1) + (1 - f) / B(i)), f = S(i-1) / W. Beyond the last level the memory serves the
// rest, at the unit's per-core memory bandwidth times the cores used, capped by the device's
// memory bandwidth (or at the unit's own memory's). Where the profile carries measured kernel
// efficiencies (the host's), bandwidth is scaled by the dtype's bandwidth_fraction and the peak
// by its compute fraction at the op's output width. Pure arithmetic; tests check it by hand.
#pragma once

#include <string>

#include "plan/device_profile.h"
#include "plan/op_cost.h"

namespace vigil::plan {

struct OpEstimate {
  bool runnable = false;      // the unit has a peak for the dtype and the op allows it
  double compute_us = 0;
  double memory_us = 0;
  double overhead_us = 0;
  double total_us = 0;
  double joules = 0;
  double bytes = 0;
  double bandwidth_gbs = 0;   // of the level used
  std::string level;          // "L2", "memory"
  bool memory_bound = false;  // memory_us > compute_us
  double intensity = 0;       // operations (2 per MAC) per byte moved
};

// Cores of `unit` an op uses with `threads` threads (CPU: min(threads, cores); others: all).
int CoresUsed(const ComputeUnit& unit, int threads);

// Bandwidth (GB/s) and name of the level serving `working_set_bytes` on `unit` with `cores` cores.
double LevelBandwidth(const DeviceProfile& device, const ComputeUnit& unit, double working_set_bytes, int cores,
                      std::string* level);

OpEstimate EstimateOp(const OpCost& op, nn::WeightType type, const DeviceProfile& device, const ComputeUnit& unit,
                      double working_set_bytes, int threads);

}  // namespace vigil::plan
