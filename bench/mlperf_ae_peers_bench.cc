// MLPerf Tiny anomaly-detection autoencoder (640→128→128→128→128→8→128→128→128→128→640, ReLU
// except the last layer, 264 192 multiply-adds), FP32, single thread: vigil's runtime against
// peers measured in the same run on the same weights and inputs, plus this machine's FP32
// floor and the model's load-to-first-score. Never asserts; prints a table and the targets.
//
//   mlperf_ae_peers_bench [--json out.json] [--iters-b1 2000] [--iters-b64 200] [--reps 5]
//
// Peers: ONNX Runtime (npm onnxruntime-node, timed inside node so process start-up is not
// counted; see bench/peers/node). A peer that is not installed is reported as skipped, with
// the command that installs it (scripts/install-bench-peers.sh).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include "kernels/dense.h"
#include "kernels/fma_peak.h"
#include "nn/train/mlp_graph.h"
#include "nn/train/prng.h"
#include "vigil/evaluate.h"
#include "vigil/model.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using vigil::nn::train::MlpParams;

const std::vector<int64_t> kSizes = {640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640};
constexpr uint64_t kSeed = 42;
constexpr int kMaxBatch = 64;

struct Options {
  std::string json;
  int iters_b1 = 2000;
  int iters_b64 = 200;
  int reps = 5;
};

struct Measured {
  std::string peer;
  int batch = 0;
  double us_per_inference = NAN;  // NaN: skipped
  std::string note;
};

MlpParams MakeWeights() {
  vigil::nn::train::MlpSpec spec{.input_dim = 640, .hidden = {128, 128, 128, 128, 8, 128, 128, 128, 128},
                                 .output_dim = 640};
  auto init = vigil::nn::train::InitMlp(spec, kSeed);
  MlpParams p = std::move(*init);
  vigil::nn::train::Prng rng(kSeed + 1);
  for (auto& l : p.layers) {
    for (float& b : l.bias) b = 0.1f * (rng.NextFloat() - 0.5f);
  }
  return p;
}

std::vector<float> MakeInputs() {
  vigil::nn::train::Prng rng(kSeed + 2);
  std::vector<float> x(kMaxBatch * 640);
  for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;
  return x;
}

void WriteFloats(const fs::path& path, const std::vector<float>& v) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(v.data()),
                                              static_cast<std::streamsize>(v.size() * sizeof(float)));
}

std::string SizesText() {
  std::string s;
  for (size_t i = 0; i < kSizes.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(kSizes[i]);
  }
  return s;
}

std::string Run(const std::string& cmd, int* code) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  *code = pclose(p);
  return out;
}

double JsonNumber(const std::string& json, const std::string& key) {
  const size_t at = json.find("\"" + key + "\":");
  if (at == std::string::npos) return NAN;
  return std::strtod(json.c_str() + at + key.size() + 3, nullptr);
}

// Median over reps of the mean time of `iters` runs of the graph, per inference.
double TimeVigil(const MlpParams& params, const std::vector<float>& x, int batch, int iters, int reps) {
  auto g = vigil::nn::train::BuildMlpGraph(params, {.reconstruction_error = false, .mlp_output = true});
  if (!g.ok() || !g->Plan(batch, {.external_inputs = true, .external_outputs = true}).ok()) return NAN;
  std::vector<float> y(static_cast<size_t>(batch) * 640);
  (void)g->BindInput(0, x.data());
  (void)g->BindOutput(0, y.data());
  for (int i = 0; i < iters / 10 + 1; ++i) g->Run();
  std::vector<double> per;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    for (int i = 0; i < iters; ++i) g->Run();
    per.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / iters);
  }
  std::sort(per.begin(), per.end());
  return per[per.size() / 2] / batch;
}

double FmaPeakFlops() {
  float sink = 0;
  vigil::kernels::RunFmaChains(1 << 14, &sink);  // warm up clocks and dispatch
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = Clock::now();
    const double flops = vigil::kernels::RunFmaChains(1 << 18, &sink);
    best = std::max(best, flops / std::chrono::duration<double>(Clock::now() - t0).count());
  }
  if (sink == 12345.0f) std::printf(" ");
  return best;
}

// Fits an `ae` detector of exactly this architecture (80 frames × 8 channels = 640 inputs) for
// one epoch, saves it, and times Model::Load + the first score.
double LoadToFirstScoreUs(const fs::path& dir) {
  auto defaults = vigil::DefaultFitOptions("ae");
  vigil::FitOptions o = std::move(*defaults);
  o.window = 80;
  o.window_stats = 16;  // lags
  o.detector_options.ae_hidden = {128, 128, 128, 128, 8};
  o.detector_options.nn_epochs = 1;
  vigil::FrameTable t;
  t.schema = vigil::FrameSchema({"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"});
  vigil::nn::train::Prng rng(7);
  for (int r = 0; r < 300; ++r) {
    t.timestamps.push_back(r);
    for (int c = 0; c < 8; ++c) t.values.push_back(rng.NextFloat());
  }
  auto m = vigil::Model::Fit(t, o);
  if (!m.ok()) {
    std::fprintf(stderr, "load-to-first-score: fit failed: %s\n", m.status().message().c_str());
    return NAN;
  }
  const std::string path = (dir / "mlperf_ae.vgm").string();
  if (!m->Save(path).ok()) return NAN;
  std::vector<double> times;
  std::vector<float> row(640, 0.5f);
  for (int r = 0; r < 20; ++r) {
    const auto t0 = Clock::now();
    auto loaded = vigil::Model::Load(path);
    float score = 0;
    loaded->detector().Score(row.data(), 1, &score, nullptr);
    times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void Main(const Options& opt) {
  const fs::path dir = fs::temp_directory_path() / ("vigil_peers_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const MlpParams params = MakeWeights();
  const std::vector<float> x = MakeInputs();
  std::vector<float> flat;
  for (const auto& l : params.layers) {
    flat.insert(flat.end(), l.weights.begin(), l.weights.end());
    flat.insert(flat.end(), l.bias.begin(), l.bias.end());
  }
  WriteFloats(dir / "weights.bin", flat);
  WriteFloats(dir / "input.bin", x);

  const double macs = 264192;
  const double peak = FmaPeakFlops();
  const double floor_us = macs / (peak / 2.0) * 1e6;
  std::printf("machine: FP32 FMA peak (1 core, %s) %.1f GFLOP/s; Dense kernel target %s\n",
              vigil::kernels::FmaChainsTargetName(), peak * 1e-9, vigil::kernels::DenseF32TargetName());
  std::printf("model: MLPerf Tiny AD autoencoder, %.0f multiply-adds, %.2f MB FP32 weights; FP32 floor %.2f us\n\n",
              macs, 4.0 * static_cast<double>(flat.size()) / 1e6, floor_us);

  std::vector<Measured> rows;
  rows.push_back({"vigil", 1, TimeVigil(params, x, 1, opt.iters_b1, opt.reps), ""});
  rows.push_back({"vigil", 64, TimeVigil(params, x, 64, opt.iters_b64, opt.reps), ""});

  // ONNX Runtime through node.
  const std::string peers = std::string(VIGIL_BENCH_DIR) + "/peers";
  const std::string onnx = (dir / "ae.onnx").string();
  int code = 0;
  const std::string made = Run("/usr/bin/python3 " + peers + "/make_onnx.py " + (dir / "weights.bin").string() +
                                   " " + SizesText() + " " + onnx + " 2>&1",
                               &code);
  const bool ort_installed = fs::exists(peers + "/node/node_modules/onnxruntime-node");
  for (int batch : {1, 64}) {
    Measured m{"onnxruntime", batch, NAN, ""};
    if (code != 0) {
      m.note = "skipped (ONNX export failed: " + made + "; install python3-onnx)";
    } else if (!ort_installed) {
      m.note = "skipped (not installed: run scripts/install-bench-peers.sh)";
    } else {
      int rc = 0;
      const std::string out =
          Run("cd " + peers + "/node && node ort_peer.mjs " + onnx + " " + (dir / "input.bin").string() + " --batch " +
                  std::to_string(batch) + " --iters " + std::to_string(batch == 1 ? opt.iters_b1 : opt.iters_b64) +
                  " --reps " + std::to_string(opt.reps) + " 2>&1",
              &rc);
      m.us_per_inference = JsonNumber(out, "us_per_inference");
      if (rc != 0 || std::isnan(m.us_per_inference)) m.note = "failed: " + out;
    }
    rows.push_back(m);
  }
  for (const char* missing : {"libtorch", "opencv-dnn", "xnnpack"}) {
    for (int batch : {1, 64}) rows.push_back({missing, batch, NAN, "skipped (no runner built on this machine)"});
  }

  auto vigil_at = [&](int batch) { return rows[batch == 1 ? 0 : 1].us_per_inference; };
  std::printf("%-12s %5s %14s %16s\n", "runtime", "batch", "us/inference", "peer/vigil time");
  for (const Measured& m : rows) {
    if (std::isnan(m.us_per_inference)) {
      std::printf("%-12s %5d %14s   %s\n", m.peer.c_str(), m.batch, "-", m.note.c_str());
    } else {
      std::printf("%-12s %5d %14.2f %13.2fx\n", m.peer.c_str(), m.batch, m.us_per_inference,
                  m.us_per_inference / vigil_at(m.batch));
    }
  }
  const double ort1 = rows[2].us_per_inference, ort64 = rows[3].us_per_inference;
  const double load_us = LoadToFirstScoreUs(dir);
  auto verdict = [](bool ok) { return ok ? "reached" : "NOT reached"; };
  std::printf("\ntargets (ratios from this run; speed-up = peer time / vigil time):\n");
  std::printf("  vigil b1 >= 3x faster than ORT b1:            %.2fx  %s\n", ort1 / vigil_at(1),
              verdict(ort1 / vigil_at(1) >= 3));
  std::printf("  vigil b1 no slower than ORT b64 per inference: %.2f vs %.2f us  %s\n", vigil_at(1), ort64,
              verdict(vigil_at(1) <= ort64));
  std::printf("  vigil b64 >= 1.2x ORT b64:                     %.2fx  %s\n", ort64 / vigil_at(64),
              verdict(ort64 / vigil_at(64) >= 1.2));
  std::printf("  vigil within 2x of the FP32 floor (%.2f us):   b1 %.2fx, b64 %.2fx  %s\n", floor_us,
              vigil_at(1) / floor_us, vigil_at(64) / floor_us,
              verdict(vigil_at(1) <= 2 * floor_us && vigil_at(64) <= 2 * floor_us));
  std::printf("  load-to-first-score (.vgm of this network, mmap + plan + 1 row) <= 1 ms: %.0f us  %s\n", load_us,
              verdict(load_us <= 1000));

  if (!opt.json.empty()) {
    std::ofstream j(opt.json);
    j << "{\n  \"fma_peak_gflops\": " << peak * 1e-9 << ",\n  \"floor_us\": " << floor_us
      << ",\n  \"load_to_first_score_us\": " << load_us << ",\n  \"results\": [\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      j << "    {\"runtime\": \"" << rows[i].peer << "\", \"batch\": " << rows[i].batch << ", \"us_per_inference\": ";
      if (std::isnan(rows[i].us_per_inference)) {
        j << "null";
      } else {
        j << rows[i].us_per_inference;
      }
      j << "}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    j << "  ]\n}\n";
  }
  fs::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--json") {
      opt.json = argv[i + 1];
    } else if (flag == "--iters-b1") {
      opt.iters_b1 = std::atoi(argv[i + 1]);
    } else if (flag == "--iters-b64") {
      opt.iters_b64 = std::atoi(argv[i + 1]);
    } else if (flag == "--reps") {
      opt.reps = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (opt.iters_b1 < 1 || opt.iters_b64 < 1 || opt.reps < 1) {
    std::fprintf(stderr, "--iters-b1, --iters-b64 and --reps must be >= 1\n");
    return 2;
  }
  Main(opt);
  return 0;
}
