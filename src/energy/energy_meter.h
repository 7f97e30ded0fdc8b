// Energy meters: what the OS says the hardware consumed, read around a piece of work.
//
//   VIGIL_ASSIGN_OR_RETURN(std::unique_ptr<energy::EnergyMeter> m, energy::FindEnergyMeter({}));
//   VIGIL_ASSIGN_OR_RETURN(energy::EnergyReading r, energy::MeasureEnergy(*m, [&] { work(); }));
//   printf("%.3f J over %.3f s (%s)\n", r.joules, r.seconds, m->name().c_str());
//
// Meters (one file each): Linux powercap/RAPL (rapl_meter.h: Intel and AMD packages), hwmon
// energy and power sensors (hwmon_meter.h), and recorded macOS `powermetrics` output
// (powermetrics_parser.h, parsed, not run). A meter reads either a cumulative energy counter
// (joules) or an instantaneous power (watts), which MeasureEnergy integrates by sampling.
// Errors say why a meter is unavailable: no such sysfs entries, permission denied (RAPL counters
// are root-only on current kernels), malformed values — each naming the file.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/sysfs_file.h"
#include "vigil/status.h"

namespace vigil::energy {

class EnergyMeter {
 public:
  virtual ~EnergyMeter() = default;
  // "rapl: package-0 + package-1", "hwmon: amd_energy"
  virtual std::string name() const = 0;
  // True: Joules() is a cumulative counter. False: Watts() is an instantaneous reading.
  virtual bool cumulative() const = 0;
  // Joules since an arbitrary origin, monotonic across counter wraparound as long as it is
  // called at least once per wrap period (minutes to hours for RAPL). Not thread-safe.
  virtual Result<double> Joules() = 0;
  virtual Result<double> Watts() = 0;
};

struct EnergyReading {
  double joules = 0;
  double seconds = 0;
  int samples = 0;  // power samples integrated (0 for a cumulative counter)
};

// Runs `work` once and measures the energy the meter saw meanwhile: the counter's difference, or
// the trapezoidal integral of power sampled every `sample_ms` on a thread of its own.
Result<EnergyReading> MeasureEnergy(EnergyMeter& meter, const std::function<void()>& work, int sample_ms = 10);

struct MeterSearch {
  std::string powercap_root = "/sys/class/powercap";
  std::string hwmon_root = "/sys/class/hwmon";
};

// The first meter that works, in order: RAPL packages, hwmon energy counters, hwmon power
// sensors. NotFound listing why each was not usable (e.g. "rapl: no /sys/class/powercap/
// intel-rapl:* (no RAPL driver, or a virtual machine)"; "hwmon: ..."); the meter's IOError /
// DataError (naming the file: permission denied, malformed value) when one exists but cannot be
// read — an unreadable meter is reported, never silently replaced by a model.
Result<std::unique_ptr<EnergyMeter>> FindEnergyMeter(const MeterSearch& where);

// The sysfs readers the meters use (io/sysfs_file.h), under the names the meters know them by.
using io::ReadFirstLine;
using io::ReadSysfsInteger;

}  // namespace vigil::energy
