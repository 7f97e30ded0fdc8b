// A private copy of tests/data/energy for a test to change counters in.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace vigil::energy::testing {

class EnergyTree {
 public:
  EnergyTree() {
    static int counter = 0;
    root_ = std::filesystem::path(::testing::TempDir()) /
            ("energy_" + std::to_string(::getpid()) + "_" + std::to_string(++counter));
    std::filesystem::remove_all(root_);
    std::filesystem::copy(std::string(VIGIL_TEST_DATA_DIR) + "/energy", root_, std::filesystem::copy_options::recursive);
  }
  ~EnergyTree() { std::filesystem::remove_all(root_); }
  std::string Path(const std::string& rel) const { return (root_ / rel).string(); }
  void Write(const std::string& rel, const std::string& value) const { std::ofstream(root_ / rel) << value << "\n"; }

 private:
  std::filesystem::path root_;
};

}  // namespace vigil::energy::testing
