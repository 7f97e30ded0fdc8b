// Reading the one-value text files of Linux sysfs (/sys/class/powercap/..., /sys/devices/system/
// cpu/.../cache/...), for the energy meters and the host calibration.
//
//   std::string name = io::ReadFirstLine("/sys/class/hwmon/hwmon0/name");   // "" when unreadable
//   VIGIL_ASSIGN_OR_RETURN(int64_t uj, io::ReadSysfsInteger(dir + "/energy_uj"));
#pragma once

#include <cstdint>
#include <string>

#include "vigil/status.h"

namespace vigil::io {

// The file's first line without its newline; empty when the file is missing or unreadable
// (for optional files: labels, names, cache attributes).
std::string ReadFirstLine(const std::string& path);

// A file holding one integer. IOError naming the file and the reason (missing; permission
// denied: "run as root, or grant read access"), DataError for anything but an integer.
Result<int64_t> ReadSysfsInteger(const std::string& path);

}  // namespace vigil::io
