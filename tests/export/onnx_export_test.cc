// vigil export --format onnx: the exported scoring path run by ONNX Runtime (npm
// onnxruntime-node, bench/peers/node/ort_peer.mjs) gives vigil's scores and per-channel errors on
// the same rows; the file passes onnx.checker (python3-onnx). Needs node, the npm package and
// python3-onnx (scripts/install-deps.sh); without them the test FAILS and names the script.
#include "export/onnx_export.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "detect/autoencoder_detector.h"
#include "vigil/csv.h"
#include "vigil/evaluate.h"
#include "shell_runner.h"

namespace vigil::exporter {
namespace {

namespace fs = std::filesystem;

using vigil::testing::ReadFloats;
using vigil::testing::Shell;

Model Fit(const std::string& detector, uint32_t epochs) {
  auto table = ReadCsvTable(std::string(VIGIL_REPO_DATA_DIR) + "/normal.csv", CsvOptions{});
  EXPECT_TRUE(table.ok()) << table.status().message();
  auto options = DefaultFitOptions(detector);
  EXPECT_TRUE(options.ok());
  options->detector_options.nn_epochs = epochs;
  if (detector == "conv-ae") options->detector_options.conv_channels = {8, 4};
  auto m = Model::Fit(table->frames, *options);
  EXPECT_TRUE(m.ok()) << m.status().message();
  return std::move(*m);
}

class OnnxExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("onnx_export_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::string out;
    ASSERT_EQ(Shell("command -v node", &out), 0) << "node is not installed: run scripts/install-deps.sh";
    ASSERT_TRUE(fs::exists(std::string(VIGIL_PEERS_DIR) + "/node/node_modules/onnxruntime-node"))
        << "npm onnxruntime-node is missing: run scripts/install-deps.sh";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Exports `model`, runs `rows` through ONNX Runtime and compares with the detector.
  void ExpectOrtMatches(const Model& model, size_t rows) {
    const Detector& det = model.detector();
    detect::AutoencoderScaling s;
    ASSERT_TRUE(detect::GetAutoencoderScaling(det, &s));
    const size_t d = det.dim();
    ASSERT_EQ(d, s.frames * s.channels);
    // Rows around the training distribution: mean ± a few standard deviations per channel.
    std::mt19937 rng(11);
    std::normal_distribution<float> normal(0.0f, 1.5f);
    std::vector<float> x(rows * d);
    for (size_t i = 0; i < x.size(); ++i) x[i] = s.mean[i % s.channels] + normal(rng) / s.inv_scale[i % s.channels];
    std::vector<float> scores(rows), contrib(rows * d);
    det.Score(x.data(), rows, scores.data(), contrib.data());

    auto bytes = ExportOnnx(model);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    const fs::path onnx = dir_ / "m.onnx", in = dir_ / "x.bin";
    std::ofstream(onnx, std::ios::binary).write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
    std::ofstream(in, std::ios::binary).write(reinterpret_cast<const char*>(x.data()),
                                              static_cast<std::streamsize>(x.size() * sizeof(float)));
    std::string out;
    ASSERT_EQ(Shell("/usr/bin/python3 -c \"import onnx; onnx.checker.check_model(onnx.load('" + onnx.string() + "'))\"",
                    &out),
              0)
        << out;
    for (const char* name : {"score", "channel_error"}) {
      const fs::path y = dir_ / (std::string(name) + ".bin");
      ASSERT_EQ(Shell("node " + std::string(VIGIL_PEERS_DIR) + "/node/ort_peer.mjs " + onnx.string() + " " +
                          in.string() + " --dump " + y.string() + " --batch " + std::to_string(rows) +
                          " --output " + name,
                      &out),
                0)
          << out;
      const std::vector<float> got = ReadFloats(y);
      if (std::string(name) == "score") {
        ASSERT_EQ(got.size(), rows);
        for (size_t r = 0; r < rows; ++r) EXPECT_NEAR(got[r], scores[r], 1e-5 * std::max(1.0f, scores[r])) << r;
      } else {
        ASSERT_EQ(got.size(), rows * s.channels);
        for (size_t r = 0; r < rows; ++r) {
          for (size_t c = 0; c < s.channels; ++c) {
            double share = 0;
            for (size_t f = 0; f < s.frames; ++f) share += contrib[r * d + f * s.channels + c];
            const double want = share * scores[r] * static_cast<double>(s.channels);
            EXPECT_NEAR(got[r * s.channels + c], want, 1e-5 * std::max(1.0, want)) << r << " " << c;
          }
        }
      }
    }
  }

  fs::path dir_;
};

TEST_F(OnnxExportTest, DenseAutoencoderMatchesOnnxRuntime) { ExpectOrtMatches(Fit("ae", 5), 7); }

TEST_F(OnnxExportTest, ConvAutoencoderMatchesOnnxRuntime) { ExpectOrtMatches(Fit("conv-ae", 5), 7); }

TEST_F(OnnxExportTest, Fp16WeightsStayFp16AndMatchOnnxRuntime) {
  for (const char* detector : {"ae", "conv-ae"}) {
    SCOPED_TRACE(detector);
    Model m = Fit(detector, 5);
    ASSERT_TRUE(m.Quantize("fp16", nullptr).ok());
    ExpectOrtMatches(m, 5);
  }
}

TEST_F(OnnxExportTest, TransformerAutoencoderMatchesOnnxRuntime) { ExpectOrtMatches(Fit("tf-ae", 5), 7); }

TEST(OnnxExportErrorsTest, RefusesWhatItCannotExport) {
  auto table = ReadCsvTable(std::string(VIGIL_REPO_DATA_DIR) + "/normal.csv", CsvOptions{});
  ASSERT_TRUE(table.ok());
  auto pca = Model::Fit(table->frames, DefaultFitOptions("pca").value());
  ASSERT_TRUE(pca.ok());
  EXPECT_NE(ExportOnnx(*pca).status().message().find("'pca' has no network"), std::string::npos);
  Model int8 = Fit("ae", 2);
  ASSERT_TRUE(int8.Quantize("int8", &table->frames).ok());
  EXPECT_NE(ExportOnnx(int8).status().message().find("INT8 (QDQ) export is not implemented yet"), std::string::npos);
}

}  // namespace
}  // namespace vigil::exporter
