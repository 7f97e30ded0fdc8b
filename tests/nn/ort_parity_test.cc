// vigil's runtime against ONNX Runtime on the same network and weights: the MLPerf Tiny
// anomaly-detection autoencoder exported to ONNX (bench/peers/make_onnx.py) and run by
// onnxruntime-node (bench/peers/node). Requires python3-onnx, node and the npm package, which
// scripts/install-deps.sh installs; without them the test fails and says so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nn/train/mlp_graph.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

namespace fs = std::filesystem;

int Shell(const std::string& cmd, std::string* out) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  return pclose(p);
}

void WriteFloats(const fs::path& path, const std::vector<float>& v) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(v.data()),
                                              static_cast<std::streamsize>(v.size() * sizeof(float)));
}

std::vector<float> ReadFloats(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

TEST(OrtParityTest, MlperfAutoencoderMatchesOnnxRuntime) {
  const std::string peers = VIGIL_PEERS_DIR;
  ASSERT_TRUE(fs::exists(peers + "/node/node_modules/onnxruntime-node"))
      << "onnxruntime-node is not installed: run scripts/install-deps.sh";
  const fs::path dir = fs::path(::testing::TempDir()) / ("ort_parity_" + std::to_string(::getpid()));
  fs::create_directories(dir);

  MlpSpec spec{.input_dim = 640, .hidden = {128, 128, 128, 128, 8, 128, 128, 128, 128}, .output_dim = 640};
  auto params = InitMlp(spec, 2024);
  ASSERT_TRUE(params.ok());
  Prng rng(99);
  std::vector<float> flat;
  for (auto& l : params->layers) {
    for (float& b : l.bias) b = 0.2f * (rng.NextFloat() - 0.5f);
    flat.insert(flat.end(), l.weights.begin(), l.weights.end());
    flat.insert(flat.end(), l.bias.begin(), l.bias.end());
  }
  WriteFloats(dir / "weights.bin", flat);
  std::string out;
  ASSERT_EQ(Shell("/usr/bin/python3 " + peers + "/make_onnx.py " + (dir / "weights.bin").string() +
                      " 640,128,128,128,128,8,128,128,128,128,640 " + (dir / "ae.onnx").string(),
                  &out),
            0)
      << out << "\n(python3-onnx missing? run scripts/install-deps.sh)";

  for (int batch : {1, 7}) {
    std::vector<float> x(static_cast<size_t>(batch) * 640);
    for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;
    WriteFloats(dir / "x.bin", x);
    out.clear();
    ASSERT_EQ(Shell("cd " + peers + "/node && node ort_peer.mjs " + (dir / "ae.onnx").string() + " " +
                        (dir / "x.bin").string() + " --batch " + std::to_string(batch) + " --dump " +
                        (dir / "y.bin").string(),
                    &out),
              0)
        << out;
    const std::vector<float> ref = ReadFloats(dir / "y.bin");
    ASSERT_EQ(ref.size(), x.size());

    auto g = BuildMlpGraph(*params, {.reconstruction_error = false, .mlp_output = true});
    ASSERT_TRUE(g.ok()) << g.status().message();
    ASSERT_TRUE(g->Plan(batch).ok());
    std::vector<float> y(x.size(), NAN);
    ASSERT_TRUE(g->BindInput(0, x.data()).ok());
    ASSERT_TRUE(g->BindOutput(0, y.data()).ok());
    g->Run();
    // Relative to each output's magnitude, floored at 1 so values near zero (where both sides'
    // different summation orders leave absolute differences of ~1e-7) do not inflate it.
    double worst = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      worst = std::max(worst, std::abs(static_cast<double>(y[i]) - ref[i]) / std::max(1.0, std::abs(static_cast<double>(ref[i]))));
    }
    EXPECT_LE(worst, 1e-5) << "batch " << batch;
    std::printf("batch %d: worst relative difference to ONNX Runtime %.3g\n", batch, worst);
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace vigil::nn::train
