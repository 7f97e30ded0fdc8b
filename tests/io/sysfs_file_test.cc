#include "io/sysfs_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace vigil::io {
namespace {

TEST(SysfsFileTest, ReadsLinesAndIntegersWithNamedErrors) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / ("sysfs_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "name") << "package-0\n";
  std::ofstream(dir / "energy_uj") << "123456789012\n";
  std::ofstream(dir / "bad") << "12 apples\n";
  EXPECT_EQ(ReadFirstLine((dir / "name").string()), "package-0");
  EXPECT_EQ(ReadFirstLine((dir / "missing").string()), "");
  EXPECT_EQ(ReadSysfsInteger((dir / "energy_uj").string()).value(), 123456789012);
  auto bad = ReadSysfsInteger((dir / "bad").string());
  EXPECT_EQ(bad.status().code(), StatusCode::kDataError);
  EXPECT_NE(bad.status().message().find("bad: expected an integer, got '12 apples'"), std::string::npos);
  auto missing = ReadSysfsInteger((dir / "missing").string());
  EXPECT_EQ(missing.status().code(), StatusCode::kIOError);
  EXPECT_NE(missing.status().message().find("missing: cannot read"), std::string::npos);
  EXPECT_FALSE(ReadSysfsInteger(dir.string()).ok());  // a directory
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vigil::io
