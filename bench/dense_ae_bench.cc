// MLPerf Tiny anomaly-detection autoencoder (640→128→128→128→128→8→128→128→128→128→640, ReLU
// except the last layer) as a chain of DenseF32 calls over two ping-pong buffers, at batch 1 and
// batch 64, single thread. Also measures this machine's single-core FP32 FMA peak and prints
// the FP32 floor (multiply-adds ÷ FMA rate) and vigil's time ÷ floor. Never asserts.
//
//   dense_ae_bench --benchmark_repetitions=10
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "kernels/dense.h"
#include "kernels/fma_peak.h"

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
      const auto it = run.counters.find(name.rfind("BM_FmaPeak", 0) == 0 ? "FLOPs" : "inferences");
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
    for (const char* batch : {"1", "64"}) {
      const auto run = rates.find(std::string("BM_Autoencoder/") + batch);
      if (run == rates.end()) continue;
      const double per_inference_s = 1.0 / run->second;
      std::printf("  batch %-2s: %.2f us per inference, %.2f x floor, %.1f GFLOP/s\n", batch,
                  per_inference_s * 1e6, per_inference_s / floor_s, 2.0 * macs / per_inference_s * 1e-9);
    }
  }

  std::map<std::string, double> best_;
  std::map<std::string, double> median_;
};

}  // namespace
}  // namespace vigil::kernels

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  vigil::kernels::FloorReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintFloor();
  benchmark::Shutdown();
  return 0;
}
