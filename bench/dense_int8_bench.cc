// MLPerf Tiny anomaly-detection autoencoder (640→128→128→128→128→8→128→128→128→128→640, ReLU
// except the last layer), FP32 (DenseF32) vs INT8 (quantize the input, uint8 layers requantized
// in between, float output from the last layer) at batch 1 and 64, single thread, random weights.
// Prints the INT8 multiply-add peak of this core, the INT8 floor (multiply-adds ÷ peak), µs per
// inference, INT8 vs FP32 speed ratio and packed-weight bytes. Never asserts.
//
//   dense_int8_bench --benchmark_repetitions=5
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "hwy/aligned_allocator.h"
#include "kernels/dense.h"
#include "kernels/dense_int8.h"
#include "kernels/int8_peak.h"

namespace vigil::kernels {
namespace {

constexpr size_t kSizes[] = {640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640};
constexpr size_t kLayers = std::size(kSizes) - 1;
constexpr size_t kMaxWidth = 640;
constexpr size_t kMaxBatch = 64;

double MultiplyAdds() {
  double macs = 0;
  for (size_t l = 0; l < kLayers; ++l) macs += static_cast<double>(kSizes[l] * kSizes[l + 1]);
  return macs;
}

// Both versions of one network; activation ranges calibrated by running FP32 on the inputs.
struct Nets {
  hwy::AlignedFreeUniquePtr<float[]> f32[kLayers];
  hwy::AlignedFreeUniquePtr<uint8_t[]> i8[kLayers];
  QuantParams input_q{};
  double f32_bytes = 0, i8_bytes = 0;
  hwy::AlignedFreeUniquePtr<float[]> x = hwy::AllocateAligned<float>(kMaxBatch * kMaxWidth);
  hwy::AlignedFreeUniquePtr<float[]> fa = hwy::AllocateAligned<float>(kMaxBatch * kMaxWidth);
  hwy::AlignedFreeUniquePtr<float[]> fb = hwy::AllocateAligned<float>(kMaxBatch * kMaxWidth);
  hwy::AlignedFreeUniquePtr<uint8_t[]> qa = hwy::AllocateAligned<uint8_t>(kMaxBatch * kMaxWidth);
  hwy::AlignedFreeUniquePtr<uint8_t[]> qb = hwy::AllocateAligned<uint8_t>(kMaxBatch * kMaxWidth);

  Nets() {
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> in_dist(-1.0f, 1.0f);
    for (size_t i = 0; i < kMaxBatch * kMaxWidth; ++i) x[i] = in_dist(rng);
    input_q = ChooseQuantParams(-1.0f, 1.0f);
    std::vector<float> act(x.get(), x.get() + kMaxBatch * kMaxWidth);
    QuantParams prev = input_q;
    for (size_t l = 0; l < kLayers; ++l) {
      const size_t in = kSizes[l], out = kSizes[l + 1];
      std::normal_distribution<float> dist(0.0f, std::sqrt(2.0f / static_cast<float>(in)));
      std::vector<float> w(in * out), bias(out);
      for (float& f : w) f = dist(rng);
      for (float& f : bias) f = 0.1f * dist(rng);
      const bool last = l + 1 == kLayers;
      const Activation a = last ? Activation::kNone : Activation::kRelu;
      f32[l] = hwy::AllocateAligned<float>(PackedDenseFloats(in, out));
      PackDense(w.data(), bias.data(), in, out, f32[l].get());
      f32_bytes += static_cast<double>(PackedDenseFloats(in, out) * sizeof(float));
      std::vector<float> next(kMaxBatch * out);
      DenseF32(f32[l].get(), act.data(), kMaxBatch, in, out, a, next.data());
      float lo = 0, hi = 0;
      for (float v : next) lo = std::min(lo, v), hi = std::max(hi, v);
      const QuantParams out_q = ChooseQuantParams(lo, hi);
      i8[l] = hwy::AllocateAligned<uint8_t>(PackedDenseInt8Bytes(in, out));
      if (!PackDenseInt8(w.data(), bias.data(), in, out, prev, last ? nullptr : &out_q, a, i8[l].get(), nullptr))
        std::fprintf(stderr, "layer %zu not packable as INT8\n", l);
      i8_bytes += static_cast<double>(PackedDenseInt8Bytes(in, out));
      prev = out_q;
      act.swap(next);
    }
  }

  const float* RunF32(size_t batch) {
    const float* src = x.get();
    float* bufs[2] = {fa.get(), fb.get()};
    for (size_t l = 0; l < kLayers; ++l) {
      DenseF32(f32[l].get(), src, batch, kSizes[l], kSizes[l + 1],
               l + 1 == kLayers ? Activation::kNone : Activation::kRelu, bufs[l % 2]);
      src = bufs[l % 2];
    }
    return src;
  }

  const float* RunInt8(size_t batch) {
    QuantizeU8(x.get(), batch * kSizes[0], input_q, qa.get());
    const uint8_t* src = qa.get();
    uint8_t* bufs[2] = {qb.get(), qa.get()};
    for (size_t l = 0; l + 1 < kLayers; ++l) {
      DenseInt8Rows(i8[l].get(), src, kSizes[l], batch, kSizes[l], kSizes[l + 1], bufs[l % 2]);
      src = bufs[l % 2];
    }
    DenseInt8RowsToF32(i8[kLayers - 1].get(), src, kSizes[kLayers - 1], batch, kSizes[kLayers - 1], kSizes[kLayers],
                       fa.get());
    return fa.get();
  }
};

Nets& GetNets() {
  static Nets nets;
  return nets;
}

void BM_Int8Peak(benchmark::State& state) {
  int32_t sink = 0;
  double macs = 0;
  for (auto _ : state) {
    macs += RunInt8DotChains(1 << 16, &sink);
    benchmark::DoNotOptimize(sink);
  }
  state.counters["macs"] = benchmark::Counter(macs, benchmark::Counter::kIsRate);
  state.SetLabel(Int8DotChainsTargetName());
}
BENCHMARK(BM_Int8Peak)->Unit(benchmark::kMicrosecond);

void BM_F32(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  Nets& n = GetNets();
  n.RunF32(batch);
  for (auto _ : state) benchmark::DoNotOptimize(n.RunF32(batch));
  state.counters["inferences"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
  state.SetLabel(DenseF32TargetName());
}
BENCHMARK(BM_F32)->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);

void BM_Int8(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  Nets& n = GetNets();
  n.RunInt8(batch);
  for (auto _ : state) benchmark::DoNotOptimize(n.RunInt8(batch));
  state.counters["inferences"] =
      benchmark::Counter(static_cast<double>(state.iterations() * batch), benchmark::Counter::kIsRate);
  state.SetLabel(DenseInt8TargetName());
}
BENCHMARK(BM_Int8)->Arg(1)->Arg(64)->Unit(benchmark::kMicrosecond);

class Reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      for (const char* c : {"macs", "inferences"}) {
        const auto it = run.counters.find(c);
        if (it != run.counters.end()) best_[run.run_name.str()] = std::max(best_[run.run_name.str()], double{it->second});
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Summary() const {
    const Nets& n = GetNets();
    std::printf("\n[best repetition, CPU time]\n");
    std::printf("  packed weights: FP32 %.0f bytes, INT8 %.0f bytes, ratio %.3f\n", n.f32_bytes, n.i8_bytes,
                n.i8_bytes / n.f32_bytes);
    const auto peak = best_.find("BM_Int8Peak");
    double floor_s = 0;
    if (peak != best_.end()) {
      floor_s = MultiplyAdds() / peak->second;
      std::printf("  INT8 peak (1 core, %s): %.1f G multiply-adds/s; INT8 floor %.2f us (%.0f multiply-adds)\n",
                  Int8DotChainsTargetName(), peak->second * 1e-9, floor_s * 1e6, MultiplyAdds());
    }
    for (const char* batch : {"1", "64"}) {
      const auto f = best_.find(std::string("BM_F32/") + batch);
      const auto q = best_.find(std::string("BM_Int8/") + batch);
      if (f == best_.end() || q == best_.end()) continue;
      const double f_us = 1e6 / f->second, q_us = 1e6 / q->second;
      std::printf("  batch %-2s: FP32 %.2f us, INT8 %.2f us per inference; INT8 speed-up %.2fx; INT8 %.2f x floor\n",
                  batch, f_us, q_us, f_us / q_us, floor_s > 0 ? q_us * 1e-6 / floor_s : 0.0);
    }
  }

 private:
  std::map<std::string, double> best_;
};

}  // namespace
}  // namespace vigil::kernels

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  vigil::kernels::Reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.Summary();
  benchmark::Shutdown();
  return 0;
}
