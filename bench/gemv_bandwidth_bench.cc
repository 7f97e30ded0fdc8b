// Decode-like GEMV: a stack of batch-1 Dense layers whose weights are far larger than the last
// cache level, so every weight comes from memory once per run — the regime of LLM decoding.
// Prints the weight bytes streamed per second by vigil's runtime in FP32, FP16 and INT8 beside the
// memory read bandwidth measured in the same run (one core, kernels/stream_read.h on 512 MiB), and
// their ratio. Not a test: it never fails on the numbers.
//
// The last cache level is read from sysfs (/sys/devices/system/cpu/cpu0/cache); each stack holds
// at least 4x that, and at least 256 MiB. Without sysfs cache entries (some VMs) the CPUID figure
// is printed for reference only: a guest's CPUID L3 is the host's, not what one core sees.
//
//   build/bench/gemv_bandwidth_bench [--mib-per-stack MIB] [--iters 20]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <hwy/aligned_allocator.h>

#include "kernels/stream_read.h"
#include "nn/graph_latency.h"
#include "nn/int8_calibration.h"
#include "nn/packed_net.h"
#include "nn/train/net.h"
#include "plan/host_calibration.h"

namespace {

using vigil::nn::PackedNet;
using vigil::nn::WeightType;

double MemoryReadGbs(size_t bytes) {
  const size_t n = bytes / sizeof(float);
  auto buf = hwy::AllocateAligned<float>(n);
  std::fill(buf.get(), buf.get() + n, 1.0f);
  float sink = 0;
  double best = 0;
  for (int t = 0; t < 5; ++t) {
    const auto start = std::chrono::steady_clock::now();
    const double b = vigil::kernels::StreamRead(buf.get(), n, &sink);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, b / s / 1e9);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  double mib = 256;
  int64_t iters = 20;
  bool mib_given = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--mib-per-stack")) {
      mib = std::atof(argv[i + 1]);
      mib_given = true;
    }
    if (!std::strcmp(argv[i], "--iters")) iters = std::atoll(argv[i + 1]);
  }
  const auto caches = vigil::plan::ReadCacheTopology("/sys/devices/system/cpu/cpu0/cache");
  if (caches.ok() && !caches->empty()) {
    const double llc_mib = caches->back().size_bytes / (1 << 20);
    if (!mib_given) mib = std::max(mib, 4 * llc_mib);
    std::printf("last-level cache (sysfs, L%d): %.1f MiB\n", caches->back().level, llc_mib);
  } else {
    const long llc = ::sysconf(_SC_LEVEL3_CACHE_SIZE);
    std::printf("last-level cache: not in sysfs (%s); CPUID reports %.0f MiB (reference only)\n",
                caches.ok() ? "no cache entries" : caches.status().message().c_str(),
                llc > 0 ? static_cast<double>(llc) / (1 << 20) : 0.0);
  }
  std::printf("each stack streams >= %.0f MiB of weights per run\n", mib);
  const double memory_gbs = MemoryReadGbs(size_t{512} << 20);
  std::printf("memory read (one core, 512 MiB, best of 5): %.1f GB/s\n\n", memory_gbs);
  std::printf("%-6s %8s %12s %12s %10s %8s\n", "dtype", "layers", "weights MiB", "us per run", "GB/s", "ratio");
  constexpr int64_t kWidth = 2048;
  for (WeightType type : {WeightType::kF32, WeightType::kF16, WeightType::kInt8}) {
    const double layer_bytes = static_cast<double>(vigil::nn::PackedWeightBytes(type, kWidth, kWidth));
    const int layers = std::max(1, static_cast<int>(mib * (1 << 20) / layer_bytes + 0.999));
    vigil::nn::train::NetSpec spec;
    spec.input_shape = {kWidth};
    for (int l = 0; l < layers; ++l) spec.layers.push_back({.kind = vigil::nn::train::LayerKind::kDense, .out = kWidth});
    auto params = vigil::nn::train::InitNet(spec, 5);
    auto f32 = PackedNet::FromParams(*params);
    if (!params.ok() || !f32.ok()) return 1;
    std::vector<float> calib(16 * kWidth);
    for (size_t i = 0; i < calib.size(); ++i) calib[i] = static_cast<float>(static_cast<int>(i % 17) - 8) / 8.0f;
    auto q = vigil::nn::CalibrateLayerInputs(*f32, calib.data(), 16);
    if (!q.ok()) return 1;
    auto net = f32->ConvertWeights(type, *q);
    if (!net.ok()) return 1;
    vigil::nn::LatencyOptions o;
    o.batch = 1;
    o.iterations = iters;
    o.warmup = 3;
    auto r = vigil::nn::MeasureGraphLatency(*net, o);
    if (!r.ok()) {
      std::fprintf(stderr, "%s\n", r.status().message().c_str());
      return 1;
    }
    const double bytes = static_cast<double>(net->WeightBytes());
    const double gbs = bytes / (r->min_us * 1e3);
    std::printf("%-6s %8d %12.0f %12.0f %10.1f %7.0f%%\n", vigil::nn::WeightTypeName(type), layers, bytes / (1 << 20),
                r->min_us, gbs, 100 * gbs / memory_gbs);
  }
  std::printf("\n(GB/s: weight bytes / fastest run; ratio: of the memory read bandwidth above)\n");
  return 0;
}
