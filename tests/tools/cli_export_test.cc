// vigil export, through the real binary: writes an ONNX file for a neural model, refuses the rest.
#include <gtest/gtest.h>

#include <filesystem>

#include "cli_runner.h"

namespace vigil::testing {
namespace {

std::string Temp(const std::string& name) {
  return ::testing::TempDir() + "/cli_export_" + std::to_string(::getpid()) + "_" + name;
}

TEST(CliExportTest, WritesOnnxForNeuralModelsAndRefusesOthers) {
  const std::string data = std::string(VIGIL_REPO_DATA_DIR) + "/normal.csv";
  const std::string ae = Temp("ae.vgm"), pca = Temp("pca.vgm"), onnx = Temp("ae.onnx");
  ASSERT_EQ(Vigil("fit --detector ae --epochs 2 -i " + data + " -o " + ae).code, 0);
  ASSERT_EQ(Vigil("fit --detector pca -i " + data + " -o " + pca).code, 0);
  const CliRun ok = Vigil("export " + ae + " --format onnx -o " + onnx);
  ASSERT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.err.find("ONNX opset 13"), std::string::npos) << ok.err;
  EXPECT_GT(std::filesystem::file_size(onnx), 1000u);
  const CliRun refused = Vigil("export " + pca + " -o " + Temp("pca.onnx"));
  EXPECT_EQ(refused.code, 2);
  EXPECT_NE(refused.err.find("'pca' has no network"), std::string::npos) << refused.err;
  const CliRun format = Vigil("export " + ae + " --format tflite -o " + Temp("x"));
  EXPECT_EQ(format.code, 2);
  EXPECT_NE(format.err.find("--format 'tflite' is not supported"), std::string::npos) << format.err;
  const CliRun missing = Vigil("export " + Temp("none.vgm") + " -o " + Temp("y"));
  EXPECT_EQ(missing.code, 2) << missing.err;
}

}  // namespace
}  // namespace vigil::testing
