#include "energy/hwmon_meter.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace vigil::energy {
namespace {


bool Matches(const std::string& file, HwmonKind kind) {
  const auto ends = [&](const char* suffix) {
    const size_t n = std::char_traits<char>::length(suffix);
    return file.size() > n && file.compare(file.size() - n, n, suffix) == 0;
  };
  if (kind == HwmonKind::kEnergy) return file.rfind("energy", 0) == 0 && ends("_input");
  return file.rfind("power", 0) == 0 && (ends("_input") || ends("_average"));
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

Result<double> HwmonMeter::Sum() const {
  double total = 0;
  for (const std::string& f : files_) {
    VIGIL_ASSIGN_OR_RETURN(int64_t v, ReadSysfsInteger(f));
    total += static_cast<double>(v);
  }
  return total;
}

Result<double> HwmonMeter::Joules() {
  if (kind_ != HwmonKind::kEnergy) return Status::Unimplemented(description_ + ": a power sensor, read Watts()");
  VIGIL_ASSIGN_OR_RETURN(double uj, Sum());
  return uj * 1e-6;
}

Result<double> HwmonMeter::Watts() {
  if (kind_ != HwmonKind::kPower) return Status::Unimplemented(description_ + ": an energy counter, read Joules()");
  VIGIL_ASSIGN_OR_RETURN(double uw, Sum());
  return uw * 1e-6;
}

Result<std::unique_ptr<HwmonMeter>> OpenHwmonMeter(const std::string& root, HwmonKind kind) {
  std::error_code ec;
  std::vector<std::filesystem::path> devices;
  for (const auto& e : std::filesystem::directory_iterator(root, ec)) devices.push_back(e.path());
  std::sort(devices.begin(), devices.end());
  const char* what = kind == HwmonKind::kEnergy ? "energy*_input" : "power*_input / power*_average";
  for (const auto& dev : devices) {
    std::vector<std::string> files, preferred;
    std::error_code ec2;
    for (const auto& e : std::filesystem::directory_iterator(dev, ec2)) {
      const std::string f = e.path().filename().string();
      if (!Matches(f, kind)) continue;
      // power1_average and power1_input measure the same thing: keep one per sensor.
      const std::string base = f.substr(0, f.find('_'));
      if (f.ends_with("_average") && std::filesystem::exists(dev / (base + "_input"))) continue;
      files.push_back(e.path().string());
      const std::string label = Lower(ReadFirstLine((dev / (base + "_label")).string()));
      if (label.find("socket") != std::string::npos || label.find("package") != std::string::npos) {
        preferred.push_back(e.path().string());
      }
    }
    if (files.empty()) continue;
    std::vector<std::string> use = preferred.empty() ? files : preferred;
    std::sort(use.begin(), use.end());
    auto meter = std::make_unique<HwmonMeter>(
        kind, "hwmon: " + ReadFirstLine((dev / "name").string()) + " (" + std::to_string(use.size()) + " " +
                  (kind == HwmonKind::kEnergy ? "energy" : "power") + " sensor" + (use.size() > 1 ? "s" : "") + ")",
        use);
    // Read once now, so a permission problem or a bad value is reported here, naming the file.
    if (kind == HwmonKind::kEnergy) {
      VIGIL_RETURN_IF_ERROR(meter->Joules().status());
    } else {
      VIGIL_RETURN_IF_ERROR(meter->Watts().status());
    }
    return meter;
  }
  return Status::NotFound(std::string("no ") + what + " under " + root + "/hwmon*");
}

}  // namespace vigil::energy
