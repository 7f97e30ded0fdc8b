// MLPerf Tiny anomaly-detection autoencoder (640→128→128→128→128→8→128→128→128→128→640, ReLU
// except the last layer) as a chain of DenseF32 calls over two ping-pong buffers, at batch 1 and
// batch 64, single thread. Also measures this machine's single-core FP32 FMA peak and prints
// the FP32 floor (multiply-adds ÷ FMA rate) and vigil's time ÷ floor, and the rate at which one
// core reads the packed weights (a plain vector sum over the same buffers, cache state as in
// the batch-1 loop) and the resulting weight-read floor: a batch-1 pass uses each weight once,
// so it cannot beat that floor however fast the FMAs are. Never asserts.
//
//   dense_ae_bench --benchmark_repetitions=10
//   dense_ae_bench --target=AVX2     # restrict dispatch to one Highway target (e.g. AVX2 on an
//                                    # AVX-512 machine); every number then uses that target
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "hwy/targets.h"
#include "kernels/dense.h"
#include "kernels/fma_peak.h"
#include "kernels/stream_read.h"

namespace vigil::kernels {
namespace {

constexpr size_t kLayerSizes[] = {640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640};
constexpr size_t kLayers = std::size(kLayerSizes) - 1;
constexpr size_t kMaxWidth = 640;
constexpr uint32_t kSeed = 42;

size_t MultiplyAdds() {
  size_t macs = 0;
  for (size_t l = 0; l < kLayers; ++l) macs += kLayerSizes[l] * kLayerSizes[l + 1];
  return macs;
}

class Autoencoder {
 public:
  explicit Autoencoder(size_t max_batch)
      : input_(hwy::AllocateAligned<float>(max_batch * kMaxWidth)),
        ping_(hwy::AllocateAligned<float>(max_batch * kMaxWidth)),
        pong_(hwy::AllocateAligned<float>(max_batch * kMaxWidth)) {
    std::mt19937 rng(kSeed);
    for (size_t l = 0; l < kLayers; ++l) {
      const size_t in = kLayerSizes[l];
      const size_t out = kLayerSizes[l + 1];
      // He-style scale keeps activations in a realistic range through the ReLU stack.
      std::normal_distribution<float> dist(0.0f, std::sqrt(2.0f / static_cast<float>(in)));
      std::vector<float> w(in * out);
      std::vector<float> bias(out);
      for (float& f : w) f = dist(rng);
      for (float& f : bias) f = 0.1f * dist(rng);
      packed_[l] = hwy::AllocateAligned<float>(PackedDenseFloats(in, out));
      PackDense(w.data(), bias.data(), in, out, packed_[l].get());
    }
    std::uniform_real_distribution<float> input(-1.0f, 1.0f);
    for (size_t i = 0; i < max_batch * kMaxWidth; ++i) input_[i] = input(rng);
  }

  // Bytes of packed weights and biases one inference reads (zero padding included).
  static double WeightBytes() {
    double bytes = 0.0;
    for (size_t l = 0; l < kLayers; ++l)
      bytes += static_cast<double>(PackedDenseFloats(kLayerSizes[l], kLayerSizes[l + 1]) * sizeof(float));
    return bytes;
  }

  // Reads every packed layer once in network order, like Run(1) does; returns the bytes read.
  double ReadWeights(float* sink) const {
    double bytes = 0.0;
    for (size_t l = 0; l < kLayers; ++l) {
      float layer_sum = 0.0f;
      bytes += StreamRead(packed_[l].get(), PackedDenseFloats(kLayerSizes[l], kLayerSizes[l + 1]), &layer_sum);
      *sink += layer_sum;
    }
    return bytes;
  }

  // The input stays intact across runs; layers alternate between the two activation buffers.
  const float* Run(size_t batch) {
    const float* src = input_.get();
    float* const buffers[2] = {ping_.get(), pong_.get()};
    for (size_t l = 0; l < kLayers; ++l) {
      float* dst = buffers[l % 2];
      const Activation act = l + 1 == kLayers ? Activation::kNone : Activation::kRelu;
      DenseF32(packed_[l].get(), src, batch, kLayerSizes[l], kLayerSizes[l + 1], act, dst);
      src = dst;
    }
    return src;
  }

 private:
  hwy::AlignedFreeUniquePtr<float[]> packed_[kLayers];
  hwy::AlignedFreeUniquePtr<float[]> input_;
  hwy::AlignedFreeUniquePtr<float[]> ping_;
  hwy::AlignedFreeUniquePtr<float[]> pong_;
};

void BM_FmaPeak(benchmark::State& state) {
  float sink = 0.0f;
  double flops = 0.0;
  for (auto _ : state) {
    flops += RunFmaChains(1 << 16, &sink);
    benchmark::DoNotOptimize(sink);
  }
  state.counters["FLOPs"] = benchmark::Counter(flops, benchmark::Counter::kIsRate);
  state.SetLabel(FmaChainsTargetName());
}
BENCHMARK(BM_FmaPeak)->Unit(benchmark::kMicrosecond);

void BM_WeightRead(benchmark::State& state) {
  const Autoencoder net(1);
  float sink = 0.0f;
  net.ReadWeights(&sink);  // warm caches like the batch-1 loop
  double bytes = 0.0;
  for (auto _ : state) {
    bytes += net.ReadWeights(&sink);
    benchmark::DoNotOptimize(sink);
  }
  state.counters["bytes"] = benchmark::Counter(bytes, benchmark::Counter::kIsRate);
  state.SetLabel(StreamReadTargetName());
}
BENCHMARK(BM_WeightRead)->Unit(benchmark::kMicrosecond);

void BM_Autoencoder(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  Autoencoder net(batch);
  net.Run(batch);  // warm caches and the dispatch table
  for (auto _ : state) {
    const float* out = net.Run(batch);
    benchmark::DoNotOptimize(out);
    benchmark::ClobberMemory();
  }
  state.counters["inferences"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
  state.SetLabel(DenseF32TargetName());
}
BENCHMARK(BM_Autoencoder)->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);

// Collects, per benchmark, the best single repetition and the median aggregate (when
// repetitions are on) of its rate counter, then prints the floor comparison for both.
class FloorReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const std::string name = run.run_name.str();
      const char* counter = name.rfind("BM_FmaPeak", 0) == 0      ? "FLOPs"
                            : name.rfind("BM_WeightRead", 0) == 0 ? "bytes"
                                                                   : "inferences";
      const auto it = run.counters.find(counter);
      if (it == run.counters.end()) continue;
      const double rate = it->second;
      if (run.run_type == Run::RT_Iteration) {
        best_[name] = std::max(best_[name], rate);
      } else if (run.aggregate_name == "median") {
        median_[name] = rate;
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void PrintFloor() const {
    std::printf("\nAll rates use CPU time (time this thread actually ran), not wall time.\n");
    if (!best_.empty()) PrintFloor("best repetition", best_);
    if (!median_.empty()) PrintFloor("median of repetitions", median_);
  }

 private:
  static void PrintFloor(const char* which, const std::map<std::string, double>& rates) {
    const auto peak = rates.find("BM_FmaPeak");
    if (peak == rates.end()) return;
    const double macs = static_cast<double>(MultiplyAdds());
    const double floor_s = macs / (peak->second / 2.0);
    std::printf("[%s]\n", which);
    std::printf("  FP32 FMA peak (1 core, %s): %.1f GFLOP/s\n", FmaChainsTargetName(), peak->second * 1e-9);
    std::printf("  autoencoder: %.0f multiply-adds, %.2f MB of weights per inference; FP32 floor %.2f us\n",
                macs, 4.0 * macs / 1e6, floor_s * 1e6);
    const auto read = rates.find("BM_WeightRead");
    double read_floor_s = 0.0;
    if (read != rates.end()) {
      read_floor_s = Autoencoder::WeightBytes() / read->second;
      std::printf("  weight read (1 core, %s): %.1f GB/s over %.2f MB of packed weights; read floor %.2f us\n",
                  StreamReadTargetName(), read->second * 1e-9, Autoencoder::WeightBytes() * 1e-6,
                  read_floor_s * 1e6);
    }
    for (const char* batch : {"1", "64"}) {
      const auto run = rates.find(std::string("BM_Autoencoder/") + batch);
      if (run == rates.end()) continue;
      const double per_inference_s = 1.0 / run->second;
      std::printf("  batch %-2s: %.2f us per inference, %.2f x floor, %.1f GFLOP/s", batch, per_inference_s * 1e6,
                  per_inference_s / floor_s, 2.0 * macs / per_inference_s * 1e-9);
      // Per call, a batch-1 pass reads all weights; a batch-b call reads them once for b rows.
      if (read_floor_s > 0.0 && std::string(batch) == "1")
        std::printf(", %.2f x read floor", per_inference_s / read_floor_s);
      std::printf("\n");
    }
  }

  std::map<std::string, double> best_;
  std::map<std::string, double> median_;
};

}  // namespace
}  // namespace vigil::kernels

namespace {

// Handles --target=NAME (a Highway target name such as AVX2, AVX3, SSE4): removes it from argv
// and restricts dynamic dispatch to that target. Returns false (after printing why) if the name
// is unknown or the CPU cannot run it.
bool ApplyTargetFlag(int* argc, char** argv) {
  constexpr std::string_view kFlag = "--target=";
  int kept = 1;
  bool ok = true;
  for (int a = 1; a < *argc; ++a) {
    const std::string_view arg = argv[a];
    if (arg.substr(0, kFlag.size()) != kFlag) {
      argv[kept++] = argv[a];
      continue;
    }
    const std::string_view name = arg.substr(kFlag.size());
    int64_t chosen = 0;
    for (int64_t rest = HWY_TARGETS; rest != 0; rest &= rest - 1) {
      const int64_t target = rest & -rest;
      if (name == hwy::TargetName(target)) chosen = target;
    }
    if (chosen == 0 || (hwy::SupportedTargets() & chosen) == 0) {
      std::fprintf(stderr, "--target=%s: not a compiled target this CPU supports\n", std::string(name).c_str());
      ok = false;
    } else {
      hwy::SetSupportedTargetsForTest(chosen);
    }
  }
  *argc = kept;
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (!ApplyTargetFlag(&argc, argv)) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  vigil::kernels::FloorReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintFloor();
  benchmark::Shutdown();
  return 0;
}
