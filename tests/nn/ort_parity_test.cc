// vigil's runtime against ONNX Runtime on the same network, weights and inputs: the MLPerf Tiny
// anomaly-detection autoencoder with random weights, written as a peer weights file
// (bench/peers/peer_weights.h), exported to ONNX by bench/peers/make_onnx.py and run by
// onnxruntime-node (bench/peers/node/ort_peer.mjs --dump). Needs /usr/bin/python3 with
// python3-onnx, node and the npm package, all installed by scripts/install-deps.sh; without
// them the test FAILS (CI installs them) and names that script.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../../bench/peers/peer_weights.h"
#include "nn/train/mlp_graph.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

namespace fs = std::filesystem;

constexpr const char* kInstall = "run scripts/install-deps.sh (as root) to install it";

int Shell(const std::string& cmd, std::string* out) {
  out->clear();
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  return pclose(p);
}

std::vector<float> ReadFloats(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

class OrtParityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("ort_parity_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

TEST_F(OrtParityTest, MlperfAutoencoderMatchesOnnxRuntime) {
  const std::string peers = VIGIL_PEERS_DIR;
  std::string out;
  ASSERT_EQ(Shell("command -v node", &out), 0) << "node is not installed: " << kInstall;
  ASSERT_TRUE(fs::exists(peers + "/node/node_modules/onnxruntime-node"))
      << "npm onnxruntime-node is not installed in " << peers << "/node: " << kInstall;
  ASSERT_EQ(Shell("/usr/bin/python3 -c 'import onnx'", &out), 0)
      << "python3-onnx is not installed (" << out << "): " << kInstall;

  const uint64_t seed = 2024;
  MlpSpec spec{.input_dim = 640, .hidden = {128, 128, 128, 128, 8, 128, 128, 128, 128}, .output_dim = 640};
  auto params = InitMlp(spec, seed);
  ASSERT_TRUE(params.ok()) << params.status().message();
  Prng rng(seed + 1);
  bench::PeerNet net{.sizes = {640}, .params = {}};
  for (auto& l : params->layers) {
    // Non-zero biases, so a bias dropped on either side shows.
    for (float& b : l.bias) b = 0.2f * (rng.NextFloat() - 0.5f);
    net.sizes.push_back(static_cast<int64_t>(l.bias.size()));
    net.params.insert(net.params.end(), l.weights.begin(), l.weights.end());
    net.params.insert(net.params.end(), l.bias.begin(), l.bias.end());
  }
  std::string error;
  ASSERT_TRUE(bench::WritePeerNet((dir_ / "ae.vpw").string(), net, &error)) << error;
  ASSERT_EQ(Shell("/usr/bin/python3 " + peers + "/make_onnx.py " + (dir_ / "ae.vpw").string() + " " +
                      (dir_ / "ae.onnx").string(),
                  &out),
            0)
      << out;

  for (int batch : {1, 7}) {
    SCOPED_TRACE("seed " + std::to_string(seed) + ", batch " + std::to_string(batch));
    std::vector<float> x(static_cast<size_t>(batch) * 640);
    for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;
    std::ofstream(dir_ / "x.bin", std::ios::binary)
        .write(reinterpret_cast<const char*>(x.data()),
               static_cast<std::streamsize>(x.size() * sizeof(float)));
    ASSERT_EQ(Shell("cd " + peers + "/node && node ort_peer.mjs " + (dir_ / "ae.onnx").string() + " " +
                        (dir_ / "x.bin").string() + " --dump " + (dir_ / "y.bin").string() + " --batch " +
                        std::to_string(batch),
                    &out),
              0)
        << out;
    const std::vector<float> ref = ReadFloats(dir_ / "y.bin");
    ASSERT_EQ(ref.size(), x.size());

    auto g = BuildMlpGraph(*params, {.reconstruction_error = false, .mlp_output = true});
    ASSERT_TRUE(g.ok()) << g.status().message();
    ASSERT_TRUE(g->Plan(batch).ok());
    std::vector<float> y(x.size(), NAN);
    ASSERT_TRUE(g->BindInput(0, x.data()).ok());
    ASSERT_TRUE(g->BindOutput(0, y.data()).ok());
    g->Run();

    // Tolerance relative to the output's max norm. Both sides round differently only because
    // they sum each dot product in a different order; that error scales with the size of the
    // terms summed (the layer's activations), not with the one output element, so an element
    // that is near zero by cancellation carries the same absolute error as its neighbours and a
    // per-element relative test would fail there for no fault. max(1, |b|) would instead make
    // the bound absolute whenever outputs are small. The max norm is the scale of the result.
    double max_norm = 0;
    for (float v : ref) max_norm = std::max(max_norm, std::abs(static_cast<double>(v)));
    ASSERT_GT(max_norm, 0.0) << "ONNX Runtime returned all zeros";
    const double tolerance = 1e-5 * max_norm;
    double worst = 0;
    size_t worst_at = 0;
    int mismatches = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      const double diff = std::abs(static_cast<double>(y[i]) - ref[i]);
      if (!(diff <= tolerance)) ++mismatches;  // also counts NaN
      if (std::isnan(diff) || diff > worst) {  // the first NaN stays the worst
        worst = diff;
        worst_at = i;
      }
    }
    EXPECT_EQ(mismatches, 0) << "worst at row " << worst_at / 640 << " col " << worst_at % 640 << ": vigil "
                             << y[worst_at] << " vs ONNX Runtime " << ref[worst_at] << ", tolerance "
                             << tolerance;
    std::printf("batch %d: max |vigil - ONNX Runtime| = %.3g = %.3g of the output max norm %.3g\n", batch,
                worst, worst / max_norm, max_norm);
  }
}

}  // namespace
}  // namespace vigil::nn::train
