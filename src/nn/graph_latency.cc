#include "nn/graph_latency.h"

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cmath>
#include <memory>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "core/xoshiro.h"

namespace vigil::nn {
namespace {

constexpr uint64_t kInputSeed = 20240917;

// One thread's share: its graph, planned for its rows, bound to slices of shared buffers.
struct Slice {
  std::unique_ptr<Graph> graph;
  int64_t rows = 0;
};

double Percentile(std::vector<double> sorted, double q) {
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (pos - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// Standard normal by Box–Muller over the shared generator: deterministic everywhere.
void FillNormal(std::vector<float>* v) {
  core::Xoshiro256 rng(kInputSeed);
  auto uniform = [&] { return (static_cast<double>(rng.Next() >> 11) + 0.5) * (1.0 / 9007199254740992.0); };
  for (float& f : *v) {
    f = static_cast<float>(std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform()));
  }
}

}  // namespace

Result<LatencyReport> MeasureGraphLatency(const PackedNet& net, const LatencyOptions& o) {
  if (o.batch < 1 || o.batch > (1 << 20)) return Status::InvalidArgument("batch must be in 1..1048576, got " + std::to_string(o.batch));
  if (o.iterations < 1) return Status::InvalidArgument("iterations must be >= 1, got " + std::to_string(o.iterations));
  if (o.warmup < 0) return Status::InvalidArgument("warmup must be >= 0, got " + std::to_string(o.warmup));
  if (o.threads < 1 || o.threads > 64 || o.threads > o.batch) {
    return Status::InvalidArgument("threads must be in 1..min(64, batch), got " + std::to_string(o.threads));
  }
  int64_t in_per_row = 1;
  for (int64_t d : net.input_shape()) in_per_row *= d;

  std::vector<Slice> slices(static_cast<size_t>(o.threads));
  LatencyReport report;
  int64_t first_row = 0;
  std::vector<int64_t> offsets;
  for (size_t t = 0; t < slices.size(); ++t) {
    Slice& s = slices[t];
    s.rows = o.batch / o.threads + (static_cast<int64_t>(t) < o.batch % o.threads ? 1 : 0);
    VIGIL_ASSIGN_OR_RETURN(Graph g, o.layer_count == 0 ? net.BuildGraph() : net.BuildGraph(o.layer_count));
    VIGIL_RETURN_IF_ERROR(g.Plan(s.rows, {.external_inputs = true, .external_outputs = true}));
    s.graph = std::make_unique<Graph>(std::move(g));
    offsets.push_back(first_row);
    first_row += s.rows;
  }
  int64_t out_per_row = 1;
  for (int i = 0; i < slices[0].graph->output_shape(0).rank; ++i) out_per_row *= slices[0].graph->output_shape(0).dims[i];
  std::vector<float> input(static_cast<size_t>(o.batch * in_per_row));
  std::vector<float> output(static_cast<size_t>(o.batch * out_per_row));
  FillNormal(&input);
  for (size_t t = 0; t < slices.size(); ++t) {
    Graph& g = *slices[t].graph;
    VIGIL_RETURN_IF_ERROR(g.BindInput(0, input.data() + offsets[t] * in_per_row));
    VIGIL_RETURN_IF_ERROR(g.BindOutput(0, output.data() + offsets[t] * out_per_row));
    report.arena_bytes += g.stats().arena_bytes;
    report.bytes_moved_per_run += g.stats().bytes_per_inference;
    report.copies_per_run += g.stats().copies;
  }
  report.weight_bytes = slices[0].graph->stats().weight_bytes;

  const int64_t total = o.warmup + o.iterations;
  std::vector<double> times;
  times.reserve(static_cast<size_t>(o.iterations));
  using Clock = std::chrono::steady_clock;
  if (o.threads == 1) {
    Graph& g = *slices[0].graph;
    for (int64_t i = 0; i < total; ++i) {
      const auto start = Clock::now();
      g.Run();
      const auto end = Clock::now();
      if (i >= o.warmup) times.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  } else {
    // Workers wait at `go`, run their slice, and meet at `done`; the main thread times the
    // span between the two.
    std::barrier go(o.threads + 1), done(o.threads + 1);
    std::vector<std::thread> workers;
    for (size_t t = 0; t < slices.size(); ++t) {
      workers.emplace_back([&, t] {
        for (int64_t i = 0; i < total; ++i) {
          go.arrive_and_wait();
          slices[t].graph->Run();
          done.arrive_and_wait();
        }
      });
    }
    for (int64_t i = 0; i < total; ++i) {
      const auto start = Clock::now();
      go.arrive_and_wait();
      done.arrive_and_wait();
      const auto end = Clock::now();
      if (i >= o.warmup) times.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
    for (auto& w : workers) w.join();
  }
  std::sort(times.begin(), times.end());
  report.batch = o.batch;
  report.threads = o.threads;
  report.iterations = o.iterations;
  report.p50_us = Percentile(times, 0.5);
  report.p99_us = Percentile(times, 0.99);
  report.min_us = times.front();
  report.mean_us = std::accumulate(times.begin(), times.end(), 0.0) / static_cast<double>(times.size());
  report.per_inference_us = report.p50_us / static_cast<double>(o.batch);
  report.inferences_per_s = static_cast<double>(o.batch) * 1e6 / report.mean_us;
  return report;
}

}  // namespace vigil::nn
