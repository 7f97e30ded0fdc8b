// vigil's runtime against ONNX Runtime on the same network, weights and inputs: the MLPerf Tiny
// anomaly-detection autoencoder with random weights, written as a peer weights file
// (bench/peers/peer_weights.h), exported to ONNX by bench/peers/make_onnx.py and run by
// onnxruntime-node (bench/peers/node/ort_peer.mjs --dump); and vigil's INT8 network against the
// INT8 QDQ model make_onnx.py --int8 writes from vigil's calibrated ranges. Needs /usr/bin/python3 with
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
#include "nn/int8_calibration.h"
#include "nn/packed_net.h"
#include "nn/train/mlp_graph.h"
#include "nn/train/prng.h"
#include "shell_runner.h"

namespace vigil::nn::train {
namespace {

namespace fs = std::filesystem;

constexpr const char* kInstall = "run scripts/install-deps.sh (as root) to install it";

using vigil::testing::ReadFloats;
using vigil::testing::Shell;

// √(Σ(a − b)² / Σ b²).
double RelativeRms(const std::vector<float>& a, const std::vector<float>& b) {
  double err = 0, norm = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    err += (static_cast<double>(a[i]) - b[i]) * (static_cast<double>(a[i]) - b[i]);
    norm += static_cast<double>(b[i]) * b[i];
  }
  return std::sqrt(err / norm);
}

class OrtParityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) / ("ort_parity_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // node, onnxruntime-node under `peers`/node and python3-onnx, or a failure naming what is missing.
  static void RequirePeers(const std::string& peers) {
    std::string out;
    ASSERT_EQ(Shell("command -v node", &out), 0) << "node is not installed: " << kInstall;
    ASSERT_TRUE(fs::exists(peers + "/node/node_modules/onnxruntime-node"))
        << "npm onnxruntime-node is not installed in " << peers << "/node: " << kInstall;
    ASSERT_EQ(Shell("/usr/bin/python3 -c 'import onnx'", &out), 0)
        << "python3-onnx is not installed (" << out << "): " << kInstall;
  }

  fs::path dir_;
};

TEST_F(OrtParityTest, MlperfAutoencoderMatchesOnnxRuntime) {
  const std::string peers = VIGIL_PEERS_DIR;
  std::string out;
  ASSERT_NO_FATAL_FAILURE(RequirePeers(peers));

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

// The INT8 QDQ export reproduces vigil's INT8 network: same weights, same per-layer input
// ranges (written from CalibrateLayerInputs), same weight quantization rule. The model is run
// with graph optimization disabled, so ONNX Runtime evaluates its QDQ nodes literally in float:
// that checks the model, not ONNX Runtime's fused integer kernels (whose u8×s8 products saturate
// 16-bit pair sums on CPUs without VNNI, an error of the runtime the bench reports, not of the
// model). The two still differ in rounding details (float vs int32 accumulation, the bias kept in
// float), and one flipped uint8 code moves every later layer a little, so the outputs agree to a
// fraction of the quantization error itself, not bit for bit: the bound is half of vigil
// INT8's own error against FP32 (a wrong scale, zero point, axis or bias gives a difference
// larger than that error).
TEST_F(OrtParityTest, MlperfAutoencoderInt8MatchesOnnxRuntimeQdq) {
  const std::string peers = VIGIL_PEERS_DIR;
  std::string out;
  ASSERT_NO_FATAL_FAILURE(RequirePeers(peers));

  const uint64_t seed = 2025;
  SCOPED_TRACE("seed " + std::to_string(seed));
  MlpSpec spec{.input_dim = 640, .hidden = {128, 128, 128, 128, 8, 128, 128, 128, 128}, .output_dim = 640};
  auto params = InitMlp(spec, seed);
  ASSERT_TRUE(params.ok()) << params.status().message();
  Prng rng(seed + 1);
  bench::PeerNet net{.sizes = {640}, .params = {}};
  NetParams np{.input_shape = {640}, .layers = {}};
  for (auto& l : params->layers) {
    for (float& b : l.bias) b = 0.2f * (rng.NextFloat() - 0.5f);
    net.sizes.push_back(static_cast<int64_t>(l.bias.size()));
    net.params.insert(net.params.end(), l.weights.begin(), l.weights.end());
    net.params.insert(net.params.end(), l.bias.begin(), l.bias.end());
    np.layers.push_back({.spec = {.kind = LayerKind::kDense, .out = l.out, .activation = l.activation},
                         .in_shape = {l.in},
                         .out_shape = {l.out},
                         .weights = l.weights,
                         .bias = l.bias});
  }
  auto f32 = PackedNet::FromParams(np);
  ASSERT_TRUE(f32.ok()) << f32.status().message();
  std::vector<float> calibration(256 * 640);
  for (float& v : calibration) v = 2.0f * rng.NextFloat() - 1.0f;
  auto input_q = CalibrateLayerInputs(*f32, calibration.data(), 256);
  ASSERT_TRUE(input_q.ok()) << input_q.status().message();
  auto int8 = f32->ConvertWeights(WeightType::kInt8, *input_q);
  ASSERT_TRUE(int8.ok()) << int8.status().message();
  for (size_t l = 0; l < int8->layers().size(); ++l) ASSERT_EQ(int8->layer_weight_type(l), WeightType::kInt8) << l;

  std::string error;
  ASSERT_TRUE(bench::WritePeerNet((dir_ / "ae.vpw").string(), net, &error)) << error;
  {
    std::ofstream ranges(dir_ / "ranges.txt");
    for (const auto& q : *input_q) {
      char line[64];
      std::snprintf(line, sizeof(line), "%.9g %d\n", static_cast<double>(q.scale), q.zero_point);
      ranges << line;
    }
  }
  ASSERT_EQ(Shell("/usr/bin/python3 " + peers + "/make_onnx.py " + (dir_ / "ae.vpw").string() + " " +
                      (dir_ / "ae_int8.onnx").string() + " --int8 " + (dir_ / "ranges.txt").string(),
                  &out),
            0)
      << out;

  const int batch = 32;
  std::vector<float> x(static_cast<size_t>(batch) * 640);
  for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;
  std::ofstream(dir_ / "x.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(float)));
  ASSERT_EQ(Shell("cd " + peers + "/node && node ort_peer.mjs " + (dir_ / "ae_int8.onnx").string() + " " +
                      (dir_ / "x.bin").string() + " --dump " + (dir_ / "y.bin").string() + " --batch " +
                      std::to_string(batch) + " --optimization disabled",
                  &out),
            0)
      << out;
  const std::vector<float> ort = ReadFloats(dir_ / "y.bin");
  ASSERT_EQ(ort.size(), x.size());

  auto run = [&](const PackedNet& n) {
    std::vector<float> y(x.size(), NAN);
    auto g = n.BuildGraph();
    EXPECT_TRUE(g.ok()) << g.status().message();
    if (!g.ok()) return y;
    EXPECT_TRUE(g->Plan(batch).ok());
    EXPECT_TRUE(g->BindInput(0, x.data()).ok());
    EXPECT_TRUE(g->BindOutput(0, y.data()).ok());
    g->Run();
    return y;
  };
  const std::vector<float> y_f32 = run(*f32);
  const std::vector<float> y_int8 = run(*int8);
  const double vigil_error = RelativeRms(y_int8, y_f32);
  const double ort_vs_vigil = RelativeRms(ort, y_int8);
  std::printf("relative RMS: vigil INT8 vs FP32 %.4f, ONNX Runtime INT8 vs FP32 %.4f, ONNX Runtime INT8 vs "
              "vigil INT8 %.4f\n",
              vigil_error, RelativeRms(ort, y_f32), ort_vs_vigil);
  EXPECT_GT(vigil_error, 0.0) << "INT8 output equals FP32: the network was not quantized";
  EXPECT_LT(vigil_error, 0.3) << "vigil INT8 is far from FP32";
  EXPECT_LE(ort_vs_vigil, 0.5 * vigil_error);
}

}  // namespace
}  // namespace vigil::nn::train
