// Isolation forest: vigil vs scikit-learn on SKAB (8 channels), measured in the same run.
//
//   build-*/bench/iforest_bench [--summary_json=out.json] [--benchmark_* flags]
//   (or VIGIL_BENCH_JSON=out.json)
//
// Training rows: anomaly-free/anomaly-free.csv. Scoring rows: valve1/0..15.csv concatenated,
// with their `anomaly` labels for AUC. vigil: 100 trees, subsample 256, seed 42, one thread.
// Peer: bench/iforest_sklearn_peer.py (IsolationForest n_estimators=100, max_samples=256,
// n_jobs=1) run with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1. A summary table prints each
// metric for both and the speed ratio (vigil speed / sklearn speed, > 1 = vigil faster). Times
// are wall clock, best of several runs; the "per CPU second" row compares process CPU time,
// which is steadier on a shared machine.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "vigil/detector.h"

#ifndef VIGIL_SKAB_DIR
#define VIGIL_SKAB_DIR "../shared/data/skab"
#endif
#ifndef VIGIL_BENCH_DIR
#define VIGIL_BENCH_DIR "bench"
#endif

namespace {

constexpr size_t kChannels = 8;
constexpr int kScoreFiles = 16;  // valve1/0.csv .. valve1/15.csv

struct Table {
  std::vector<float> x;       // rows × kChannels
  std::vector<float> labels;  // rows (anomaly column), empty when the file has none
  size_t rows() const { return x.size() / kChannels; }
};

// SKAB rows: datetime;8 channels[;anomaly;changepoint]. Enough parsing for these files only.
bool LoadSkab(const std::string& path, Table* t) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ';');) cells.push_back(cell);
    if (cells.size() < 1 + kChannels) return false;
    for (size_t j = 0; j < kChannels; ++j) t->x.push_back(std::strtof(cells[1 + j].c_str(), nullptr));
    if (cells.size() > 1 + kChannels) t->labels.push_back(std::strtof(cells[1 + kChannels].c_str(), nullptr));
  }
  return true;
}

// ROC AUC by the rank-sum (Mann–Whitney) identity, ties given their average rank.
double Auc(const std::vector<float>& scores, const std::vector<float>& labels) {
  std::vector<size_t> order(scores.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  double rank_sum = 0, pos = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double avg_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (size_t k = i; k < j; ++k) {
      if (labels[order[k]] > 0.5f) {
        rank_sum += avg_rank;
        pos += 1;
      }
    }
    i = j;
  }
  const double neg = static_cast<double>(scores.size()) - pos;
  if (pos == 0 || neg == 0) return 0.5;
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

Table g_train, g_score;
std::unique_ptr<vigil::Detector> g_model;

std::unique_ptr<vigil::Detector> NewModel() {
  vigil::DetectorOptions opt;
  opt.seed = 42;
  opt.iforest_trees = 100;
  opt.iforest_subsample = 256;
  auto det = vigil::MakeDetector("iforest", opt);
  if (!det.ok()) {
    std::fprintf(stderr, "%s\n", det.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(det).value();
}

void BM_VigilFit(benchmark::State& state) {
  for (auto _ : state) {
    auto det = NewModel();
    vigil::Status s = det->Fit(g_train.x.data(), g_train.rows(), kChannels);
    benchmark::DoNotOptimize(s.ok());
  }
}
BENCHMARK(BM_VigilFit)->Unit(benchmark::kMillisecond);

void BM_VigilScoreBatch(benchmark::State& state) {
  std::vector<float> scores(g_score.rows());
  for (auto _ : state) {
    g_model->Score(g_score.x.data(), g_score.rows(), scores.data(), nullptr);
    benchmark::DoNotOptimize(scores.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * g_score.rows()));
}
BENCHMARK(BM_VigilScoreBatch)->Unit(benchmark::kMillisecond);

void BM_VigilScoreBatchWithContrib(benchmark::State& state) {
  std::vector<float> scores(g_score.rows()), contrib(g_score.x.size());
  for (auto _ : state) {
    g_model->Score(g_score.x.data(), g_score.rows(), scores.data(), contrib.data());
    benchmark::DoNotOptimize(contrib.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * g_score.rows()));
}
BENCHMARK(BM_VigilScoreBatchWithContrib)->Unit(benchmark::kMillisecond);

void BM_VigilScoreSingleRow(benchmark::State& state) {
  size_t i = 0;
  float score = 0;
  for (auto _ : state) {
    g_model->Score(g_score.x.data() + i * kChannels, 1, &score, nullptr);
    benchmark::DoNotOptimize(score);
    if (++i == g_score.rows()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VigilScoreSingleRow)->Unit(benchmark::kMicrosecond);

// Keeps the console output and remembers the best wall and CPU seconds per iteration of each
// benchmark.
class CapturingReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type != Run::RT_Iteration || r.error_occurred || r.iterations == 0) continue;
      const double n = static_cast<double>(r.iterations);
      Keep(&seconds, r.benchmark_name(), r.real_accumulated_time / n);
      Keep(&cpu_seconds, r.benchmark_name(), r.cpu_accumulated_time / n);
    }
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> seconds, cpu_seconds;

 private:
  static void Keep(std::map<std::string, double>* m, const std::string& name, double sec) {
    auto [it, inserted] = m->emplace(name, sec);
    if (!inserted) it->second = std::min(it->second, sec);
  }
};

struct Peer {
  bool available = false;
  std::string reason;
  std::map<std::string, double> values;
};

// Pulls "key": number pairs out of the peer's one flat JSON object.
double JsonNumber(const std::string& json, const std::string& key, bool* found) {
  const std::string pattern = "\"" + key + "\":";
  size_t at = json.find(pattern);
  *found = at != std::string::npos;
  return *found ? std::strtod(json.c_str() + at + pattern.size(), nullptr) : 0.0;
}

Peer RunPeer(const std::string& train_path, const std::vector<std::string>& score_paths) {
  Peer peer;
  const char* python = "/usr/bin/python3";
  const std::string script = std::string(VIGIL_BENCH_DIR) + "/iforest_sklearn_peer.py";
  if (access(python, X_OK) != 0) {
    peer.reason = "no /usr/bin/python3";
    return peer;
  }
  std::string cmd = std::string("OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 ") + python + " '" + script +
                    "' '" + train_path + "'";
  for (const auto& p : score_paths) cmd += " '" + p + "'";
  cmd += " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    peer.reason = "popen failed";
    return peer;
  }
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int rc = pclose(pipe);
  if (rc != 0 || out.find("\"available\": true") == std::string::npos) {
    peer.reason = out.empty() ? "peer printed nothing" : out;
    while (!peer.reason.empty() && peer.reason.back() == '\n') peer.reason.pop_back();
    return peer;
  }
  for (const char* key : {"fit_seconds", "score_samples_per_second", "score_samples_per_cpu_second",
                          "single_row_seconds", "auc"}) {
    bool found = false;
    const double v = JsonNumber(out, key, &found);
    if (!found) {
      peer.reason = std::string("peer output lacks ") + key + ": " + out;
      return peer;
    }
    peer.values[key] = v;
  }
  peer.available = true;
  return peer;
}

void PrintRow(const char* metric, double vigil, double peer, bool have_peer, double ratio, const char* fmt) {
  char v[32], p[32], r[32];
  std::snprintf(v, sizeof v, fmt, vigil);
  if (have_peer) {
    std::snprintf(p, sizeof p, fmt, peer);
    std::snprintf(r, sizeof r, "%.1fx", ratio);
  } else {
    std::snprintf(p, sizeof p, "-");
    std::snprintf(r, sizeof r, "-");
  }
  std::printf("%-30s %14s %14s %12s\n", metric, v, p, r);
}

}  // namespace

int main(int argc, char** argv) {
  std::string json_path;
  if (const char* env = std::getenv("VIGIL_BENCH_JSON")) json_path = env;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--summary_json=", 15) == 0) {
      json_path = argv[i] + 15;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const std::string skab = VIGIL_SKAB_DIR;
  const std::string train_path = skab + "/anomaly-free/anomaly-free.csv";
  std::vector<std::string> score_paths;
  for (int i = 0; i < kScoreFiles; ++i) score_paths.push_back(skab + "/valve1/" + std::to_string(i) + ".csv");
  bool loaded = LoadSkab(train_path, &g_train);
  for (const auto& p : score_paths) loaded = loaded && LoadSkab(p, &g_score);
  if (!loaded || g_train.rows() < 2 || g_score.rows() == 0 || g_score.labels.size() != g_score.rows()) {
    std::printf("SKAB data not found or unreadable under %s; nothing to measure\n", skab.c_str());
    return 0;
  }
  std::printf("SKAB: %zu training rows, %zu scoring rows, %zu channels\n", g_train.rows(), g_score.rows(),
              kChannels);

  g_model = NewModel();
  if (vigil::Status s = g_model->Fit(g_train.x.data(), g_train.rows(), kChannels); !s.ok()) {
    std::fprintf(stderr, "fit failed: %s\n", s.ToString().c_str());
    return 1;
  }
  std::vector<float> scores(g_score.rows());
  g_model->Score(g_score.x.data(), g_score.rows(), scores.data(), nullptr);
  const double vigil_auc = Auc(scores, g_score.labels);

  CapturingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  std::printf("\nrunning peer: scikit-learn IsolationForest (single thread)...\n");
  std::fflush(stdout);
  const Peer peer = RunPeer(train_path, score_paths);
  if (!peer.available) std::printf("peer unavailable: %s\n", peer.reason.c_str());

  auto best = [](const std::map<std::string, double>& m, const char* name) {
    auto it = m.find(name);
    return it == m.end() ? 0.0 : it->second;
  };
  auto seconds = [&](const char* name) { return best(reporter.seconds, name); };
  auto peer_value = [&](const char* key) {
    auto it = peer.values.find(key);
    return it == peer.values.end() ? 0.0 : it->second;
  };
  const double fit_s = seconds("BM_VigilFit");
  const double batch_s = seconds("BM_VigilScoreBatch");
  const double contrib_s = seconds("BM_VigilScoreBatchWithContrib");
  const double batch_cpu_s = best(reporter.cpu_seconds, "BM_VigilScoreBatch");
  const double single_s = seconds("BM_VigilScoreSingleRow");
  const double rows = static_cast<double>(g_score.rows());
  const double vigil_sps = batch_s > 0 ? rows / batch_s : 0;
  const double vigil_contrib_sps = contrib_s > 0 ? rows / contrib_s : 0;
  const double vigil_cpu_sps = batch_cpu_s > 0 ? rows / batch_cpu_s : 0;
  const double sk_cpu_sps = peer_value("score_samples_per_cpu_second");
  const double cpu_ratio = sk_cpu_sps > 0 ? vigil_cpu_sps / sk_cpu_sps : 0;
  const double sk_fit = peer_value("fit_seconds"), sk_sps = peer_value("score_samples_per_second");
  const double sk_single = peer_value("single_row_seconds"), sk_auc = peer_value("auc");
  const bool p = peer.available;
  const double fit_ratio = fit_s > 0 ? sk_fit / fit_s : 0;
  const double score_ratio = sk_sps > 0 ? vigil_sps / sk_sps : 0;
  const double contrib_ratio = sk_sps > 0 ? vigil_contrib_sps / sk_sps : 0;
  const double single_ratio = single_s > 0 ? sk_single / single_s : 0;

  std::printf("\n%-30s %14s %14s %12s\n", "iforest (100 trees, psi 256)", "vigil", "sklearn",
              "vigil/sklearn");
  PrintRow("fit (ms)", fit_s * 1e3, sk_fit * 1e3, p, fit_ratio, "%.2f");
  PrintRow("batch score (samples/s)", vigil_sps, sk_sps, p, score_ratio, "%.4g");
  PrintRow("  with contributions", vigil_contrib_sps, sk_sps, p, contrib_ratio, "%.4g");
  PrintRow("  per CPU second", vigil_cpu_sps, sk_cpu_sps, p, cpu_ratio, "%.4g");
  PrintRow("single-row latency (us)", single_s * 1e6, sk_single * 1e6, p, single_ratio, "%.2f");
  char sk_auc_text[32] = "-";
  if (p) std::snprintf(sk_auc_text, sizeof sk_auc_text, "%.4f", sk_auc);
  std::printf("%-30s %14.4f %14s\n", "AUC (valve1, anomaly label)", vigil_auc, sk_auc_text);
  std::printf("(ratios are speed ratios: sklearn time / vigil time; > 1 means vigil is faster)\n");

  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << "{\n  \"benchmark\": \"iforest\",\n  \"train_rows\": " << g_train.rows()
        << ",\n  \"score_rows\": " << g_score.rows() << ",\n  \"vigil\": {\"fit_seconds\": " << fit_s
        << ", \"score_samples_per_second\": " << vigil_sps
        << ", \"score_with_contrib_samples_per_second\": " << vigil_contrib_sps
        << ", \"score_samples_per_cpu_second\": " << vigil_cpu_sps << ", \"single_row_seconds\": " << single_s
        << ", \"auc\": " << vigil_auc << "},\n  \"sklearn\": ";
    if (p) {
      out << "{\"fit_seconds\": " << sk_fit << ", \"score_samples_per_second\": " << sk_sps
          << ", \"score_samples_per_cpu_second\": " << sk_cpu_sps << ", \"single_row_seconds\": " << sk_single
          << ", \"auc\": " << sk_auc << "},\n  \"ratios\": {\"fit\": " << fit_ratio
          << ", \"score\": " << score_ratio << ", \"score_with_contrib\": " << contrib_ratio
          << ", \"score_cpu\": " << cpu_ratio << ", \"single_row\": " << single_ratio << "}\n}\n";
    } else {
      out << "null,\n  \"peer_unavailable\": true\n}\n";
    }
    std::printf("summary written to %s\n", json_path.c_str());
  }
  return 0;
}
