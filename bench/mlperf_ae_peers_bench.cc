// MLPerf Tiny anomaly-detection autoencoder (640→128→128→128→128→8→128→128→128→128→640, Dense
// with bias, ReLU after every layer but the last, 264 192 multiply-adds), one thread: vigil's
// nn::Graph against ONNX Runtime, libtorch, OpenCV DNN and XNNPACK in FP32, and vigil's FP16 and
// INT8 networks against ONNX Runtime INT8, all measured in this run on the same weights and
// inputs, plus the machine's FP32 and INT8 floors (multiply-adds ÷ single-core FMA / int8 dot
// peak measured here) and the model's load-to-first-score. Never asserts; prints a table, the
// acceptance targets with reached / NOT reached, and optionally JSON.
//
//   mlperf_ae_peers_bench [--json out.json] [--iters-b1 2000] [--iters-b64 200] [--reps 5]
//
// How: the weights are drawn from a fixed seed and written to a temp dir as a peer weights
// file (bench/peers/peer_weights.h), turned into ONNX by bench/peers/make_onnx.py, and every
// peer runs as a subprocess, one after the other, on the first 1 or 64 rows of the same input
// file. The process pins itself to the CPU it starts on before anything is timed, and the
// peers inherit that single-CPU affinity plus OMP/OpenBLAS/MKL thread counts of 1; each peer
// is also told to use one thread through its own API. Every runtime is timed the same way
// (peer_runner.h TimeCalls: warm-up, then the median over --reps of the mean of --iters calls,
// inside the process, so start-up and model loading are not counted). A peer that is not
// installed is listed as skipped, with scripts/install-bench-peers.sh to install it; a peer
// whose output checksum differs from vigil's is flagged, since a wrong network is no peer.
//
// Lower precision: the same MLP as a PackedNet (the network format of vigil's detectors; its FP32
// output is checked against the graph timed above) converted to FP16 weights, and to INT8 after
// calibrating every layer's uint8 input range on 256 rows drawn like the inputs from another
// seed (nn::CalibrateLayerInputs). Those ranges are written to a text file that make_onnx.py
// --int8 turns, with the same weights, into a QDQ model for ONNX Runtime, so both INT8 runtimes
// quantize every activation identically. Quantized rows are judged by their relative RMS error
// against vigil's FP32 output on the 64 timed rows (√(Σ(y−y_fp32)²/Σy_fp32²)), not by checksum.
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/dense.h"
#include "kernels/fma_peak.h"
#include "kernels/int8_peak.h"
#include "nn/int8_calibration.h"
#include "nn/packed_net.h"
#include "nn/train/mlp_graph.h"
#include "nn/train/prng.h"
#include "peers/peer_runner.h"
#include "peers/peer_weights.h"
#include "vigil/evaluate.h"
#include "vigil/model.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using vigil::nn::PackedNet;
using vigil::nn::WeightType;
using vigil::nn::train::MlpParams;

constexpr uint64_t kSeed = 42;
constexpr int kMaxBatch = vigil::bench::kPeerMaxBatch;
constexpr int kWidth = 640;
constexpr double kMultiplyAdds = 264192;
constexpr int kCalibrationRows = 256;
// A quantized network whose output is this far from FP32 (relative RMS) is reported as wrong:
// per-tensor uint8 activations over ten layers of this random network land near 0.02 when the
// quantization is right, while a misplaced scale, zero point or bias gives errors of order 1.
// The bound is loose on purpose: ONNX Runtime's fused u8×s8 kernels saturate 16-bit pair sums on
// x86 CPUs without VNNI (about 0.2 here), a loss of that runtime, reported, not a wrong model.
constexpr double kMaxQuantizedRelRms = 0.3;
const char* const kInstallHint = "scripts/install-bench-peers.sh";

struct Options {
  std::string json;
  int iters_b1 = 2000;
  int iters_b64 = 200;
  int reps = 5;
};

// One (runtime, batch) result; us_per_inference is NaN when the peer did not run (see note).
struct Row {
  std::string runtime;
  std::string version;
  int batch = 0;
  double us_per_inference = NAN;
  double checksum = NAN;
  std::string note;
  std::string precision = "fp32";
  double rel_rms = NAN;  // quantized rows: output error against vigil FP32 (batch 64 rows)
};

// What vigil computed at one batch size, the reference for every peer's checksum.
struct Reference {
  double us_per_inference = NAN;
  double checksum = 0;
  double abs_sum = 0;  // Σ|y|: scale of the checksum tolerance
  std::vector<float> y;  // the outputs of the timed batch
};

struct Net {
  MlpParams params;            // vigil's view
  vigil::bench::PeerNet peer;  // the same numbers in the peer file layout
};

Net MakeNet() {
  vigil::nn::train::MlpSpec spec{
      .input_dim = kWidth, .hidden = {128, 128, 128, 128, 8, 128, 128, 128, 128}, .output_dim = kWidth};
  auto init = vigil::nn::train::InitMlp(spec, kSeed);
  Net net{.params = std::move(*init), .peer = {}};
  // Non-zero biases, so a peer that dropped or misplaced them would show in the checksum.
  vigil::nn::train::Prng rng(kSeed + 1);
  net.peer.sizes.push_back(kWidth);
  for (auto& layer : net.params.layers) {
    for (float& b : layer.bias) b = 0.1f * (rng.NextFloat() - 0.5f);
    net.peer.sizes.push_back(static_cast<int64_t>(layer.bias.size()));
    net.peer.params.insert(net.peer.params.end(), layer.weights.begin(), layer.weights.end());
    net.peer.params.insert(net.peer.params.end(), layer.bias.begin(), layer.bias.end());
  }
  return net;
}

std::vector<float> MakeRows(uint64_t seed, int rows) {
  vigil::nn::train::Prng rng(seed);
  std::vector<float> x(static_cast<size_t>(rows) * kWidth);
  for (float& v : x) v = 2.0f * rng.NextFloat() - 1.0f;
  return x;
}

std::vector<float> MakeInputs() { return MakeRows(kSeed + 2, kMaxBatch); }

// The calibration rows: drawn like the inputs, but from another seed, so the INT8 ranges are not
// fitted to the very rows that are timed and scored.
std::vector<float> MakeCalibrationRows() { return MakeRows(kSeed + 3, kCalibrationRows); }

// The same MLP as a sequential Dense net, packed as vigil's detectors store it.
vigil::Result<PackedNet> MakePackedNet(const MlpParams& mlp) {
  namespace train = vigil::nn::train;
  train::NetParams p{.input_shape = {mlp.input_dim()}, .layers = {}};
  for (const auto& l : mlp.layers) {
    p.layers.push_back({.spec = {.kind = train::LayerKind::kDense, .out = l.out, .activation = l.activation},
                        .in_shape = {l.in},
                        .out_shape = {l.out},
                        .weights = l.weights,
                        .bias = l.bias});
  }
  return PackedNet::FromParams(p);
}

// √(Σ(y − ref)² / Σ ref²) over the common length; NaN when either is missing.
double RelativeRms(const std::vector<float>& y, const std::vector<float>& ref) {
  if (y.empty() || y.size() != ref.size()) return NAN;
  double err = 0, norm = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    const double d = static_cast<double>(y[i]) - ref[i];
    err += d * d;
    norm += static_cast<double>(ref[i]) * ref[i];
  }
  return norm > 0 ? std::sqrt(err / norm) : NAN;
}

std::vector<float> ReadFloats(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> v(bytes.size() / sizeof(float));
  std::memcpy(v.data(), bytes.data(), v.size() * sizeof(float));
  return v;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs a shell command; returns its stdout+stderr, exit status in *code (-1 if it never ran).
std::string Run(const std::string& cmd, int* code) {
  std::string out;
  *code = -1;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  *code = pclose(p);
  return out;
}

std::string FirstLine(const std::string& s) {
  std::string line = s.substr(0, s.find('\n'));
  return line.size() > 160 ? line.substr(0, 160) + "..." : line;
}

double JsonNumber(const std::string& line, const std::string& key) {
  const size_t at = line.find("\"" + key + "\":");
  if (at == std::string::npos) return NAN;
  return std::strtod(line.c_str() + at + key.size() + 3, nullptr);
}

std::string JsonString(const std::string& line, const std::string& key) {
  const size_t at = line.find("\"" + key + "\":\"");
  if (at == std::string::npos) return "";
  const size_t begin = at + key.size() + 4;
  return line.substr(begin, line.find('"', begin) - begin);
}

// Pins this process (and so every peer it starts) to the CPU it is running on: one core for
// everyone, and no migration between repetitions.
int PinToOneCpu() {
  const int cpu = sched_getcpu();
  if (cpu < 0) return -1;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return sched_setaffinity(0, sizeof(set), &set) == 0 ? cpu : -1;
}

double FmaPeakFlops() {
  float sink = 0;
  vigil::kernels::RunFmaChains(1 << 14, &sink);  // warm up clocks and dispatch
  double best = 0;
  for (int r = 0; r < 7; ++r) {
    const auto t0 = Clock::now();
    const double flops = vigil::kernels::RunFmaChains(1 << 18, &sink);
    best = std::max(best, flops / std::chrono::duration<double>(Clock::now() - t0).count());
  }
  if (sink == 12345.0f) std::printf(" ");  // keeps sink observable
  return best;
}

// Int8 multiply-adds per second of one core (int8_peak.h), best of 7 like FmaPeakFlops.
double Int8PeakMacs() {
  int32_t sink = 0;
  vigil::kernels::RunInt8DotChains(1 << 12, &sink);  // warm up clocks and dispatch
  double best = 0;
  for (int r = 0; r < 7; ++r) {
    const auto t0 = Clock::now();
    const double macs = vigil::kernels::RunInt8DotChains(1 << 16, &sink);
    best = std::max(best, macs / std::chrono::duration<double>(Clock::now() - t0).count());
  }
  if (sink == 12345) std::printf(" ");  // keeps sink observable
  return best;
}

// True when this CPU has AVX-512 VNNI (vpdpbusd, what the INT8 kernel uses on AVX3_DL), from the
// kernel's own flags in /proc/cpuinfo.
bool CpuHasAvx512Vnni() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("flags", 0) == 0) return line.find(" avx512_vnni") != std::string::npos;
  }
  return false;
}

Reference TimeGraph(const char* name, vigil::Result<vigil::nn::Graph> g, const std::vector<float>& x, int batch,
                    int iters, int reps) {
  Reference ref;
  if (!g.ok()) {
    std::fprintf(stderr, "%s: building the graph: %s\n", name, g.status().message().c_str());
    return ref;
  }
  const auto planned = g->Plan(batch, {.external_inputs = true, .external_outputs = true});
  std::vector<float> y(static_cast<size_t>(batch) * kWidth);
  if (!planned.ok() || !g->BindInput(0, x.data()).ok() || !g->BindOutput(0, y.data()).ok()) {
    std::fprintf(stderr, "%s: plan/bind failed at batch %d\n", name, batch);
    return ref;
  }
  ref.us_per_inference = vigil::bench::TimeCalls(iters, reps, [&] { g->Run(); }) / batch;
  ref.checksum = vigil::bench::Checksum(y.data(), static_cast<int64_t>(y.size()));
  for (float v : y) ref.abs_sum += std::abs(v);
  ref.y = std::move(y);
  return ref;
}

Reference TimeVigil(const MlpParams& params, const std::vector<float>& x, int batch, int iters, int reps) {
  return TimeGraph("vigil", vigil::nn::train::BuildMlpGraph(params, {.reconstruction_error = false, .mlp_output = true}),
                   x, batch, iters, reps);
}

Reference TimePacked(const char* name, const PackedNet& net, const std::vector<float>& x, int batch, int iters,
                     int reps) {
  return TimeGraph(name, net.BuildGraph(), x, batch, iters, reps);
}

// A peer runner: the command that runs it (prefix; model, input and flags are appended), or
// why it cannot run.
struct Peer {
  std::string runtime;
  std::string command;
  std::string skip_note;
  std::string model;  // file in the temp dir: ae.onnx, ae_int8.onnx or ae.vpw
  std::string precision = "fp32";
};

std::vector<Peer> FindPeers(const std::string& onnx_error, const std::string& onnx_int8_error) {
  const std::string peers_dir = std::string(VIGIL_BENCH_DIR) + "/peers";
  std::vector<Peer> peers;
  // The C++ runners are found at configure time; node and its package are looked up per run.
  auto not_installed = [](const std::string& what, bool rebuild) {
    return "skipped (not installed: " + what + "; run " + kInstallHint +
           (rebuild ? ", then re-run cmake)" : ")");
  };
  for (const bool int8 : {false, true}) {
    Peer p{int8 ? "onnxruntime-int8" : "onnxruntime", "", "", int8 ? "ae_int8.onnx" : "ae.onnx",
           int8 ? "int8" : "fp32"};
    const std::string& export_error = int8 ? onnx_int8_error : onnx_error;
    int code = 0;
    Run("command -v node", &code);
    if (code != 0) {
      p.skip_note = not_installed("node", false);
    } else if (!fs::exists(peers_dir + "/node/node_modules/onnxruntime-node")) {
      p.skip_note = not_installed("npm onnxruntime-node in bench/peers/node", false);
    } else if (!export_error.empty()) {
      p.skip_note = "skipped (ONNX export failed: " + export_error + ")";
    } else {
      p.command = "node " + Quote(peers_dir + "/node/ort_peer.mjs");
    }
    peers.push_back(p);
  }
  struct Native {
    const char* runtime;
    const char* path;
    const char* library;
    bool needs_onnx;
  };
  const Native natives[] = {{"libtorch", VIGIL_TORCH_PEER, "libtorch-dev", false},
                            {"opencv-dnn", VIGIL_OPENCV_PEER, "libopencv-dev", true},
                            {"xnnpack", VIGIL_XNNPACK_PEER, "libxnnpack-dev", false}};
  for (const Native& n : natives) {
    Peer p{n.runtime, "", "", n.needs_onnx ? "ae.onnx" : "ae.vpw", "fp32"};
    if (std::string(n.path).empty() || !fs::exists(n.path)) {
      p.skip_note = not_installed(n.library, true);
    } else if (n.needs_onnx && !onnx_error.empty()) {
      p.skip_note = "skipped (ONNX export failed: " + onnx_error + ")";
    } else {
      p.command = Quote(n.path);
    }
    peers.push_back(p);
  }
  return peers;
}

// Runs one peer for batch 1 and 64; always returns those two rows (NaN + note on failure).
std::vector<Row> RunPeer(const Peer& peer, const fs::path& dir, const Options& opt) {
  std::vector<Row> rows = {{peer.runtime, "", 1, NAN, NAN, peer.skip_note, peer.precision, NAN},
                           {peer.runtime, "", kMaxBatch, NAN, NAN, peer.skip_note, peer.precision, NAN}};
  if (peer.command.empty()) return rows;
  const fs::path model = dir / peer.model;
  int code = 0;
  const std::string out =
      Run(peer.command + " " + Quote(model.string()) + " " + Quote((dir / "input.bin").string()) +
              " --iters-b1 " + std::to_string(opt.iters_b1) + " --iters-b64 " +
              std::to_string(opt.iters_b64) + " --reps " + std::to_string(opt.reps),
          &code);
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '{') continue;
    const double batch = JsonNumber(line, "batch");
    for (Row& r : rows) {
      if (batch != r.batch) continue;
      r.us_per_inference = JsonNumber(line, "us_per_inference");
      r.checksum = JsonNumber(line, "checksum");
      r.version = JsonString(line, "version");
    }
  }
  for (Row& r : rows) {
    r.note.clear();
    if (code != 0 || std::isnan(r.us_per_inference)) {
      r.us_per_inference = NAN;
      r.note = "failed (exit " + std::to_string(code) + "): " + FirstLine(out);
    }
  }
  return rows;
}

// Fits an `ae` detector of exactly this architecture (80 frames × 8 channels = 640 inputs) for
// one epoch, saves it, and times Model::Load + the first score (median of 20).
double LoadToFirstScoreUs(const fs::path& dir) {
  auto defaults = vigil::DefaultFitOptions("ae");
  if (!defaults.ok()) return NAN;
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
  std::vector<float> row(kWidth, 0.5f);
  for (int r = 0; r < 20; ++r) {
    const auto t0 = Clock::now();
    auto loaded = vigil::Model::Load(path);
    if (!loaded.ok()) return NAN;
    float score = 0;
    loaded->detector().Score(row.data(), 1, &score, nullptr);
    times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

std::string Number(double v) {
  if (std::isnan(v)) return "null";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.6g", v);
  return buf;
}

std::string JsonEscape(const std::string& s) {
  std::string e;
  for (char c : s) {
    if (c == '"' || c == '\\') e += '\\';
    e += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
  }
  return e;
}

struct Target {
  std::string name;
  std::string value;
  bool reached = false;
};

int Main(const Options& opt) {
  const int cpu = PinToOneCpu();
  // Peers that honour these and would otherwise start a thread per core.
  setenv("OMP_NUM_THREADS", "1", 1);
  setenv("OPENBLAS_NUM_THREADS", "1", 1);
  setenv("MKL_NUM_THREADS", "1", 1);

  const fs::path dir = fs::temp_directory_path() / ("vigil_peers_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const Net net = MakeNet();
  const std::vector<float> x = MakeInputs();
  std::string error;
  if (!vigil::bench::WritePeerNet((dir / "ae.vpw").string(), net.peer, &error)) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::ofstream(dir / "input.bin", std::ios::binary)
      .write(reinterpret_cast<const char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(float)));
  int code = 0;
  const std::string made =
      Run("/usr/bin/python3 " + Quote(std::string(VIGIL_BENCH_DIR) + "/peers/make_onnx.py") + " " +
              Quote((dir / "ae.vpw").string()) + " " + Quote((dir / "ae.onnx").string()),
          &code);
  const std::string onnx_error = code == 0 ? "" : FirstLine(made) + "; needs python3-onnx";

  // vigil's lower-precision networks, and the INT8 ranges the ONNX Runtime model reuses.
  auto packed = MakePackedNet(net.params);
  if (!packed.ok()) {
    std::fprintf(stderr, "PackedNet::FromParams: %s\n", packed.status().message().c_str());
    return 1;
  }
  const std::vector<float> calibration = MakeCalibrationRows();
  auto input_q = vigil::nn::CalibrateLayerInputs(*packed, calibration.data(), kCalibrationRows);
  if (!input_q.ok()) {
    std::fprintf(stderr, "CalibrateLayerInputs: %s\n", input_q.status().message().c_str());
    return 1;
  }
  auto int8_net = packed->ConvertWeights(WeightType::kInt8, *input_q);
  auto f16_net = packed->ConvertWeights(WeightType::kF16);
  if (!int8_net.ok() || !f16_net.ok()) {
    std::fprintf(stderr, "ConvertWeights: %s\n",
                 (int8_net.ok() ? f16_net.status() : int8_net.status()).message().c_str());
    return 1;
  }
  bool all_int8 = true;
  for (size_t l = 0; l < int8_net->layers().size(); ++l) {
    all_int8 = all_int8 && int8_net->layer_weight_type(l) == WeightType::kInt8;
  }
  {
    std::ofstream ranges(dir / "int8_ranges.txt");
    for (const auto& q : *input_q) {
      char line[64];
      std::snprintf(line, sizeof(line), "%.9g %d\n", static_cast<double>(q.scale), q.zero_point);
      ranges << line;
    }
  }
  const std::string made_int8 =
      Run("/usr/bin/python3 " + Quote(std::string(VIGIL_BENCH_DIR) + "/peers/make_onnx.py") + " " +
              Quote((dir / "ae.vpw").string()) + " " + Quote((dir / "ae_int8.onnx").string()) + " --int8 " +
              Quote((dir / "int8_ranges.txt").string()),
          &code);
  const std::string onnx_int8_error = code == 0 ? "" : FirstLine(made_int8) + "; needs python3-onnx";
  const double f32_bytes = static_cast<double>(packed->WeightBytes());
  const double f16_bytes = static_cast<double>(f16_net->WeightBytes());
  const double int8_bytes = static_cast<double>(int8_net->WeightBytes());

  const double peak = FmaPeakFlops();
  const double floor_us = kMultiplyAdds / (peak / 2.0) * 1e6;
  std::printf("machine: pinned to CPU %d; FP32 FMA peak (1 core, %s) %.1f GFLOP/s; Dense kernel target %s\n",
              cpu, vigil::kernels::FmaChainsTargetName(), peak * 1e-9, vigil::kernels::DenseF32TargetName());
  std::printf(
      "model: MLPerf Tiny AD autoencoder, %.0f multiply-adds, %.2f MB FP32 weights; FP32 floor %.2f us\n",
      kMultiplyAdds, 4.0 * static_cast<double>(net.peer.params.size()) / 1e6, floor_us);
  const double int8_peak = Int8PeakMacs();
  const double int8_floor_us = kMultiplyAdds / int8_peak * 1e6;
  const bool vnni = CpuHasAvx512Vnni();
  std::printf("INT8: dot peak (1 core, %s) %.1f G multiply-adds/s; INT8 floor %.2f us; CPU flags: %s\n",
              vigil::kernels::Int8DotChainsTargetName(), int8_peak * 1e-9, int8_floor_us,
              vnni ? "avx512_vnni (VNNI targets apply)" : "no avx512_vnni (AVX2-only targets apply)");
  std::printf(
      "packed weights: FP32 %.0f bytes, FP16 %.0f (%.3f), INT8 %.0f (%.3f)%s; INT8 ranges from %d calibration "
      "rows\n",
      f32_bytes, f16_bytes, f16_bytes / f32_bytes, int8_bytes, int8_bytes / f32_bytes,
      all_int8 ? "" : " (SOME LAYERS STAYED FP32)", kCalibrationRows);
  std::printf(
      "timing: median of %d repetitions of the mean of %d (batch 1) / %d (batch 64) calls, one thread\n\n",
      opt.reps, opt.iters_b1, opt.iters_b64);

  const Reference vigil1 = TimeVigil(net.params, x, 1, opt.iters_b1, opt.reps);
  const Reference vigil64 = TimeVigil(net.params, x, kMaxBatch, opt.iters_b64, opt.reps);
  auto ref_at = [&](int batch) -> const Reference& { return batch == 1 ? vigil1 : vigil64; };
  // The PackedNet the FP16 and INT8 nets come from must be the network timed above.
  const Reference packed64 = TimePacked("vigil PackedNet FP32", *packed, x, kMaxBatch, 1, 1);
  double packed_diff = packed64.y.size() == vigil64.y.size() ? 0.0 : NAN;
  for (size_t i = 0; i < packed64.y.size() && !std::isnan(packed_diff); ++i) {
    packed_diff = std::max(packed_diff, static_cast<double>(std::abs(packed64.y[i] - vigil64.y[i])));
  }
  std::printf("PackedNet FP32 vs the graph above (batch 64): max |diff| %.3g%s\n\n", packed_diff,
              packed_diff == 0 ? " (identical)" : " (DIFFERS: quantized rows are not of the same network)");
  const Reference f16_1 = TimePacked("vigil FP16", *f16_net, x, 1, opt.iters_b1, opt.reps);
  const Reference f16_64 = TimePacked("vigil FP16", *f16_net, x, kMaxBatch, opt.iters_b64, opt.reps);
  const Reference int8_1 = TimePacked("vigil INT8", *int8_net, x, 1, opt.iters_b1, opt.reps);
  const Reference int8_64 = TimePacked("vigil INT8", *int8_net, x, kMaxBatch, opt.iters_b64, opt.reps);
  const double vigil_f16_rms = RelativeRms(f16_64.y, vigil64.y);
  const double vigil_int8_rms = RelativeRms(int8_64.y, vigil64.y);

  std::vector<Row> rows = {
      {"vigil", "", 1, vigil1.us_per_inference, vigil1.checksum, "", "fp32", NAN},
      {"vigil", "", kMaxBatch, vigil64.us_per_inference, vigil64.checksum, "", "fp32", NAN},
      {"vigil-fp16", "", 1, f16_1.us_per_inference, f16_1.checksum, "", "fp16", vigil_f16_rms},
      {"vigil-fp16", "", kMaxBatch, f16_64.us_per_inference, f16_64.checksum, "", "fp16", vigil_f16_rms},
      {"vigil-int8", "", 1, int8_1.us_per_inference, int8_1.checksum, "", "int8", vigil_int8_rms},
      {"vigil-int8", "", kMaxBatch, int8_64.us_per_inference, int8_64.checksum, "", "int8", vigil_int8_rms}};
  double ort_int8_rms = NAN, ort_vs_vigil_int8_rms = NAN;
  for (const Peer& peer : FindPeers(onnx_error, onnx_int8_error)) {
    std::vector<Row> peer_rows = RunPeer(peer, dir, opt);
    if (peer.precision == "int8" && !std::isnan(peer_rows[1].us_per_inference)) {
      // The outputs of the 64 timed rows, for the error against FP32.
      Run(peer.command + " " + Quote((dir / peer.model).string()) + " " + Quote((dir / "input.bin").string()) +
              " --dump " + Quote((dir / "y_int8.bin").string()) + " --batch " + std::to_string(kMaxBatch),
          &code);
      const std::vector<float> y = code == 0 ? ReadFloats(dir / "y_int8.bin") : std::vector<float>();
      ort_int8_rms = RelativeRms(y, vigil64.y);
      ort_vs_vigil_int8_rms = RelativeRms(y, int8_64.y);
      for (Row& r : peer_rows) r.rel_rms = ort_int8_rms;
    }
    for (Row& r : peer_rows) rows.push_back(r);
  }

  // Checksums agree when they differ by less than 1e-5 of Σ|y|: summation order alone moves
  // them by ~1e-7 of it, a missing bias or ReLU by far more than 1e-5.
  // Quantized rows cannot match a checksum; they match when their error is that of quantization.
  auto outputs_match = [&](const Row& r) {
    if (r.precision != "fp32") return r.rel_rms <= kMaxQuantizedRelRms;
    const Reference& ref = ref_at(r.batch);
    return std::abs(r.checksum - ref.checksum) <= 1e-5 * ref.abs_sum;
  };
  auto match_text = [&](const Row& r) -> std::string {
    if (r.runtime == "vigil") return "(reference)";
    if (r.precision != "fp32") {
      char text[96];
      std::snprintf(text, sizeof(text), "rel. RMS vs FP32 %.4f%s", r.rel_rms,
                    outputs_match(r) ? "" : ": TOO LARGE, not the same network");
      return text;
    }
    return outputs_match(r) ? "checksum matches" : "CHECKSUM DIFFERS: not the same network";
  };
  std::printf("%-16s %-8s %5s %14s %10s  %s\n", "runtime", "version", "batch", "us/inference", "speed-up",
              "outputs vs vigil");
  for (const Row& r : rows) {
    if (std::isnan(r.us_per_inference)) {
      std::printf("%-16s %-8s %5d %14s %10s  %s\n", r.runtime.c_str(), r.version.c_str(), r.batch, "-", "-",
                  r.note.c_str());
      continue;
    }
    std::printf("%-16s %-8s %5d %14.2f %9.2fx  %s\n", r.runtime.c_str(), r.version.c_str(), r.batch,
                r.us_per_inference, r.us_per_inference / ref_at(r.batch).us_per_inference, match_text(r).c_str());
  }
  std::printf("(speed-up = row us / vigil FP32 us at the same batch: > 1 means vigil FP32 is faster)\n");
  std::printf(
      "INT8 output error vs FP32 (relative RMS, 64 rows): vigil %.4f, ONNX Runtime %.4f; ONNX Runtime INT8 vs "
      "vigil INT8 %.4f; vigil FP16 vs FP32 %.2g\n",
      vigil_int8_rms, ort_int8_rms, ort_vs_vigil_int8_rms, vigil_f16_rms);

  double ort1 = NAN, ort64 = NAN, ort_int8_1 = NAN;
  for (const Row& r : rows) {
    if (r.runtime == "onnxruntime") (r.batch == 1 ? ort1 : ort64) = r.us_per_inference;
    if (r.runtime == "onnxruntime-int8" && r.batch == 1) ort_int8_1 = r.us_per_inference;
  }
  const double i1 = int8_1.us_per_inference;
  const double v1 = vigil1.us_per_inference, v64 = vigil64.us_per_inference;
  const double load_us = LoadToFirstScoreUs(dir);
  char buf[8][160];
  if (std::isnan(ort1) || std::isnan(ort64)) {
    for (int i = 0; i < 3; ++i)
      std::snprintf(buf[i], sizeof(buf[i]), "ONNX Runtime not measured (see above)");
  } else {
    std::snprintf(buf[0], sizeof(buf[0]), "%.2fx (ORT %.2f us, vigil %.2f us)", ort1 / v1, ort1, v1);
    std::snprintf(buf[1], sizeof(buf[1]), "vigil b1 %.2f us vs ORT b64 %.2f us/inference", v1, ort64);
    std::snprintf(buf[2], sizeof(buf[2]), "%.2fx (ORT %.2f us, vigil %.2f us per inference)", ort64 / v64,
                  ort64, v64);
  }
  std::snprintf(buf[3], sizeof(buf[3]), "b1 %.2fx, b64 %.2fx of the %.2f us floor", v1 / floor_us,
                v64 / floor_us, floor_us);
  const double int8_speedup_target = vnni ? 2.5 : 1.8;
  std::snprintf(buf[4], sizeof(buf[4]), "%.2fx (FP32 %.2f us, INT8 %.2f us; %s)", v1 / i1, v1, i1,
                vnni ? "VNNI" : "AVX2-only, no VNNI");
  std::snprintf(buf[5], sizeof(buf[5]), "%.2fx of the %.2f us INT8 floor", i1 / int8_floor_us, int8_floor_us);
  if (std::isnan(ort_int8_1)) {
    std::snprintf(buf[6], sizeof(buf[6]), "ONNX Runtime INT8 not measured (see above)");
  } else {
    std::snprintf(buf[6], sizeof(buf[6]), "%.2fx (ORT INT8 %.2f us, vigil INT8 %.2f us)", ort_int8_1 / i1,
                  ort_int8_1, i1);
  }
  std::snprintf(buf[7], sizeof(buf[7]), "%.3f (%.0f of %.0f bytes)", int8_bytes / f32_bytes, int8_bytes, f32_bytes);
  const std::string int8_speedup_name =
      std::string("vigil INT8 batch 1 >= ") + (vnni ? "2.5x vigil FP32 batch 1 (VNNI)" : "1.8x vigil FP32 batch 1 (AVX2)");
  // NaN comparisons are false: a target against a skipped peer reads NOT reached.
  const std::vector<Target> targets = {
      {"vigil batch 1 >= 3x faster than ONNX Runtime batch 1", buf[0], ort1 / v1 >= 3.0},
      {"vigil batch 1 no slower than ONNX Runtime batch 64 per inference", buf[1], v1 <= ort64},
      {"vigil batch 64 >= 1.2x ONNX Runtime batch 64", buf[2], ort64 / v64 >= 1.2},
      {"vigil within 2x of the FP32 floor (batch 1 and 64)", buf[3],
       v1 <= 2 * floor_us && v64 <= 2 * floor_us},
      {int8_speedup_name, buf[4], v1 / i1 >= int8_speedup_target},
      {"vigil INT8 batch 1 within 2x of the INT8 floor", buf[5], i1 <= 2 * int8_floor_us},
      {"vigil INT8 batch 1 >= 3x faster than ONNX Runtime INT8 batch 1", buf[6], ort_int8_1 / i1 >= 3.0},
      {"packed INT8 model bytes <= 0.27 of FP32", buf[7], int8_bytes / f32_bytes <= 0.27},
  };
  std::printf("\ntargets (ratios from this run):\n");
  for (const Target& t : targets) {
    std::printf("  %-68s %s  %s\n", t.name.c_str(), t.value.c_str(), t.reached ? "reached" : "NOT reached");
  }
  std::printf("load-to-first-score (.vgm of this network: map, parse, build + plan, score 1 row): %.0f us\n",
              load_us);

  if (!opt.json.empty()) {
    std::ofstream j(opt.json);
    j << "{\n  \"cpu\": " << cpu << ",\n  \"fma_target\": \"" << vigil::kernels::FmaChainsTargetName()
      << "\",\n  \"fma_peak_gflops\": " << Number(peak * 1e-9) << ",\n  \"multiply_adds\": " << kMultiplyAdds
      << ",\n  \"floor_us\": " << Number(floor_us) << ",\n  \"iters_b1\": " << opt.iters_b1
      << ",\n  \"iters_b64\": " << opt.iters_b64 << ",\n  \"reps\": " << opt.reps
      << ",\n  \"load_to_first_score_us\": " << Number(load_us) << ",\n  \"int8_target\": \""
      << vigil::kernels::Int8DotChainsTargetName() << "\",\n  \"avx512_vnni\": " << (vnni ? "true" : "false")
      << ",\n  \"int8_peak_gmacs\": " << Number(int8_peak * 1e-9) << ",\n  \"int8_floor_us\": "
      << Number(int8_floor_us) << ",\n  \"calibration_rows\": " << kCalibrationRows
      << ",\n  \"packed_bytes\": {\"f32\": " << Number(f32_bytes) << ", \"f16\": " << Number(f16_bytes)
      << ", \"int8\": " << Number(int8_bytes) << "},\n  \"int8_bytes_ratio\": " << Number(int8_bytes / f32_bytes)
      << ",\n  \"all_layers_int8\": " << (all_int8 ? "true" : "false")
      << ",\n  \"packed_f32_max_abs_diff\": " << Number(packed_diff)
      << ",\n  \"rel_rms_vs_fp32\": {\"vigil_fp16\": " << Number(vigil_f16_rms)
      << ", \"vigil_int8\": " << Number(vigil_int8_rms) << ", \"onnxruntime_int8\": " << Number(ort_int8_rms)
      << ", \"onnxruntime_int8_vs_vigil_int8\": " << Number(ort_vs_vigil_int8_rms)
      << "},\n  \"max_quantized_rel_rms\": " << Number(kMaxQuantizedRelRms) << ",\n  \"results\": [\n";
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      const bool ran = !std::isnan(r.us_per_inference);
      j << "    {\"runtime\": \"" << r.runtime << "\", \"precision\": \"" << r.precision
        << "\", \"version\": \"" << JsonEscape(r.version) << "\", \"batch\": " << r.batch << ", \"us_per_inference\": " << Number(r.us_per_inference)
        << ", \"speedup\": " << Number(r.us_per_inference / ref_at(r.batch).us_per_inference)
        << ", \"checksum\": " << Number(r.checksum) << ", \"rel_rms_vs_fp32\": " << Number(r.rel_rms)
        << ", \"outputs_match\": " << (ran && outputs_match(r) ? "true" : "false") << ", \"note\": \""
        << JsonEscape(r.note) << "\"}" << (i + 1 < rows.size() ? "," : "") << "\n";
    }
    j << "  ],\n  \"targets\": [\n";
    for (size_t i = 0; i < targets.size(); ++i) {
      j << "    {\"target\": \"" << targets[i].name << "\", \"value\": \"" << JsonEscape(targets[i].value)
        << "\", \"reached\": " << (targets[i].reached ? "true" : "false") << "}"
        << (i + 1 < targets.size() ? "," : "") << "\n";
    }
    j << "  ]\n}\n";
  }
  fs::remove_all(dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  for (int i = 1; i < argc; i += 2) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s needs a value\n", flag.c_str());
      return 2;
    }
    if (flag == "--json") {
      opt.json = argv[i + 1];
    } else if (flag == "--iters-b1") {
      opt.iters_b1 = std::atoi(argv[i + 1]);
    } else if (flag == "--iters-b64") {
      opt.iters_b64 = std::atoi(argv[i + 1]);
    } else if (flag == "--reps") {
      opt.reps = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(
          stderr,
          "unknown flag %s\nusage: mlperf_ae_peers_bench [--json FILE] [--iters-b1 N] [--iters-b64 N] "
          "[--reps R]\n",
          flag.c_str());
      return 2;
    }
  }
  if (opt.iters_b1 < 1 || opt.iters_b64 < 1 || opt.reps < 1) {
    std::fprintf(stderr, "--iters-b1, --iters-b64 and --reps must be >= 1\n");
    return 2;
  }
  return Main(opt);
}
