// What every C++ peer runner of bench/mlperf_ae_peers_bench shares: its command line, the input
// rows, and one timing method (also used by the driver for vigil, so both sides are measured
// the same way).
//
//   vigil::bench::RunnerArgs args;
//   if (!vigil::bench::ParseRunnerArgs(argc, argv, "xnnpack_peer", &args)) return 2;
//   for (int batch : {1, 64}) {
//     ... set the runtime up for `batch` ...
//     vigil::bench::PrintTiming("xnnpack", version, batch,
//                               vigil::bench::TimeCalls(args.Iters(batch), args.reps, run_once),
//                               vigil::bench::Checksum(outputs, batch * out_width));
//   }
//
// Command line of every runner: RUNNER MODEL INPUT [--iters-b1 N] [--iters-b64 N] [--reps R]
// MODEL is a peer weights file (peer_weights.h) or an ONNX file, INPUT holds at least 64 rows
// of raw little-endian float32 of the input width. A runner prints one JSON line per batch
// (1 then 64) on stdout and exits 0, or a message on stderr and exits non-zero.
// Header-only, no vigil library; not thread-safe only in the obvious sense (stdout).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace vigil::bench {

inline constexpr int kPeerMaxBatch = 64;

struct RunnerArgs {
  std::string model;
  std::string input;
  int iters_b1 = 2000;
  int iters_b64 = 200;
  int reps = 5;

  int Iters(int batch) const { return batch == 1 ? iters_b1 : iters_b64; }
};

inline bool ParseRunnerArgs(int argc, char** argv, const char* name, RunnerArgs* args) {
  bool ok = argc >= 3;
  if (ok) {
    args->model = argv[1];
    args->input = argv[2];
  }
  for (int i = 3; ok && i < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = i + 1 < argc ? std::atoi(argv[i + 1]) : 0;
    if (flag == "--iters-b1") {
      args->iters_b1 = value;
    } else if (flag == "--iters-b64") {
      args->iters_b64 = value;
    } else if (flag == "--reps") {
      args->reps = value;
    } else {
      std::fprintf(stderr, "%s: unknown flag %s\n", name, flag.c_str());
      ok = false;
    }
  }
  if (ok && (args->iters_b1 < 1 || args->iters_b64 < 1 || args->reps < 1)) {
    std::fprintf(stderr, "%s: --iters-b1, --iters-b64 and --reps must be >= 1\n", name);
    ok = false;
  }
  if (!ok) {
    std::fprintf(stderr, "usage: %s MODEL INPUT [--iters-b1 N] [--iters-b64 N] [--reps R]\n", name);
  }
  return ok;
}

// Reads `rows` × `width` floats from the start of `path`; empty on a short or missing file.
inline std::vector<float> ReadInputRows(const std::string& path, int64_t width, int rows) {
  std::vector<float> x(static_cast<size_t>(width * rows));
  std::ifstream f(path, std::ios::binary);
  f.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(x.size() * sizeof(float)));
  if (!f) x.clear();
  return x;
}

// Calls run() max(iters/5, 10) times to warm caches, clocks and lazy initialisation, then
// `reps` times `iters` calls; returns the median over reps of the mean µs per call. The median
// of means drops a repetition disturbed by another process on the (shared) machine.
template <class Fn>
double TimeCalls(int iters, int reps, Fn&& run) {
  using Clock = std::chrono::steady_clock;
  for (int i = 0; i < std::max(iters / 5, 10); ++i) run();
  std::vector<double> per_call;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    for (int i = 0; i < iters; ++i) run();
    per_call.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / iters);
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[per_call.size() / 2];
}

// Sum of the outputs in double: the driver compares it across runtimes to catch a peer that
// computes something else (wrong layout, missing ReLU) and would look fast for it.
inline double Checksum(const float* y, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += y[i];
  return s;
}

inline void PrintTiming(const char* peer, const std::string& version, int batch, double us_per_call,
                        double checksum) {
  std::printf(
      "{\"peer\":\"%s\",\"version\":\"%s\",\"batch\":%d,\"us_per_call\":%.4f,\"us_per_inference\":%.4f,"
      "\"checksum\":%.9g}\n",
      peer, version.c_str(), batch, us_per_call, us_per_call / batch, checksum);
  std::fflush(stdout);
}

}  // namespace vigil::bench
