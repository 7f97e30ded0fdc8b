// vigil bench: how fast a model scores on this machine, and what it costs in memory.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numeric>
#include <optional>
#include <vector>

#include "detect/autoencoder_detector.h"
#include "energy/energy_meter.h"
#include "nn/graph_latency.h"
#include "plan/device_profile.h"
#include "vigil/cli_common.h"

namespace vigil::cli {
namespace {

struct BenchArgs {
  std::string model;
  int64_t batch = 1;
  int64_t iterations = 1000;
  int64_t warmup = 100;
  int threads = 1;
  std::string json;
  bool energy = false;
  double power_watts = 0;  // 0: the host profile's, else the documented default
  energy::MeterSearch meters;
};

// Energy of the timed runs: measured when a meter exists, else modelled (time × power) and
// labelled so, naming where the power figure came from.
struct EnergyReport {
  bool measured = false;
  double joules_per_inference = 0;
  std::string source;  // the meter, or the power figure's origin
  std::string note;    // why nothing was measured
};

constexpr double kDefaultWattsPerCore = 3.75;  // AMD EPYC 9654: 360 W TDP / 96 cores (AMD)

std::string WattsText(double w) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g W", w);
  return b;
}

EnergyReport ModelledEnergy(const BenchArgs& a, double per_inference_us, const std::string& why) {
  EnergyReport e;
  e.note = why;
  double watts = a.power_watts;
  if (watts > 0) {
    e.source = "--power-watts " + WattsText(watts);
  } else if (auto host = plan::FindDeviceProfile("host", plan::ProfileSearchPath("")); host.ok()) {
    const plan::ComputeUnit& cpu = host->units.front();
    watts = cpu.active_watts * std::min(a.threads, cpu.cores) / cpu.cores;
    e.source = "the host profile's active power (" + host->file + "), " + WattsText(watts);
  } else {
    watts = kDefaultWattsPerCore * a.threads;
    e.source = "default " + WattsText(kDefaultWattsPerCore) + " per core (AMD EPYC 9654: 360 W / 96 cores)";
  }
  e.joules_per_inference = per_inference_us * 1e-6 * watts;
  return e;
}

using Clock = std::chrono::steady_clock;

double Micros(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

// Detectors without a graph: time Score over the batch directly.
nn::LatencyReport TimeDetector(const Detector& det, const BenchArgs& a) {
  std::vector<float> rows(static_cast<size_t>(a.batch) * det.dim(), 0.5f);
  std::vector<float> scores(static_cast<size_t>(a.batch));
  std::vector<double> times;
  for (int64_t i = 0; i < a.warmup + a.iterations; ++i) {
    const auto start = Clock::now();
    det.Score(rows.data(), static_cast<size_t>(a.batch), scores.data(), nullptr);
    const auto end = Clock::now();
    if (i >= a.warmup) times.push_back(Micros(start, end));
  }
  std::sort(times.begin(), times.end());
  nn::LatencyReport r;
  r.batch = a.batch;
  r.threads = 1;
  r.iterations = a.iterations;
  r.p50_us = times[times.size() / 2];
  r.p99_us = times[std::min(times.size() - 1, static_cast<size_t>(0.99 * static_cast<double>(times.size())))];
  r.min_us = times.front();
  r.mean_us = std::accumulate(times.begin(), times.end(), 0.0) / static_cast<double>(times.size());
  r.per_inference_us = r.p50_us / static_cast<double>(a.batch);
  r.inferences_per_s = static_cast<double>(a.batch) * 1e6 / r.mean_us;
  r.weight_bytes = det.ParameterBytes();
  return r;
}

int RunBench(const BenchArgs& a) {
  if (a.batch < 1 || a.iterations < 1 || a.warmup < 0 || a.threads < 1) {
    return Fail(Status::InvalidArgument("--batch, --iters and --threads must be >= 1 and --warmup >= 0"));
  }
  // Load-to-first-score: map and parse the file, build and plan the graphs, score one row.
  const auto t0 = Clock::now();
  auto model = Model::Load(a.model);
  if (!model.ok()) return Fail(model.status());
  std::vector<float> row(model->detector().dim(), 0.0f);
  float first = 0;
  model->detector().Score(row.data(), 1, &first, nullptr);
  const double load_to_first_score_us = Micros(t0, Clock::now());

  const nn::PackedNet* net = detect::AutoencoderNetwork(model->detector());
  if (net == nullptr && a.threads != 1) {
    return Fail(Status::InvalidArgument("--threads applies to neural models (ae, conv-ae, tf-ae) only"));
  }
  if (a.power_watts < 0) return Fail(Status::InvalidArgument("--power-watts must be positive"));
  nn::LatencyReport r;
  Status timed = Status::OK();
  const auto time_it = [&] {
    if (net != nullptr) {
      auto measured = nn::MeasureGraphLatency(
          *net, {.batch = a.batch, .iterations = a.iterations, .warmup = a.warmup, .threads = a.threads});
      if (measured.ok()) r = *measured;
      timed = measured.status();
    } else {
      r = TimeDetector(model->detector(), a);
    }
  };
  std::optional<EnergyReport> energy;
  if (a.energy) {
    auto meter = energy::FindEnergyMeter(a.meters);
    if (meter.ok()) {
      auto reading = energy::MeasureEnergy(**meter, time_it);
      if (!reading.ok()) return Fail(reading.status());
      const double runs = static_cast<double>(a.warmup + a.iterations) * static_cast<double>(a.batch);
      energy = EnergyReport{true, reading->joules / runs, (*meter)->name(), ""};
    } else if (meter.status().code() == StatusCode::kNotFound) {
      time_it();
      energy = ModelledEnergy(a, r.per_inference_us, meter.status().message());
    } else {
      return Fail(meter.status());  // a meter that exists but cannot be read: say so, do not model
    }
  } else {
    time_it();
  }
  if (!timed.ok()) return Fail(timed);
  const std::string detector(model->detector().name());
  const double per_inf_bytes = static_cast<double>(r.bytes_moved_per_run) / static_cast<double>(r.batch);
  const std::string dtype(model->detector().WeightType());
  std::printf("model: %s (%s, weights %s, %s)\n", a.model.c_str(), detector.c_str(), dtype.c_str(),
              dtype == "int8" ? "uint8 x int8 products, int32 accumulation" : "FP32 arithmetic");
  if (net) std::printf("network: %s\n", net->Summary().c_str());
  std::printf("batch: %lld  threads: %d  iterations: %lld\n", static_cast<long long>(r.batch), r.threads,
              static_cast<long long>(r.iterations));
  std::printf("latency_us (per run): p50 %.2f  p99 %.2f  mean %.2f  min %.2f\n", r.p50_us, r.p99_us, r.mean_us,
              r.min_us);
  std::printf("per_inference_us: %.3f\n", r.per_inference_us);
  std::printf("throughput: %.0f inferences/s\n", r.inferences_per_s);
  if (net) {
    std::printf("arena_bytes: %zu\n", r.arena_bytes);
    std::printf("weight_bytes: %zu (%s)\n", r.weight_bytes,
                net->borrowed() ? "read in place from the mapped file" : "copied at load");
    std::printf("bytes_moved_per_inference: %.0f (inputs + weights + outputs of every op, weights amortized over the batch)\n",
                per_inf_bytes);
    std::printf("copies_per_run: %d\n", r.copies_per_run);
  } else {
    std::printf("parameter_bytes: %zu (no tensor graph: arena and copies do not apply)\n", r.weight_bytes);
  }
  std::printf("load_to_first_score_us: %.1f\n", load_to_first_score_us);
  if (energy) {
    if (energy->measured) {
      std::printf("energy_per_inference_j: %.3g (measured: %s, over warmup and timed runs)\n",
                  energy->joules_per_inference, energy->source.c_str());
    } else {
      std::printf("energy_per_inference_j: %.3g (modelled, not measured: p50 time x %s)\n", energy->joules_per_inference,
                  energy->source.c_str());
      std::printf("energy_meter: none (%s)\n", energy->note.c_str());
    }
  }

  if (!a.json.empty()) {
    nlohmann::json j = {{"model", a.model},
                        {"detector", detector},
                        {"dtype", dtype},
                        {"batch", r.batch},
                        {"threads", r.threads},
                        {"iterations", r.iterations},
                        {"p50_us", r.p50_us},
                        {"p99_us", r.p99_us},
                        {"mean_us", r.mean_us},
                        {"min_us", r.min_us},
                        {"per_inference_us", r.per_inference_us},
                        {"inferences_per_s", r.inferences_per_s},
                        {"weight_bytes", r.weight_bytes},
                        {"load_to_first_score_us", load_to_first_score_us}};
    if (energy) {
      j["energy_per_inference_j"] = energy->joules_per_inference;
      j["energy_kind"] = energy->measured ? "measured" : "modelled";
      j["energy_source"] = energy->source;
      if (!energy->measured) j["energy_meter_missing"] = energy->note;
    }
    if (net) {
      j["network"] = net->Summary();
      j["arena_bytes"] = r.arena_bytes;
      j["bytes_moved_per_run"] = r.bytes_moved_per_run;
      j["bytes_moved_per_inference"] = per_inf_bytes;
      j["copies_per_run"] = r.copies_per_run;
      j["weights_mapped"] = net->borrowed();
    }
    std::ofstream out(a.json);
    out << j.dump(2) << "\n";
    if (!out) return Fail(Status::IOError(a.json + ": cannot write"));
  }
  return kExitOk;
}

}  // namespace

void RegisterBench(CLI::App& app, Action* run) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "Time a model's inference: latency percentiles, throughput, memory");
  cmd->add_option("model", args->model, "Model file (.vgm)")->required();
  cmd->add_option("--batch", args->batch, "Rows per run")->capture_default_str();
  cmd->add_option("--iters", args->iterations, "Timed runs")->capture_default_str();
  cmd->add_option("--warmup", args->warmup, "Untimed runs first")->capture_default_str();
  cmd->add_option("--threads", args->threads, "Split the batch over this many threads (neural models)")
      ->capture_default_str();
  cmd->add_option("--json", args->json, "Also write the results as JSON to this file");
  cmd->add_flag("--energy", args->energy,
                "Report joules per inference: measured with RAPL/hwmon when readable, else modelled (labelled)");
  cmd->add_option("--power-watts", args->power_watts, "Power figure for modelled energy (default: the host profile's)");
  cmd->add_option("--powercap-root", args->meters.powercap_root, "Where the powercap tree is")->capture_default_str();
  cmd->add_option("--hwmon-root", args->meters.hwmon_root, "Where the hwmon tree is")->capture_default_str();
  cmd->callback([args, run] { *run = [args] { return RunBench(*args); }; });
}

}  // namespace vigil::cli
