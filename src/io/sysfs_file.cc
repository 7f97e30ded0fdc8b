#include "io/sysfs_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace vigil::io {

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

Result<int64_t> ReadSysfsInteger(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    const int err = errno;
    if (err == EACCES || err == EPERM) {
      return Status::IOError(path + ": permission denied (run as root, or grant read access to this file)");
    }
    return Status::IOError(path + ": cannot read: " + std::strerror(err));
  }
  std::string text;
  if (!std::getline(in, text)) return Status::IOError(path + ": cannot read (empty or not a file)");
  size_t used = 0;
  int64_t v = 0;
  try {
    v = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || text.find_first_not_of(" \t\r", used) != std::string::npos) {
    return Status::DataError(path + ": expected an integer, got '" + text + "'");
  }
  return v;
}

}  // namespace vigil::io
