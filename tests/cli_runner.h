// Test helper: runs the real `vigil` binary (VIGIL_CLI_PATH) to completion through the shell and
// captures its stdout, stderr and exit code.
//
//   vigil::testing::CliRun r = vigil::testing::Vigil("inspect model.vgm");
//   EXPECT_EQ(r.code, 0) << r.err;
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vigil::testing {

struct CliRun {
  int code = -1;  // -1: killed by a signal or could not start
  std::string out, err;
};

inline CliRun Vigil(const std::string& args) {
  static int counter = 0;
  const std::string err_path =
      ::testing::TempDir() + "/vigil_cli_err_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  CliRun r;
  FILE* p = popen((std::string(VIGIL_CLI_PATH) + " " + args + " 2>" + err_path).c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream e(err_path);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  std::filesystem::remove(err_path);
  return r;
}

}  // namespace vigil::testing
