// Training speed of the conv-ae detector's network: one epoch = Adam steps over 340 windows of
// 64 × 8 (a SKAB file's worth), batch 32, single thread, on
//   Conv1D(8→32, k7, s2, p3, ReLU) → Conv1D(32→16, k7, s2, p3, ReLU) → Upsample×2 →
//   Conv1D(16→32, k7, p3, ReLU) → Upsample×2 → Conv1D(32→8, k7, p3)
//
//   BM_ConvAeEpoch        vigil: im2col + contiguous matrix products (net_backprop.h)
//   BM_ConvAeEpochDirect  peer: the same network by direct convolution loops, same Adam
//   BM_ConvAeTrainNet     train::TrainNet end to end (10 % held out), time per epoch
//
// Prints the epoch times, the peer ratio, and GFLOP/s against this core's FMA peak. The target
// is ≤ 50 ms per epoch (34 SKAB files × ~60 epochs well under 5 minutes). Never asserts.
//
//   conv_train_bench --benchmark_repetitions=5
//   conv_train_bench --target=AVX2     # restrict dispatch to one Highway target (as on an
//                                      # AVX2-only machine); the default is the best one
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "hwy/targets.h"
#include "kernels/fma_peak.h"
#include "nn/train/adam.h"
#include "nn/train/backprop.h"
#include "nn/train/gemm.h"
#include "nn/train/net.h"
#include "nn/train/net_backprop.h"
#include "nn/train/net_trainer.h"
#include "nn/train/prng.h"

namespace vigil::nn::train {
namespace {

constexpr int64_t kWindows = 340;
constexpr int64_t kLength = 64;
constexpr int64_t kChannels = 8;
constexpr int64_t kSampleFloats = kLength * kChannels;
constexpr int64_t kBatch = 32;

NetSpec ExampleNet() {
  using kernels::Activation;
  auto conv = [](int64_t out, int64_t stride, Activation act) {
    return LayerSpec{.kind = LayerKind::kConv1D,
                     .out = out,
                     .kernel = 7,
                     .stride = stride,
                     .padding = 3,
                     .activation = act};
  };
  const LayerSpec up{.kind = LayerKind::kUpsample1D, .factor = 2};
  return {{kLength, kChannels},
          {conv(32, 2, Activation::kRelu), conv(16, 2, Activation::kRelu), up, conv(32, 1, Activation::kRelu),
           up, conv(kChannels, 1, Activation::kNone)}};
}

// Standardized-looking sensor windows: phase-shifted sines plus uniform noise.
std::vector<float> Windows() {
  std::vector<float> x(static_cast<size_t>(kWindows * kSampleFloats));
  Prng rng(5);
  for (int64_t r = 0; r < kWindows; ++r) {
    for (int64_t t = 0; t < kLength; ++t) {
      for (int64_t c = 0; c < kChannels; ++c) {
        const float phase = 0.15f * static_cast<float>(r + t) + 0.7f * static_cast<float>(c);
        x[static_cast<size_t>((r * kLength + t) * kChannels + c)] =
            std::sin(phase) + 0.2f * (rng.NextFloat() - 0.5f);
      }
    }
  }
  return x;
}

// Multiply-adds of one epoch: forward, weight gradient and (except the first layer) input
// gradient of every Conv1D, each out_length · out · kernel · in_channels per window.
double EpochMultiplyAdds(const NetParams& p) {
  double macs = 0.0;
  for (size_t l = 0; l < p.layers.size(); ++l) {
    const NetLayerParams& layer = p.layers[l];
    if (layer.spec.kind != LayerKind::kConv1D) continue;
    const double one =
        static_cast<double>(layer.out_shape[0] * layer.spec.out * layer.spec.kernel * layer.in_shape[1]);
    macs += one * (l == 0 ? 2.0 : 3.0);
  }
  return macs * static_cast<double>(kWindows);
}

// The peer: every layer as the textbook direct loops over (sample, position, output channel,
// tap, input channel), activations and Adam shared with vigil's path.
class DirectConvNet {
 public:
  explicit DirectConvNet(const NetParams& p) {
    for (const NetLayerParams& l : p.layers) {
      pre_.emplace_back(static_cast<size_t>(kBatch * ShapeElements(l.out_shape)));
      post_.emplace_back(pre_.back().size());
      widest_ = std::max(widest_, pre_.back().size());
    }
    delta_.resize(widest_);
    delta_prev_.resize(widest_);
  }

  double LossAndGradients(const NetParams& p, const float* x, size_t batch, NetGradients* grads) {
    const float* in = x;
    for (size_t l = 0; l < p.layers.size(); ++l) {
      Forward(p.layers[l], in, batch, pre_[l].data());
      const size_t n = batch * static_cast<size_t>(ShapeElements(p.layers[l].out_shape));
      std::copy(pre_[l].begin(), pre_[l].begin() + static_cast<int64_t>(n), post_[l].begin());
      kernels::ActivateF32Reference(p.layers[l].spec.activation, post_[l].data(), n);
      in = post_[l].data();
    }
    const size_t out_n = batch * static_cast<size_t>(kSampleFloats);
    const double loss = MeanSquaredError({in, out_n}, x, delta_.data());
    grads->weights.resize(p.layers.size());
    grads->bias.resize(p.layers.size());
    for (size_t l = p.layers.size(); l-- > 0;) {
      const NetLayerParams& layer = p.layers[l];
      const size_t n = batch * static_cast<size_t>(ShapeElements(layer.out_shape));
      for (size_t k = 0; k < n; ++k) {
        delta_[k] *= ActivationDerivative(layer.spec.activation, pre_[l][k], post_[l][k]);
      }
      grads->weights[l].assign(layer.weights.size(), 0.0f);
      grads->bias[l].assign(layer.bias.size(), 0.0f);
      Backward(layer, l == 0 ? x : post_[l - 1].data(), batch, grads->weights[l].data(),
               grads->bias[l].data(), l > 0 ? delta_prev_.data() : nullptr);
      std::swap(delta_, delta_prev_);
    }
    return loss;
  }

 private:
  static void Forward(const NetLayerParams& l, const float* x, size_t batch, float* z) {
    const int64_t len = l.in_shape[0], cin = l.in_shape[1], olen = l.out_shape[0], cout = l.out_shape[1];
    const LayerSpec& s = l.spec;
    for (int64_t b = 0; b < static_cast<int64_t>(batch); ++b) {
      const float* xb = x + b * len * cin;
      float* zb = z + b * olen * cout;
      for (int64_t t = 0; t < olen; ++t) {
        for (int64_t o = 0; o < cout; ++o) {
          if (s.kind == LayerKind::kUpsample1D) {
            zb[t * cout + o] = xb[(t / s.factor) * cin + o];
            continue;
          }
          float acc = l.bias[static_cast<size_t>(o)];
          for (int64_t k = 0; k < s.kernel; ++k) {
            const int64_t src = t * s.stride - s.padding + k * s.dilation;
            if (src < 0 || src >= len) continue;
            const float* w = l.weights.data() + (o * s.kernel + k) * cin;
            for (int64_t c = 0; c < cin; ++c) acc += w[c] * xb[src * cin + c];
          }
          zb[t * cout + o] = acc;
        }
      }
    }
  }

  // delta_ holds dL/dz of this layer; writes dL/dx to dx when not null.
  void Backward(const NetLayerParams& l, const float* x, size_t batch, float* dw, float* db,
                float* dx) const {
    const int64_t len = l.in_shape[0], cin = l.in_shape[1], olen = l.out_shape[0], cout = l.out_shape[1];
    const LayerSpec& s = l.spec;
    if (dx != nullptr) std::fill(dx, dx + batch * static_cast<size_t>(len * cin), 0.0f);
    for (int64_t b = 0; b < static_cast<int64_t>(batch); ++b) {
      const float* xb = x + b * len * cin;
      const float* gb = delta_.data() + b * olen * cout;
      float* dxb = dx == nullptr ? nullptr : dx + b * len * cin;
      for (int64_t t = 0; t < olen; ++t) {
        for (int64_t o = 0; o < cout; ++o) {
          const float g = gb[t * cout + o];
          if (s.kind == LayerKind::kUpsample1D) {
            if (dxb != nullptr) dxb[(t / s.factor) * cin + o] += g;
            continue;
          }
          db[o] += g;
          for (int64_t k = 0; k < s.kernel; ++k) {
            const int64_t src = t * s.stride - s.padding + k * s.dilation;
            if (src < 0 || src >= len) continue;
            const int64_t w0 = (o * s.kernel + k) * cin;
            for (int64_t c = 0; c < cin; ++c) {
              dw[w0 + c] += g * xb[src * cin + c];
              if (dxb != nullptr) dxb[src * cin + c] += g * l.weights[static_cast<size_t>(w0 + c)];
            }
          }
        }
      }
    }
  }

  std::vector<std::vector<float>> pre_, post_;
  std::vector<float> delta_, delta_prev_;
  size_t widest_ = 0;
};

// Adam over the layers that have weights, as TrainNet runs it.
struct Optimizer {
  explicit Optimizer(NetParams* p) : adam(Sizes(*p), {.learning_rate = 1e-3f}) {
    for (NetLayerParams& l : p->layers) {
      if (l.weights.empty()) continue;
      params.push_back(&l.weights);
      params.push_back(&l.bias);
    }
  }
  static std::vector<size_t> Sizes(const NetParams& p) {
    std::vector<size_t> s;
    for (const NetLayerParams& l : p.layers) {
      if (l.weights.empty()) continue;
      s.push_back(l.weights.size());
      s.push_back(l.bias.size());
    }
    return s;
  }
  void Step(const NetGradients& g) {
    grads.clear();
    for (size_t l = 0; l < g.weights.size(); ++l) {
      if (g.weights[l].empty()) continue;
      grads.push_back(&g.weights[l]);
      grads.push_back(&g.bias[l]);
    }
    adam.Step(grads, params);
  }
  Adam adam;
  std::vector<std::vector<float>*> params;
  std::vector<const std::vector<float>*> grads;
};

// "epochs" is a rate (epochs per CPU second); the summary turns it into ms per epoch.
void SetEpochCounters(benchmark::State& state, double macs) {
  state.counters["epochs"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["GFLOPs"] =
      benchmark::Counter(2e-9 * macs * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}

template <typename StepFn>
void RunEpochs(benchmark::State& state, const std::vector<float>& data, NetParams* params, StepFn step) {
  Optimizer opt(params);
  NetGradients grads;
  double loss = 0.0;
  for (auto _ : state) {
    for (int64_t first = 0; first < kWindows; first += kBatch) {
      const size_t n = static_cast<size_t>(std::min(kBatch, kWindows - first));
      loss += step(data.data() + first * kSampleFloats, n, &grads);
      opt.Step(grads);
    }
  }
  benchmark::DoNotOptimize(loss);
  SetEpochCounters(state, EpochMultiplyAdds(*params));
}

void BM_ConvAeEpoch(benchmark::State& state) {
  const std::vector<float> data = Windows();
  NetParams params = InitNet(ExampleNet(), 1).value();
  NetWorkspace ws;
  RunEpochs(state, data, &params, [&](const float* x, size_t n, NetGradients* g) {
    return NetMseLossAndGradients(params, x, x, n, &ws, g);
  });
}
BENCHMARK(BM_ConvAeEpoch)->Unit(benchmark::kMillisecond);

void BM_ConvAeEpochDirect(benchmark::State& state) {
  const std::vector<float> data = Windows();
  NetParams params = InitNet(ExampleNet(), 1).value();
  DirectConvNet net(params);
  RunEpochs(state, data, &params,
            [&](const float* x, size_t n, NetGradients* g) { return net.LossAndGradients(params, x, n, g); });
}
BENCHMARK(BM_ConvAeEpochDirect)->Unit(benchmark::kMillisecond);

void BM_ConvAeTrainNet(benchmark::State& state) {
  constexpr int kEpochs = 5;
  const std::vector<float> data = Windows();
  const NetSpec spec = ExampleNet();
  const TrainOptions options{
      .epochs = kEpochs, .batch_size = kBatch, .seed = 3, .validation_fraction = 0.1, .patience = 0};
  for (auto _ : state) {
    Result<NetTrainResult> r = TrainNet(spec, data, kWindows, options);
    if (!r.ok()) {
      state.SkipWithError(r.status().message().c_str());
      return;
    }
    benchmark::DoNotOptimize(r->params.layers.back().weights.data());
  }
  state.counters["epochs"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kEpochs), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ConvAeTrainNet)->Unit(benchmark::kMillisecond);

void BM_FmaPeak(benchmark::State& state) {
  float sink = 0.0f;
  double flops = 0.0;
  for (auto _ : state) {
    flops += kernels::RunFmaChains(1 << 16, &sink);
    benchmark::DoNotOptimize(sink);
  }
  state.counters["GFLOPs"] = benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsRate);
  state.SetLabel(kernels::FmaChainsTargetName());
}
BENCHMARK(BM_FmaPeak)->Unit(benchmark::kMicrosecond);

// Keeps each benchmark's best repetition (or, when only aggregates are reported, the median)
// and prints the summary lines.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      if (run.run_type != Run::RT_Iteration && !median) continue;
      auto& rates = (median ? median_ : best_)[run.run_name.str()];
      for (const char* counter : {"epochs", "GFLOPs"}) {
        const auto it = run.counters.find(counter);
        if (it != run.counters.end()) rates[counter] = std::max(rates[counter], double{it->second});
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }

  void PrintSummary() const {
    const bool best = !best_.empty();
    const auto& rates = best ? best_ : median_;
    auto get = [&](const char* name, const char* counter) {
      const auto b = rates.find(name);
      if (b == rates.end()) return 0.0;
      const auto c = b->second.find(counter);
      return c == b->second.end() ? 0.0 : c->second;
    };
    auto ms = [&](const char* name) {
      const double epochs_per_s = get(name, "epochs");
      return epochs_per_s > 0 ? 1e3 / epochs_per_s : 0.0;
    };
    const double vigil = ms("BM_ConvAeEpoch");
    const double direct = ms("BM_ConvAeEpochDirect");
    const double train = ms("BM_ConvAeTrainNet");
    const double gflops = get("BM_ConvAeEpoch", "GFLOPs");
    const double peak = get("BM_FmaPeak", "GFLOPs");
    std::printf("\n%s, CPU time, 1 thread; %lld windows of %lldx%lld, batch %lld; GEMM target %s:\n",
                best ? "Best repetition" : "Median of repetitions", static_cast<long long>(kWindows),
                static_cast<long long>(kLength), static_cast<long long>(kChannels),
                static_cast<long long>(kBatch), GemmF32TargetName());
    if (vigil > 0) {
      std::printf("  vigil epoch      %7.2f ms  (%.1f GFLOP/s", vigil, gflops);
      if (peak > 0) std::printf(", %.0f %% of the %.1f GFLOP/s FMA peak", 100.0 * gflops / peak, peak);
      std::printf(")\n");
    }
    if (direct > 0 && vigil > 0) {
      std::printf("  direct-loop peer %7.2f ms  (vigil is %.1fx faster)\n", direct, direct / vigil);
    }
    if (train > 0)
      std::printf("  TrainNet         %7.2f ms per epoch incl. validation (target <= 50 ms)\n", train);
  }

 private:
  std::map<std::string, std::map<std::string, double>> best_, median_;
};

// Consumes --target=NAME: restricts Highway dispatch to that target. False if unknown or
// unsupported here.
bool ApplyTargetFlag(int* argc, char** argv) {
  const std::string prefix = "--target=";
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind(prefix, 0) != 0) continue;
    const std::string want = arg.substr(prefix.size());
    int64_t found = 0;
    for (int64_t rest = hwy::SupportedTargets(); rest != 0; rest &= rest - 1) {
      if (want == hwy::TargetName(rest & -rest)) found = rest & -rest;
    }
    if (found == 0) {
      std::fprintf(stderr, "--target=%s: not a target this binary and CPU support\n", want.c_str());
      return false;
    }
    hwy::SetSupportedTargetsForTest(found);
    for (int j = i; j + 1 < *argc; ++j) argv[j] = argv[j + 1];
    --*argc;
    return true;
  }
  return true;
}

}  // namespace
}  // namespace vigil::nn::train

int main(int argc, char** argv) {
  if (!vigil::nn::train::ApplyTargetFlag(&argc, argv)) return 1;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  vigil::nn::train::SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintSummary();
  benchmark::Shutdown();
  return 0;
}
