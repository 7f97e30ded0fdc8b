#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "vigil/evaluate.h"

namespace vigil {

namespace fs = std::filesystem;

Result<std::vector<std::string>> ListSkabFiles(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Status::NotFound(dir + ": not a directory (expected the SKAB data folder)");
  std::vector<std::string> out;
  for (const char* group : {"valve1", "valve2", "other"}) {
    fs::path sub = fs::path(dir) / group;
    if (!fs::is_directory(sub, ec)) continue;
    std::vector<std::pair<long, std::string>> files;
    for (const auto& e : fs::directory_iterator(sub, ec)) {
      if (e.path().extension() != ".csv") continue;
      const std::string stem = e.path().stem().string();
      long n = std::all_of(stem.begin(), stem.end(), ::isdigit) && !stem.empty() ? std::stol(stem) : 1L << 30;
      files.emplace_back(n, e.path().string());
    }
    std::sort(files.begin(), files.end());
    for (auto& f : files) out.push_back(std::move(f.second));
  }
  if (out.empty())
    return Status::NotFound(dir + ": no labelled SKAB files (expected valve1/, valve2/, other/ with *.csv)");
  return out;
}

namespace {

// Fits on the file's first train_rows rows and scores the whole file.
Result<ScoredRun> EvaluateFile(const std::string& file, const FitOptions& options, const SkabOptions& skab) {
  CsvOptions csv;
  csv.label_columns = {"anomaly", "changepoint"};
  csv.warn = [](const std::string&) {};
  VIGIL_ASSIGN_OR_RETURN(LabelledTable table, ReadCsvTable(file, csv));
  if (!table.has_label[0]) return Status::DataError(file + ": no 'anomaly' column");
  if (table.frames.rows() <= skab.train_rows) {
    return Status::DataError(file + ": " + std::to_string(table.frames.rows()) + " rows, need more than " +
                             std::to_string(skab.train_rows));
  }
  FrameTable train;
  train.schema = table.frames.schema;
  train.timestamps.assign(table.frames.timestamps.begin(), table.frames.timestamps.begin() + skab.train_rows);
  train.values.assign(table.frames.values.begin(),
                      table.frames.values.begin() + skab.train_rows * table.frames.cols());
  auto model = Model::Fit(train, options);
  if (!model.ok()) return Status::InvalidArgument(file + ": " + model.status().message());
  if (!skab.quantize.empty()) {
    if (Status s = model->Quantize(skab.quantize, &train); !s.ok()) {
      return Status::InvalidArgument(file + ": " + s.message());
    }
  }
  ScoredRun run = ScoreLabelled(*model, table, skab.train_rows, 0, table.has_label[1] ? 1 : -1);
  run.name = file;
  return run;
}

}  // namespace

Result<DetectionReport> EvaluateSkab(const std::string& dir, const FitOptions& options,
                                     const SkabOptions& skab, const ProgressFn& progress,
                                     std::vector<ScoredRun>* runs_out) {
  auto start = std::chrono::steady_clock::now();
  VIGIL_ASSIGN_OR_RETURN(std::vector<std::string> files, ListSkabFiles(dir));
  // Files are independent: workers take the next file index; results land in file order, so
  // the report does not depend on the thread count.
  std::vector<std::optional<Result<ScoredRun>>> results(files.size());
  std::atomic<size_t> next{0};
  std::mutex progress_mu;
  size_t done = 0;
  auto work = [&] {
    for (size_t i = next++; i < files.size(); i = next++) {
      results[i] = EvaluateFile(files[i], options, skab);
      std::lock_guard<std::mutex> lock(progress_mu);
      ++done;
      if (progress) progress(done, files.size(), files[i]);
    }
  };
  size_t threads = skab.threads > 0 ? skab.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, files.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  std::vector<ScoredRun> runs;
  for (auto& r : results) {
    if (!r->ok()) return r->status();
    runs.push_back(std::move(**r));
  }
  DetectionReport rep = Summarize(runs, skab.nab_window_seconds);
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (runs_out) *runs_out = std::move(runs);
  return rep;
}

}  // namespace vigil
