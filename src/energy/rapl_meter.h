// Linux powercap / RAPL energy counters: /sys/class/powercap/intel-rapl:N (Intel, and AMD family
// 17h and later, whose package counters the same driver exposes under that name).
//
//   VIGIL_ASSIGN_OR_RETURN(auto m, energy::OpenRaplMeter("/sys/class/powercap"));
//
// Each top-level zone directory has `name` ("package-0", "psys", ...), `energy_uj` (a cumulative
// counter in µJ that wraps at `max_energy_range_uj`) and subzones (core, uncore, dram) that the
// package already includes. The meter sums the package zones (every top-level zone when none is
// named package-*); MMIO duplicates (intel-rapl-mmio:*) are skipped. energy_uj is root-only on
// kernels patched for CVE-2020-8694: opening reads every counter once, so a permission problem
// is reported at once, naming the file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "energy/energy_meter.h"

namespace vigil::energy {

class RaplMeter final : public EnergyMeter {
 public:
  struct Zone {
    std::string dir, name;
    int64_t max_range_uj = 0;
    int64_t last_uj = 0;
  };
  explicit RaplMeter(std::vector<Zone> zones) : zones_(std::move(zones)) {}
  std::string name() const override;
  bool cumulative() const override { return true; }
  Result<double> Joules() override;
  Result<double> Watts() override { return Status::Unimplemented("rapl: a counter, read Joules()"); }
  const std::vector<Zone>& zones() const { return zones_; }

 private:
  std::vector<Zone> zones_;
  double total_uj_ = 0;  // accumulated over wraparounds since opening
};

// NotFound when `root` has no RAPL zones; IOError / DataError naming the file otherwise.
Result<std::unique_ptr<RaplMeter>> OpenRaplMeter(const std::string& root);

}  // namespace vigil::energy
