#include "energy/rapl_meter.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace vigil::energy {
namespace {

// "intel-rapl:0" (a package), not "intel-rapl:0:1" (a subzone) nor "intel-rapl-mmio:0".
bool IsTopLevelZone(const std::string& dir) {
  const size_t colon = dir.find(':');
  if (colon == std::string::npos || dir.find(':', colon + 1) != std::string::npos) return false;
  const std::string type = dir.substr(0, colon);
  return type.size() >= 4 && type.compare(type.size() - 4, 4, "rapl") == 0;
}


}  // namespace

std::string RaplMeter::name() const {
  std::string n = "rapl:";
  for (size_t i = 0; i < zones_.size(); ++i) n += (i ? " + " : " ") + zones_[i].name;
  return n;
}

Result<double> RaplMeter::Joules() {
  for (Zone& z : zones_) {
    VIGIL_ASSIGN_OR_RETURN(int64_t uj, ReadSysfsInteger(z.dir + "/energy_uj"));
    int64_t delta = uj - z.last_uj;
    if (delta < 0) delta += z.max_range_uj;  // the counter wrapped once since the last read
    total_uj_ += static_cast<double>(delta);
    z.last_uj = uj;
  }
  return total_uj_ * 1e-6;
}

Result<std::unique_ptr<RaplMeter>> OpenRaplMeter(const std::string& root) {
  std::error_code ec;
  std::vector<std::string> dirs;
  for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
    const std::string d = e.path().filename().string();
    if (IsTopLevelZone(d)) dirs.push_back(d);
  }
  if (dirs.empty()) {
    return Status::NotFound("no " + root + "/intel-rapl:* zones (no RAPL driver loaded, or a virtual machine)");
  }
  std::sort(dirs.begin(), dirs.end());
  std::vector<RaplMeter::Zone> all, packages;
  for (const std::string& d : dirs) {
    RaplMeter::Zone z;
    z.dir = root + "/" + d;
    z.name = ReadFirstLine(z.dir + "/name");
    if (z.name.empty()) z.name = d;
    VIGIL_ASSIGN_OR_RETURN(z.max_range_uj, ReadSysfsInteger(z.dir + "/max_energy_range_uj"));
    if (z.max_range_uj <= 0) {
      return Status::DataError(z.dir + "/max_energy_range_uj: must be positive, got " + std::to_string(z.max_range_uj));
    }
    VIGIL_ASSIGN_OR_RETURN(z.last_uj, ReadSysfsInteger(z.dir + "/energy_uj"));
    (z.name.rfind("package", 0) == 0 ? packages : all).push_back(z);
  }
  return std::make_unique<RaplMeter>(packages.empty() ? all : packages);
}

}  // namespace vigil::energy
