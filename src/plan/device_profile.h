// A device as the planner sees it: compute units with their peak throughput per dtype, power and
// per-op overhead; the memory (size, bandwidth) and the caches in front of it; the links between
// units. Profiles are TOML files, one per device (profiles/*.toml; docs/plan.md lists every
// field and its unit), except `host`, which `vigil calibrate` measures and writes.
//
//   VIGIL_ASSIGN_OR_RETURN(plan::DeviceProfile d, plan::FindDeviceProfile("m1", plan::ProfileSearchPath()));
//   const plan::ComputeUnit* gpu = d.FindUnit("gpu");
//
// Throughput figures are operations per second with a multiply-add counted as two operations,
// as vendors quote them (FLOPS, TOPS); the planner converts. Every error names the file, line and
// column of the value (or the table missing a required key) and the unit expected; unknown keys
// are errors. Plain values, thread-compatible.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nn/ops/packed_weights.h"
#include "vigil/status.h"

namespace vigil::plan {

constexpr size_t kDTypes = 3;  // indexed by nn::WeightType: FP32, FP16, INT8
inline size_t DTypeIndex(nn::WeightType t) { return static_cast<size_t>(t); }

enum class UnitKind { kCpu, kGpu, kNpu };
const char* UnitKindName(UnitKind kind);

struct CacheLevel {
  int level = 0;
  double size_bytes = 0;     // per core for private levels; the shared level's whole size
  double bandwidth_gbs = 0;  // read bandwidth one core gets from this level, GB/s (1e9 B/s)
};

// How close vigil's own kernels come to the unit's figures, measured by `vigil calibrate` (host
// profiles); vendor profiles leave them out and are read as upper bounds. One entry per op kind
// ("dense", "conv1d", "block": a transformer encoder block), dtype and batch (0: any batch).
struct KernelEfficiency {
  std::string op = "dense";
  nn::WeightType dtype = nn::WeightType::kF32;
  int64_t batch = 0;
  double bandwidth_fraction = 1;  // of a level's read bandwidth the layer streams weights at
  // Fraction of the peak a compute-bound layer reaches by its output width (outputs per row),
  // ascending widths; interpolated on log2(width), clamped at the ends; empty: 1.
  std::vector<double> out_widths;
  std::vector<double> compute_fractions;
  double ComputeFraction(double out_width) const;
};

struct ComputeUnit {
  std::string name;          // e.g. "cpu", "gpu", "ane"
  UnitKind kind = UnitKind::kCpu;
  int cores = 1;             // instances the per-core figures below multiply by (CPU cores)
  // Peak per core, operations per second (multiply-add = 2); 0 = the unit cannot run the dtype.
  std::array<double, kDTypes> peak_ops = {};
  // Memory read bandwidth one core of the unit reaches, GB/s; 0 = the memory's bandwidth.
  double core_bandwidth_gbs = 0;
  // The most the whole unit reads from memory, GB/s, whatever its cores; 0 = no limit but the
  // memory's. (A CPU cluster or an NPU often cannot use all of a unified memory's bandwidth.)
  double total_bandwidth_gbs = 0;
  // Memory of the unit's own (a discrete GPU's VRAM), bytes; 0 = it uses the device's memory.
  // With its own memory, core_bandwidth_gbs is that memory's bandwidth (not capped by the device's).
  double memory_bytes = 0;
  double active_watts = 0;   // whole unit busy
  double idle_watts = 0;
  double overhead_us = 0;    // fixed cost per op: dispatch, kernel launch
  std::vector<CacheLevel> caches;  // ascending level; the memory follows the last
  std::vector<KernelEfficiency> kernels;
  // The entry for an op kind, dtype and batch: that kind's (else "dense"'s) entry of the dtype
  // whose batch is nearest on a log scale (batch 0 matches any); null when there is none.
  const KernelEfficiency* FindKernel(std::string_view op, nn::WeightType dtype, int64_t batch) const;
};

struct Link {
  std::string from, to;
  bool unified = false;      // shared memory: tensors change units without a copy
  double bandwidth_gbs = 0;  // otherwise: copy bandwidth and fixed latency per transfer
  double latency_us = 0;
};

struct DeviceProfile {
  std::string name, description;
  std::string file;          // where it was read from ("" when built in code)
  double memory_bytes = 0;
  double memory_bandwidth_gbs = 0;
  std::vector<ComputeUnit> units;
  std::vector<Link> links;

  const ComputeUnit* FindUnit(std::string_view unit) const;
  // The link between two units (either direction); null when none is declared (the planner then
  // never moves a tensor between them).
  const Link* FindLink(std::string_view a, std::string_view b) const;
};

// Parses a profile; `file` names it in messages. InvalidArgument for syntax errors, unknown
// keys, missing or out-of-range values, duplicate unit names, links to unknown units, caches
// out of order.
Result<DeviceProfile> ParseDeviceProfile(std::string_view text, const std::string& file);
// Reads and parses a file (IOError when it cannot be read).
Result<DeviceProfile> LoadDeviceProfile(const std::string& path);

// Directories searched for a profile by name, in order: $VIGIL_PROFILES (':'-separated), the
// user's ($XDG_CONFIG_HOME or ~/.config)/vigil/profiles (where `vigil calibrate` writes `host`),
// then `shipped_dir` (the profiles installed with vigil).
std::vector<std::string> ProfileSearchPath(const std::string& shipped_dir);
// The user directory of the list above.
std::string UserProfileDir();
// `name_or_path`: a path (contains '/' or ends in .toml) is loaded as is; a name is looked up as
// <dir>/<name>.toml in `search_path`. NotFound lists the names available (and, for `host`, says
// to run `vigil calibrate`).
Result<DeviceProfile> FindDeviceProfile(const std::string& name_or_path, const std::vector<std::string>& search_path);
// Profile names found in `search_path` (sorted, unique).
std::vector<std::string> ListDeviceProfiles(const std::vector<std::string>& search_path);

// The profile as a TOML file ParseDeviceProfile reads back; `header` lines (without '#') open
// it as comments.
std::string FormatDeviceProfile(const DeviceProfile& profile, const std::vector<std::string>& header);

}  // namespace vigil::plan
