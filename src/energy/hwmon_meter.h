// hwmon energy and power sensors: /sys/class/hwmon/hwmon*/energy*_input (µJ, cumulative; e.g.
// the amd_energy driver) and power*_input / power*_average (µW; e.g. a board's INA power monitor,
// or a GPU driver).
//
//   VIGIL_ASSIGN_OR_RETURN(auto m, energy::OpenHwmonMeter("/sys/class/hwmon", energy::HwmonKind::kEnergy));
//
// Sensors are summed; when some carry a label naming a socket or package (`*_label`), only those
// are (amd_energy lists every core and every socket, and the socket already includes its cores).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "energy/energy_meter.h"

namespace vigil::energy {

enum class HwmonKind { kEnergy, kPower };

class HwmonMeter final : public EnergyMeter {
 public:
  HwmonMeter(HwmonKind kind, std::string description, std::vector<std::string> files)
      : kind_(kind), description_(std::move(description)), files_(std::move(files)) {}
  std::string name() const override { return description_; }
  bool cumulative() const override { return kind_ == HwmonKind::kEnergy; }
  Result<double> Joules() override;
  Result<double> Watts() override;
  const std::vector<std::string>& files() const { return files_; }

 private:
  Result<double> Sum() const;  // of the files, in their unit
  HwmonKind kind_;
  std::string description_;
  std::vector<std::string> files_;
};

// NotFound when no hwmon device has such sensors; IOError / DataError naming the file when one
// cannot be read.
Result<std::unique_ptr<HwmonMeter>> OpenHwmonMeter(const std::string& root, HwmonKind kind);

}  // namespace vigil::energy
