// How well `vigil plan --device host` predicts the runtime: the host is calibrated in the same run
// (plan/host_calibration.h), then for each network, batch and weight type the roofline prediction
// of every layer and of the whole network is printed beside the measured time (p50 of the graph's
// runs; a layer's time is the difference of consecutive prefix graphs, where it runs in the
// network), with the median absolute error. Not a test: it never fails on the numbers.
//
//   build/bench/plan_accuracy_bench [--iters N] [--trial-seconds S]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "nn/graph_latency.h"
#include "nn/int8_calibration.h"
#include "nn/packed_net.h"
#include "nn/train/net.h"
#include "plan/host_calibration.h"
#include "plan/op_cost.h"
#include "plan/planner.h"

namespace {

using vigil::nn::PackedNet;
using vigil::nn::WeightType;
using vigil::nn::train::LayerKind;
using vigil::nn::train::LayerSpec;
using vigil::nn::train::NetSpec;

// MLPerf Tiny anomaly detection (ToyADMOS): 640 → 4×128 → 8 → 4×128 → 640, ReLU but the last.
NetSpec MlperfAd() {
  NetSpec s;
  s.input_shape = {640};
  for (int i = 0; i < 4; ++i) s.layers.push_back({.kind = LayerKind::kDense, .out = 128, .activation = vigil::kernels::Activation::kRelu});
  s.layers.push_back({.kind = LayerKind::kDense, .out = 8, .activation = vigil::kernels::Activation::kRelu});
  for (int i = 0; i < 4; ++i) s.layers.push_back({.kind = LayerKind::kDense, .out = 128, .activation = vigil::kernels::Activation::kRelu});
  s.layers.push_back({.kind = LayerKind::kDense, .out = 640});
  return s;
}

// The conv-ae shape vigil fits on SKAB-like windows: 64 steps × 8 channels.
NetSpec ConvAe() {
  const auto conv = [](int64_t out, int64_t stride, bool relu) {
    return LayerSpec{.kind = LayerKind::kConv1D, .out = out, .kernel = 7, .stride = stride, .padding = 3,
                     .activation = relu ? vigil::kernels::Activation::kRelu : vigil::kernels::Activation::kNone};
  };
  NetSpec s;
  s.input_shape = {64, 8};
  s.layers = {conv(32, 2, true), conv(16, 2, true), {.kind = LayerKind::kUpsample1D, .factor = 2}, conv(32, 1, true),
              {.kind = LayerKind::kUpsample1D, .factor = 2}, conv(8, 1, false)};
  return s;
}

double P50(const PackedNet& net, int64_t batch, size_t layers, int64_t iters) {
  vigil::nn::LatencyOptions o;
  o.batch = batch;
  o.iterations = iters;
  o.warmup = iters / 10;
  o.layer_count = layers;
  auto r = vigil::nn::MeasureGraphLatency(net, o);
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().message().c_str());
    std::exit(1);
  }
  return r->p50_us;
}

double Median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

// The tf-ae shape vigil fits by default: 16 frames × 8 channels, embedding 32, one block of 4
// heads with an MLP of 64, projection back to 8 channels.
NetSpec TfAe() {
  NetSpec s;
  s.input_shape = {16, 8};
  s.layers = {{.kind = LayerKind::kConv1D, .out = 32, .kernel = 1},
              {.kind = LayerKind::kTransformerBlock, .out = 64, .kernel = 4},
              {.kind = LayerKind::kConv1D, .out = 8, .kernel = 1}};
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t iters = 3000;
  double trial_seconds = 0.05;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--iters")) iters = std::atoll(argv[i + 1]);
    if (!std::strcmp(argv[i], "--trial-seconds")) trial_seconds = std::atof(argv[i + 1]);
  }
  vigil::plan::HostCalibrationOptions co;
  co.trial_seconds = trial_seconds;
  auto m = vigil::plan::MeasureHost(co);
  if (!m.ok()) {
    std::fprintf(stderr, "calibrate: %s\n", m.status().message().c_str());
    return 1;
  }
  const vigil::plan::DeviceProfile host = vigil::plan::HostProfile(*m, co);
  const vigil::plan::ComputeUnit& cpu = host.units.front();
  std::printf("host (calibrated in this run): %s; fp32 %.0f GFLOP/s, int8 %.0f G ops/s per core; ", m->cpu_model.c_str(),
              m->fp32_gops, m->int8_gops);
  for (const auto& c : cpu.caches) std::printf("L%d %.0f KiB %.0f GB/s; ", c.level, c.size_bytes / 1024, c.bandwidth_gbs);
  std::printf("memory %.1f GB/s; op overhead %.3f us\n\n", m->memory_read_gbs, m->op_overhead_us);

  struct Case {
    const char* name;
    NetSpec spec;
  };
  const std::vector<Case> cases = {{"mlperf-tiny-ad", MlperfAd()}, {"conv-ae", ConvAe()}, {"tf-ae", TfAe()}};
  std::vector<double> layer_errors, whole_errors;
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  for (const Case& c : cases) {
    auto params = vigil::nn::train::InitNet(c.spec, 3);
    auto f32 = PackedNet::FromParams(*params);
    if (!params.ok() || !f32.ok()) return 1;
    size_t in = 1;
    for (int64_t d : f32->input_shape()) in *= static_cast<size_t>(d);
    std::vector<float> calib(256 * in);
    for (float& v : calib) v = normal(rng);
    auto q = vigil::nn::CalibrateLayerInputs(*f32, calib.data(), 256);
    if (!q.ok()) return 1;
    for (WeightType type : {WeightType::kF32, WeightType::kF16, WeightType::kInt8}) {
      auto net = f32->ConvertWeights(type, *q);
      if (!net.ok()) return 1;
      for (int64_t batch : {int64_t{1}, int64_t{64}}) {
        auto ops = vigil::plan::NetOpCosts(*net, batch);
        if (!ops.ok()) return 1;
        std::vector<WeightType> types;
        for (size_t l = 0; l < net->layers().size(); ++l) types.push_back(net->layer_weight_type(l));
        const std::vector<double> predicted = vigil::plan::PredictOpTimes(*ops, host, cpu, types, 1);
        std::printf("%s %s batch %lld\n", c.name, vigil::nn::WeightTypeName(type), static_cast<long long>(batch));
        std::printf("  %-28s %12s %12s %8s\n", "layer", "predicted us", "measured us", "error");
        double previous = 0, predicted_total = 0;
        for (size_t l = 0; l < ops->size(); ++l) {
          const double measured_prefix = P50(*net, batch, l + 1, iters);
          const double measured = measured_prefix - previous;
          previous = measured_prefix;
          predicted_total += predicted[l];
          const double err = (predicted[l] - measured) / measured;
          if (measured > 0) layer_errors.push_back(std::fabs(err));
          std::printf("  %-28s %12.3f %12.3f %+7.0f%%\n", net->LayerSummary(l).c_str(), predicted[l], measured, 100 * err);
        }
        const double whole = P50(*net, batch, 0, iters);
        const double err = (predicted_total - whole) / whole;
        whole_errors.push_back(std::fabs(err));
        std::printf("  %-28s %12.3f %12.3f %+7.0f%%\n\n", "whole network", predicted_total, whole, 100 * err);
      }
    }
  }
  std::printf("median absolute error: per layer %.0f%% (%zu layers), whole network %.0f%% (%zu runs), all %.0f%%\n",
              100 * Median(layer_errors), layer_errors.size(), 100 * Median(whole_errors), whole_errors.size(),
              100 * Median([&] {
                auto all = layer_errors;
                all.insert(all.end(), whole_errors.begin(), whole_errors.end());
                return all;
              }()));
  return 0;
}
