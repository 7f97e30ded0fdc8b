// Scoring throughput of every detector on 8 SKAB channels, single thread.
//
//   build/bench/detector_throughput_bench [--benchmark_format=json]
//
// Batch: Detector::Score over 9405 rows (the anomaly-free run), no contributions, which is
// what bulk re-scoring uses. Stream: StreamScorer::Step per row with the detector's default
// recipe (window features, smoothing, threshold, contributions), which is what `vigil score`
// and a live line pay per sample. The summary prints samples/s against the target
// (pca ≥ 20 M samples/s/core) as a ratio.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>

#include "vigil/csv.h"
#include "vigil/evaluate.h"
#include "vigil/model.h"

namespace {

const vigil::LabelledTable& Data() {
  static const vigil::LabelledTable table = [] {
    vigil::CsvOptions o;
    auto t = vigil::ReadCsvTable(std::string(VIGIL_SKAB_DIR) + "/anomaly-free/anomaly-free.csv", o);
    if (!t.ok()) {
      std::fprintf(stderr, "cannot read SKAB: %s\n", t.status().ToString().c_str());
      std::exit(1);
    }
    return std::move(t).value();
  }();
  return table;
}

std::map<std::string, double>& Rates() {
  static std::map<std::string, double> r;
  return r;
}

void BM_DetectorBatch(benchmark::State& state, const char* name) {
  const auto& t = Data().frames;
  auto det = vigil::MakeDetector(name, {});
  if (!det.ok() || !(*det)->Fit(t.data(), 400, t.cols()).ok()) {
    state.SkipWithError("fit failed");
    return;
  }
  std::vector<float> scores(t.rows());
  for (auto _ : state) {
    (*det)->Score(t.data(), t.rows(), scores.data(), nullptr);
    benchmark::DoNotOptimize(scores.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * t.rows()));
  state.counters["samples_per_s"] =
      benchmark::Counter(static_cast<double>(t.rows()), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_StreamStep(benchmark::State& state, const char* name) {
  const auto& t = Data().frames;
  auto opt = vigil::DefaultFitOptions(name);
  vigil::FrameTable train;
  train.schema = t.schema;
  train.timestamps.assign(t.timestamps.begin(), t.timestamps.begin() + 400);
  train.values.assign(t.values.begin(), t.values.begin() + 400 * t.cols());
  auto model = vigil::Model::Fit(train, *opt);
  if (!model.ok()) {
    state.SkipWithError("fit failed");
    return;
  }
  vigil::StreamScorer scorer(*model);
  size_t r = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(scorer.Step(t.row(r)).score);
    if (++r == t.rows()) r = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

}  // namespace

BENCHMARK_CAPTURE(BM_DetectorBatch, zscore, "zscore");
BENCHMARK_CAPTURE(BM_DetectorBatch, pca, "pca");
BENCHMARK_CAPTURE(BM_DetectorBatch, iforest, "iforest");
BENCHMARK_CAPTURE(BM_StreamStep, zscore, "zscore");
BENCHMARK_CAPTURE(BM_StreamStep, pca, "pca");
BENCHMARK_CAPTURE(BM_StreamStep, iforest, "iforest");

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  struct Collect : benchmark::ConsoleReporter {
    void ReportRuns(const std::vector<Run>& runs) override {
      for (const auto& r : runs) {
        auto it = r.counters.find("items_per_second");
        if (it != r.counters.end()) Rates()[r.benchmark_name()] = it->second.value;
      }
      ConsoleReporter::ReportRuns(runs);
    }
  } reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  auto pca = Rates().find("BM_DetectorBatch/pca");
  if (pca != Rates().end()) {
    std::printf("\npca batch: %.1f M samples/s/core; target 20 M: ratio %.2fx\n", pca->second / 1e6, pca->second / 20e6);
  }
  for (const char* d : {"zscore", "pca", "iforest"}) {
    auto s = Rates().find(std::string("BM_StreamStep/") + d);
    if (s != Rates().end()) std::printf("%s stream step (full pipeline, 1 row): %.2f us/row\n", d, 1e6 / s->second);
  }
  benchmark::Shutdown();
  return 0;
}
